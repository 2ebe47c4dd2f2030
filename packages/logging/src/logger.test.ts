import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, redactingLogger } from './logger.js';
import { createSecretSet } from './secret-set.js';

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

  it('redacts a secret in a field even where JSON would escape it', async () => {
    const out = capture();
    const secret = 'quote"back\\slash';
    const logger = createLogger({ stream: out.stream, secrets: [secret] });
    logger.info('x', { nested: [{ value: secret }] });
    await logger.flush();
    expect(JSON.parse(out.text())).toMatchObject({ nested: [{ value: '[redacted]' }] });
  });

  it('keeps ordinary words of the line when a secret is a different word', async () => {
    const out = capture();
    const logger = createLogger({ stream: out.stream, secrets: ['runner-token-1'] });
    logger.info('backend running', { token: 'runner-token-1', level2: 'info' });
    await logger.flush();
    expect(JSON.parse(out.text())).toEqual(
      expect.objectContaining({
        level: 'info',
        message: 'backend running',
        token: '[redacted]',
        level2: 'info',
      }),
    );
  });

  it('redacts with the secrets in force when each line is written', async () => {
    const out = capture();
    const secrets = createSecretSet(['first-secret']);
    const logger = createLogger({ stream: out.stream, secrets }).child({ server: 'a' });
    logger.info('first-secret second-secret');
    secrets.replace(['second-secret']);
    logger.info('first-secret second-secret');
    await logger.flush();
    const lines = out
      .text()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).message);
    expect(lines).toEqual(['[redacted] second-secret', 'first-secret [redacted]']);
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

describe('redactingLogger', () => {
  it('redacts what it hands to a logger it did not create, with the secrets of the moment', async () => {
    const out = capture();
    const secrets = createSecretSet();
    const logger = redactingLogger(createLogger({ stream: out.stream }), secrets);
    secrets.replace(['late-secret-1']);
    logger.child({ server: 'a' }).warn('saw late-secret-1', { line: 'late-secret-1!' });
    await logger.flush();
    expect(JSON.parse(out.text())).toMatchObject({
      message: 'saw [redacted]',
      line: '[redacted]!',
      server: 'a',
    });
  });
});
