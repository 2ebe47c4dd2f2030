import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, createRedactor } from './logger.js';

function capture() {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  return { stream, text: () => chunks.join('') };
}

describe('createLogger', () => {
  it('writes one JSON object per line with level, message and fields', async () => {
    const out = capture();
    const logger = createLogger({ stream: out.stream, level: 'info' });
    logger.child({ server: 'memory' }).info('started', { pid: 42 });
    logger.debug('hidden');
    await logger.flush();
    const lines = out
      .text()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'info',
      message: 'started',
      server: 'memory',
      pid: 42,
    });
  });

  it('redacts secrets in messages and fields alike', async () => {
    const out = capture();
    const logger = createLogger({ stream: out.stream, secrets: ['hunter2-canary'] });
    logger.warn('token hunter2-canary leaked', { env: { TOKEN: 'hunter2-canary' } });
    await logger.flush();
    expect(out.text()).not.toContain('hunter2-canary');
    expect(out.text()).toContain('[redacted]');
  });

  it('never defaults to stdout', async () => {
    const written: string[] = [];
    const original = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    const errOut = capture();
    try {
      const logger = createLogger({ stream: errOut.stream });
      logger.error('to stderr only');
      await logger.flush();
    } finally {
      process.stdout.write = original;
    }
    expect(written.join('')).not.toContain('to stderr only');
  });
});

describe('createRedactor', () => {
  it('redacts overlapping secrets fully, longest first', () => {
    const redact = createRedactor(['abcd', 'abcdefgh']);
    expect(redact('x abcdefgh y abcd')).toBe('x [redacted] y [redacted]');
  });

  it('ignores very short values, which would redact ordinary text', () => {
    expect(createRedactor(['1', ''])('port 1')).toBe('port 1');
  });
});
