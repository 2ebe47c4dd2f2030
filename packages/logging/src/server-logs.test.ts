import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SwitchyardError } from '@switchyard/protocol';
import { ManualClock } from '@switchyard/protocol/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isValidServerName } from './internal/server-name.js';
import type { LogLine } from './log-line.js';
import { createSecretSet } from './secret-set.js';
import { createServerLogs, type ServerLogs, type ServerLogsOptions } from './server-logs.js';
import type { ServerLogsError } from './server-logs-error.js';

/** Age limits compare the clock with real file times, so the manual clock starts at the real now. */
const START = Date.now();
const AT = new Date(START).toISOString();
const AT_PLUS_1 = new Date(START + 1).toISOString();
const LOG_FILE = /^server-\d{4}-\d{2}-\d{2}(\.\d+)?\.log$/;

let root: string;
let open: ServerLogs[];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'switchyard-server-logs-'));
  open = [];
});

afterEach(async () => {
  await Promise.all(open.map((logs) => logs.close()));
  rmSync(root, { recursive: true, force: true });
});

/** A manual clock whose intervals never fire: only a rotation can start the age sweep. */
class TimerlessClock extends ManualClock {
  override setInterval(): unknown {
    return undefined;
  }

  override clearInterval(): void {}
}

function logs(options: Partial<ServerLogsOptions> = {}): ServerLogs {
  const created = createServerLogs({ dir: root, clock: new ManualClock(START), ...options });
  open.push(created);
  return created;
}

/** The log files of a server, oldest first: `server-<date>.log`, then `.1.log`, `.2.log`, ... */
function logFiles(server: string): string[] {
  const count = (name: string) => Number(LOG_FILE.exec(name)?.[1]?.slice(1) ?? 0);
  return readdirSync(join(root, server))
    .filter((name) => LOG_FILE.test(name))
    .sort((a, b) => a.slice(0, 17).localeCompare(b.slice(0, 17)) || count(a) - count(b));
}

function fileLines(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n').filter(Boolean);
}

/** A line of about 70 bytes on disk, so that 1 KiB holds about 14. */
function numbered(index: number): string {
  return `line ${String(index).padStart(4, '0')} ${'x'.repeat(30)}`;
}

describe('ServerLogs files', () => {
  it('writes `[<ISO timestamp>] [STREAM] <line>` to <dir>/<server>/server.log', async () => {
    const clock = new ManualClock(START);
    const server = logs({ clock });
    server.write('memory', 'stdout', '{"jsonrpc":"2.0","id":1}');
    clock.advance(1);
    server.write('memory', 'stderr', 'warning: two\nlines\n');
    server.write('memory', 'proxy', 'started (pid 42)');
    await server.close();

    const current = join(root, 'memory', 'server.log');
    expect(fileLines(current)).toEqual([
      `[${AT}] [STDOUT] {"jsonrpc":"2.0","id":1}`,
      `[${AT_PLUS_1}] [STDERR] warning: two`,
      `[${AT_PLUS_1}] [STDERR] lines`,
      `[${AT_PLUS_1}] [PROXY] started (pid 42)`,
    ]);
    expect(lstatSync(current).isSymbolicLink()).toBe(true);
    expect(readlinkSync(current)).toBe(`server-${new Date().toISOString().slice(0, 10)}.log`);
  });

  it('rotates by size during a run and keeps server.log pointing at the current file', async () => {
    const server = logs({ maxSizeBytes: 1024 });
    for (let i = 0; i < 100; i++) server.write('memory', 'stdout', numbered(i));
    await server.tail('memory', { lines: 1 });

    const files = logFiles('memory');
    expect(files.length).toBeGreaterThanOrEqual(5);
    expect(readlinkSync(join(root, 'memory', 'server.log'))).toBe(files.at(-1));
    const lines = files.flatMap((name) => fileLines(join(root, 'memory', name)));
    expect(lines.map((line) => line.slice(AT.length + 12))).toEqual(
      Array.from({ length: 100 }, (_, i) => numbered(i)),
    );
    for (const name of files) {
      expect(statSync(join(root, 'memory', name)).size).toBeLessThan(1024 + 100);
    }

    server.write('memory', 'stdout', 'after the tail');
    await server.close();
    expect(fileLines(join(root, 'memory', 'server.log')).at(-1)).toMatch(/after the tail$/);
  });

  it('deletes files past the age limit when a file rotates', async () => {
    const clock = new TimerlessClock(START);
    const server = logs({ clock, maxSizeBytes: 1024, maxAgeMs: 60_000 });
    for (let i = 0; i < 40; i++) server.write('memory', 'stdout', numbered(i));
    await server.tail('memory', { lines: 1 });
    const before = logFiles('memory');
    expect(before.length).toBeGreaterThanOrEqual(2);

    clock.advance(120_000);
    for (let i = 40; i < 60; i++) server.write('memory', 'stdout', numbered(i));
    await server.close();

    // Every file older than the limit is gone; the 20 new lines may have filled one or two files
    // (the size check of the rotating stream is asynchronous), all of them young.
    const after = logFiles('memory');
    expect(after).toContain(readlinkSync(join(root, 'memory', 'server.log')));
    expect(after.some((name) => before.includes(name))).toBe(false);
  });

  it('deletes files past the age limit on a timer while nothing rotates', async () => {
    const clock = new ManualClock(START);
    const server = logs({ clock, maxSizeBytes: 1024, maxAgeMs: 60_000 });
    for (let i = 0; i < 20; i++) server.write('memory', 'stdout', numbered(i));
    await server.tail('memory', { lines: 1 });
    expect(logFiles('memory')).toHaveLength(2);

    clock.advance(120_000);
    await vi.waitFor(() => expect(logFiles('memory')).toHaveLength(1));
    expect(logFiles('memory')).toEqual([readlinkSync(join(root, 'memory', 'server.log'))]);
  });

  it('never lets a secret reach a file or a subscriber', async () => {
    const canary = 'canary-8f2e61d0-secret';
    const server = logs({ maxSizeBytes: 1024, secrets: [canary] });
    const seen: LogLine[] = [];
    server.subscribe('memory', (line) => seen.push(line));
    for (let i = 0; i < 30; i++) {
      server.write('memory', 'stdout', `{"token":"${canary}","n":${i}}`);
      server.write('memory', 'stderr', `Authorization: Bearer ${canary}`);
      server.write('memory', 'proxy', `env API_KEY=${canary}`);
    }
    await server.close();

    const dir = join(root, 'memory');
    const text = readdirSync(dir)
      .map((name) => readFileSync(join(dir, name), 'utf8'))
      .join('');
    expect(text).toContain('[redacted]');
    expect(text).not.toContain(canary);
    expect(seen).toHaveLength(90);
    expect(JSON.stringify(seen)).not.toContain(canary);
  });

  it('redacts with the secrets of the moment, and again when lines are read back', async () => {
    const secrets = createSecretSet();
    const before = logs();
    before.write('memory', 'stderr', 'token late-secret-1 written before it was known');
    await before.close();
    const server = logs({ secrets });
    secrets.replace(['late-secret-1']);
    server.write('memory', 'stderr', 'token late-secret-1 written after');
    server.write('memory', 'stderr', 'still running');
    const text = (await server.tail('memory')).map((line) => line.text);
    expect(text).toEqual([
      'token [redacted] written before it was known',
      'token [redacted] written after',
      'still running',
    ]);
  });

  it('reports a full disk through onError, keeps going and recovers', async () => {
    if (!existsSync('/dev/full')) return;
    const clock = new ManualClock(START);
    const errors: ServerLogsError[] = [];
    const server = logs({ clock, onError: (error) => errors.push(error) });
    mkdirSync(join(root, 'memory'));
    const today = join(root, 'memory', `server-${new Date().toISOString().slice(0, 10)}.log`);
    symlinkSync('/dev/full', today);
    const seen: string[] = [];
    server.subscribe('memory', (line) => seen.push(line.text));

    expect(() => server.write('memory', 'stderr', 'lost')).not.toThrow();
    await vi.waitFor(() => expect(errors.length).toBeGreaterThan(0));
    expect(errors[0]).toMatchObject({
      code: 'WRITE_FAILED',
      server: 'memory',
      cause: { code: 'ENOSPC' },
    });
    server.write('memory', 'stderr', 'dropped while failing');

    unlinkSync(today);
    clock.advance(1000);
    server.write('memory', 'stderr', 'kept');
    expect((await server.tail('memory')).map((line) => line.text)).toEqual(['kept']);
    expect(seen).toEqual(['lost', 'dropped while failing', 'kept']);
  });

  it('reports an unwritable directory through onError without throwing', async () => {
    writeFileSync(join(root, 'not-a-dir'), '');
    const errors: ServerLogsError[] = [];
    const server = logs({ dir: join(root, 'not-a-dir'), onError: (error) => errors.push(error) });
    expect(() => server.write('memory', 'stdout', 'hello')).not.toThrow();
    expect(errors.map((error) => error.code)).toEqual(['WRITE_FAILED']);
    expect(await server.tail('memory')).toEqual([]);
    await server.close();
  });

  it('moves a foreign regular server.log aside so that the link can take its place', async () => {
    mkdirSync(join(root, 'memory'));
    writeFileSync(join(root, 'memory', 'server.log'), '[2029-12-31T00:00:00.000Z] [STDERR] old\n');
    const errors: ServerLogsError[] = [];
    const server = logs({ onError: (error) => errors.push(error) });
    server.write('memory', 'stderr', 'new');
    expect((await server.tail('memory')).map((line) => line.text)).toEqual(['old', 'new']);
    expect(lstatSync(join(root, 'memory', 'server.log')).isSymbolicLink()).toBe(true);
    expect(errors).toEqual([]);
  });

  it('writes out every line on close and ignores lines after it', async () => {
    const server = logs();
    for (let i = 0; i < 5000; i++) server.write('memory', 'stdout', numbered(i));
    await server.close();
    server.write('memory', 'stdout', 'too late');
    const lines = fileLines(join(root, 'memory', 'server.log'));
    expect(lines).toHaveLength(5000);
    expect(lines.at(-1)).toMatch(/line 4999/);
  });
});

describe('ServerLogs tail', () => {
  function writeMixed(server: ServerLogs, count: number): void {
    for (let i = 0; i < count; i++) {
      server.write('memory', i % 2 === 0 ? 'stdout' : 'stderr', numbered(i));
      if (i % 10 === 0) server.write('memory', 'proxy', `checkpoint ${i}`);
    }
  }

  it('returns the last N lines, oldest first, across a rotation boundary', async () => {
    const server = logs({ maxSizeBytes: 1024 });
    writeMixed(server, 60);
    const last = await server.tail('memory', { lines: 20 });
    expect(logFiles('memory').length).toBeGreaterThan(2);
    expect(last.map((line) => line.text)).toEqual([
      ...Array.from({ length: 10 }, (_, i) => numbered(41 + i)),
      'checkpoint 50',
      ...Array.from({ length: 9 }, (_, i) => numbered(51 + i)),
    ]);
    expect(last[0]).toEqual({
      timestamp: AT,
      stream: 'stderr',
      text: numbered(41),
    });
  });

  it('filters by stream and reads as far back as needed', async () => {
    const server = logs({ maxSizeBytes: 1024 });
    writeMixed(server, 60);
    const stderr = await server.tail('memory', { lines: 25, type: 'stderr' });
    expect(stderr.map((line) => line.text)).toEqual(
      Array.from({ length: 25 }, (_, i) => numbered(11 + 2 * i)),
    );
    const stdout = await server.tail('memory', { lines: 1000, type: 'stdout' });
    expect(stdout).toHaveLength(30);
    expect(await server.tail('memory', { lines: 0 })).toEqual([]);
  });

  it('reads the logs of an earlier run', async () => {
    const first = logs({ maxSizeBytes: 1024 });
    writeMixed(first, 30);
    await first.close();
    const second = logs({ maxSizeBytes: 1024 });
    second.write('memory', 'proxy', 'restarted');
    const last = await second.tail('memory', { lines: 3 });
    expect(last.map((line) => line.text)).toEqual([numbered(28), numbered(29), 'restarted']);
  });

  it('has no lines for a server that never wrote any', async () => {
    expect(await logs().tail('quiet')).toEqual([]);
  });
});

describe('ServerLogs subscribe', () => {
  it('delivers only lines written after subscribing, until unsubscribed', () => {
    const server = logs();
    server.write('memory', 'stdout', 'before');
    const seen: LogLine[] = [];
    const unsubscribe = server.subscribe('memory', (line) => seen.push(line));
    server.write('memory', 'stderr', 'during');
    server.write('other', 'stderr', 'elsewhere');
    unsubscribe();
    server.write('memory', 'stdout', 'after');
    expect(seen).toEqual([{ timestamp: AT, stream: 'stderr', text: 'during' }]);
  });

  it('back-fills the last N lines, then live ones, with neither gap nor repeat', async () => {
    const server = logs({ maxSizeBytes: 1024 });
    for (let i = 0; i < 30; i++) server.write('memory', 'stdout', numbered(i));
    const seen: string[] = [];
    server.subscribe('memory', (line) => seen.push(line.text), { backfill: 20 });
    server.write('memory', 'stdout', 'live 1');
    await vi.waitFor(() => expect(seen).toHaveLength(21));
    server.write('memory', 'stdout', 'live 2');
    expect(seen).toEqual([
      ...Array.from({ length: 20 }, (_, i) => numbered(10 + i)),
      'live 1',
      'live 2',
    ]);
  });

  it('applies the stream filter to back-fill and live lines alike', async () => {
    const server = logs();
    server.write('memory', 'stdout', 'out 1');
    server.write('memory', 'stderr', 'err 1');
    server.write('memory', 'stdout', 'out 2');
    const seen: string[] = [];
    server.subscribe('memory', (line) => seen.push(line.text), { backfill: 5, type: 'stderr' });
    server.write('memory', 'stdout', 'out 3');
    server.write('memory', 'stderr', 'err 2');
    await vi.waitFor(() => expect(seen).toEqual(['err 1', 'err 2']));
  });

  it('reports a throwing subscriber instead of failing the writer', () => {
    const errors: ServerLogsError[] = [];
    const server = logs({ onError: (error) => errors.push(error) });
    server.subscribe('memory', () => {
      throw new Error('listener bug');
    });
    expect(() => server.write('memory', 'stdout', 'hello')).not.toThrow();
    expect(errors.map((error) => error.code)).toEqual(['LISTENER_FAILED']);
  });
});

describe('server names', () => {
  const bad = ['', '.', '..', '../escape', 'a/b', 'a\\b', 'a..b', '/abs', 'sp ace', 'nul\0'];

  it('rejects every name that could leave the log directory', async () => {
    const server = logs();
    for (const name of bad) {
      expect(isValidServerName(name)).toBe(false);
      expect(() => server.write(name, 'stdout', 'x')).toThrow(SwitchyardError);
      expect(() => server.subscribe(name, () => {})).toThrow(SwitchyardError);
      await expect(server.tail(name)).rejects.toMatchObject({ code: 'invalid_params' });
    }
    await server.close();
    expect(readdirSync(root)).toEqual([]);
  });

  it('accepts letters, digits, dots, dashes and underscores', () => {
    for (const name of ['memory', 'git-2', 'my_server.v1', 'A.b-C_d']) {
      expect(isValidServerName(name)).toBe(true);
    }
  });
});
