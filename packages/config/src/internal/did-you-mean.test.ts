import { describe, expect, it } from 'vitest';
import { closestMatch, editDistance, unknownKeyMessage } from './did-you-mean.js';

describe('did you mean', () => {
  it('counts edits, with a swap of neighbours as one', () => {
    expect(editDistance('comand', 'command')).toBe(1);
    expect(editDistance('prot', 'port')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests the closest key, ignoring case, only when it is a plausible typo', () => {
    const keys = ['command', 'args', 'env', 'restartOnFailure', 'webUI'];
    expect(closestMatch('comand', keys)).toBe('command');
    expect(closestMatch('arg', keys)).toBe('args');
    expect(closestMatch('webui', keys)).toBe('webUI');
    expect(closestMatch('restartOnFail', keys)).toBe('restartOnFailure');
    expect(closestMatch('timeout', keys)).toBeUndefined();
  });

  it('lists the allowed keys when nothing is close', () => {
    expect(unknownKeyMessage('zzz', ['a', 'b'])).toBe('unknown key `zzz` (allowed: `a`, `b`)');
    expect(unknownKeyMessage('bb', ['a', 'b'])).toBe('unknown key `bb`; did you mean `b`?');
  });
});
