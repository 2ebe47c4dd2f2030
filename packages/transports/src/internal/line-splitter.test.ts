import { describe, expect, it } from 'vitest';
import { LineSplitter } from './line-splitter.js';

function split(maxBytes: number, chunks: string[]) {
  const lines: string[] = [];
  const oversized: number[] = [];
  const splitter = new LineSplitter(
    maxBytes,
    (l) => lines.push(l),
    (n) => oversized.push(n),
  );
  for (const chunk of chunks) splitter.push(Buffer.from(chunk));
  return { lines, oversized };
}

describe('LineSplitter', () => {
  it('joins frames split across chunks and skips blank lines', () => {
    expect(split(100, ['{"a"', ':1}\n\n{"b":2}\r\n', '{"c"']).lines).toEqual([
      '{"a":1}',
      '{"b":2}',
    ]);
  });

  it('drops an oversized frame without buffering it and keeps the next one', () => {
    const { lines, oversized } = split(10, ['0123456789', 'abcdef', 'ghij\nok\n']);
    expect(lines).toEqual(['ok']);
    expect(oversized).toEqual([16]);
  });

  it('reports a frame once it passes the limit, before its end (a flood without newlines)', () => {
    const { lines, oversized } = split(10, ['0123456789', 'abcdef', 'x'.repeat(100)]);
    expect(lines).toEqual([]);
    expect(oversized).toEqual([16]);
  });

  it('reports an oversized frame that arrives whole in one chunk', () => {
    expect(split(10, ['0123456789abc\nok\n'])).toEqual({ lines: ['ok'], oversized: [13] });
  });

  it('keeps multi-byte characters split across chunks intact', () => {
    const bytes = Buffer.from('"é"\n');
    const lines: string[] = [];
    const splitter = new LineSplitter(
      100,
      (l) => lines.push(l),
      () => {},
    );
    splitter.push(bytes.subarray(0, 2));
    splitter.push(bytes.subarray(2));
    expect(lines).toEqual(['"é"']);
  });
});
