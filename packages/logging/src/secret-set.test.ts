import { describe, expect, it } from 'vitest';
import { createSecretSet } from './secret-set.js';

describe('createSecretSet', () => {
  it('redacts overlapping secrets fully, longest first', () => {
    const secrets = createSecretSet(['abcd', 'abcdefgh']);
    expect(secrets.redact('x abcdefgh y abcd')).toBe('x [redacted] y [redacted]');
  });

  it('ignores very short values, which would redact ordinary text', () => {
    const secrets = createSecretSet(['1', '', 'abc']);
    expect(secrets.redact('port 1, abc')).toBe('port 1, abc');
    expect(secrets.size).toBe(0);
  });

  it('redacts whole tokens only, never a piece of a longer word', () => {
    const secrets = createSecretSet(['info', 'running']);
    expect(secrets.redact('level=info infos information running rerunning running2')).toBe(
      'level=[redacted] infos information [redacted] rerunning running2',
    );
  });

  it('redacts a token delimited by punctuation, quotes or line ends', () => {
    const secrets = createSecretSet(['tok-12345']);
    for (const text of [
      'tok-12345',
      'Bearer tok-12345',
      '{"token":"tok-12345"}',
      'API_TOKEN=tok-12345;',
      'url?key=tok-12345&x=1',
      '(tok-12345)',
    ]) {
      expect(secrets.redact(text)).not.toContain('tok-12345');
    }
    expect(secrets.redact('xtok-12345 tok-123456')).toBe('xtok-12345 tok-123456');
  });

  it('redacts object keys as well as values', () => {
    const secrets = createSecretSet(['tok-12345']);
    expect(secrets.redactValue({ tokens: { 'tok-12345': { owner: 'tok-12345' } } })).toEqual({
      tokens: { '[redacted]': { owner: '[redacted]' } },
    });
  });

  it('tells whether a text may hold a secret: anywhere, also as JSON writes it in a string', () => {
    const secrets = createSecretSet(['tok-12345', 'pa"ss\\wd']);
    expect(secrets.mayHold('xtok-123456')).toBe(true);
    expect(secrets.mayHold(JSON.stringify({ line: '\ntok-12345' }))).toBe(true);
    expect(secrets.mayHold(JSON.stringify({ password: 'pa"ss\\wd' }))).toBe(true);
    expect(secrets.mayHold('pa"ss\\wd')).toBe(true);
    expect(secrets.mayHold(JSON.stringify({ clean: 'tok-1234 pass' }))).toBe(false);
    expect(createSecretSet().mayHold('tok-12345')).toBe(false);
  });

  it('takes secrets with regular-expression characters literally', () => {
    const secrets = createSecretSet(['a.b*c+d?(e)[f]{g}|h^$\\/']);
    expect(secrets.redact('x a.b*c+d?(e)[f]{g}|h^$\\/ y')).toBe('x [redacted] y');
    expect(secrets.redact('x aXb*c+d?(e)[f]{g}|h^$\\/ y')).toContain('aXb');
  });

  it('bounds only the ends that are word characters', () => {
    const secrets = createSecretSet(['-----BEGIN KEY', 'k3y==']);
    expect(secrets.redact('a-----BEGIN KEY k3y===')).toBe('a[redacted] [redacted]=');
  });

  it('replaces its values as a whole', () => {
    const secrets = createSecretSet(['old-secret']);
    secrets.replace(['new-secret']);
    expect(secrets.redact('old-secret new-secret')).toBe('old-secret [redacted]');
    expect(secrets.size).toBe(1);
  });

  it('redacts strings deep in arrays and plain objects, and copes with cycles', () => {
    const secrets = createSecretSet(['deep-secret']);
    const cyclic: Record<string, unknown> = { a: 'deep-secret' };
    cyclic.self = cyclic;
    expect(
      secrets.redactValue({
        list: ['deep-secret', 3, null],
        cyclic,
        error: new Error('deep-secret'),
      }),
    ).toEqual({
      list: ['[redacted]', 3, null],
      cyclic: { a: '[redacted]', self: '[circular]' },
      error: 'Error: [redacted]',
    });
  });
});
