import { mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatLine, listLogFiles, parseLine, readLinesBackwards } from './log-files.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-log-files-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of lines) out.push(line);
  return out;
}

describe('formatLine and parseLine', () => {
  it('round-trip every stream, brackets and empty text included', () => {
    for (const line of [
      { timestamp: '2030-01-02T03:04:05.678Z', stream: 'stdout', text: '{"jsonrpc":"2.0"}' },
      { timestamp: '2030-01-02T03:04:05.678Z', stream: 'stderr', text: '[warn] [x] y' },
      { timestamp: '2030-01-02T03:04:05.678Z', stream: 'proxy', text: '' },
    ] as const) {
      expect(parseLine(formatLine(line))).toEqual(line);
    }
    expect(formatLine({ timestamp: 't', stream: 'stderr', text: 'boom' })).toBe(
      '[t] [STDERR] boom',
    );
  });

  it('rejects lines in any other shape', () => {
    expect(parseLine('plain text')).toBeUndefined();
    expect(parseLine('[t] [INFO] text')).toBeUndefined();
  });
});

describe('readLinesBackwards', () => {
  it('yields lines last first across chunk boundaries, multi-byte characters intact', async () => {
    const path = join(dir, 'file.log');
    const lines = [
      'first',
      'zweite Zeile: äöü',
      '',
      'третья',
      'emoji 🚦 line',
      'no newline at end',
    ];
    writeFileSync(path, lines.join('\n'));
    for (const chunkSize of [1, 3, 5, 64 * 1024]) {
      const size = Buffer.byteLength(lines.join('\n'));
      expect(await collect(readLinesBackwards(path, size, chunkSize))).toEqual(
        lines.filter((line) => line !== '').reverse(),
      );
    }
  });

  it('reads only up to the given end', async () => {
    const path = join(dir, 'file.log');
    writeFileSync(path, 'a\nb\nlater\n');
    expect(await collect(readLinesBackwards(path, 4, 2))).toEqual(['b', 'a']);
  });
});

describe('listLogFiles', () => {
  it('lists rotated files newest first and leaves out server.log and foreign files', async () => {
    const names = ['server-2030-01-01.log', 'server-2030-01-01.1.log', 'server-2030-01-02.log'];
    const at = Date.parse('2030-01-03T00:00:00Z') / 1000;
    for (const [index, name] of names.entries()) {
      writeFileSync(join(dir, name), 'x\n');
      utimesSync(join(dir, name), at + index, at + index);
    }
    writeFileSync(join(dir, 'notes.txt'), 'x');
    symlinkSync('server-2030-01-02.log', join(dir, 'server.log'));
    const files = await listLogFiles(dir);
    expect(files.map((file) => basename(file.path))).toEqual([...names].reverse());
    expect(files[0]?.size).toBe(2);
  });

  it('orders by the date and count in the names first, then by modification time', async () => {
    const names = {
      'server-2030-01-01.2.log': 4_000,
      'server-2030-01-02.log': 1_000,
      'server-2030-01-01.10.log': 2_000,
      'server-2030-01-01.log': 3_000,
      'server-2030-01-01.0.log': 1_000,
    };
    for (const [name, seconds] of Object.entries(names)) {
      writeFileSync(join(dir, name), '');
      utimesSync(join(dir, name), seconds, seconds);
    }
    expect((await listLogFiles(dir)).map((file) => basename(file.path))).toEqual([
      'server-2030-01-02.log',
      'server-2030-01-01.10.log',
      'server-2030-01-01.2.log',
      'server-2030-01-01.log',
      'server-2030-01-01.0.log',
    ]);
  });

  it('finds nothing in a missing directory', async () => {
    expect(await listLogFiles(join(dir, 'missing'))).toEqual([]);
  });
});
