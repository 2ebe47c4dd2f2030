import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './cursor.js';

function forge(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('encodeCursor and decodeCursor', () => {
  it('round-trip the cursors of several backends', () => {
    const state = { alpha: 'page-2', my_server: 'eyJvZmZzZXQiOjEwfQ==', 'a-b': '' };
    const cursor = encodeCursor(state);
    expect(typeof cursor).toBe('string');
    expect(decodeCursor(cursor)).toEqual(state);
  });

  it('produce an opaque token that does not show backend cursors in clear text', () => {
    const cursor = encodeCursor({ alpha: 'secret-offset-42' });
    expect(cursor).not.toContain('secret-offset-42');
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('encode no cursor once every backend is exhausted', () => {
    expect(encodeCursor({})).toBeUndefined();
  });
});

describe('decodeCursor', () => {
  it('rejects values that are not non-empty strings', () => {
    for (const value of [undefined, null, 42, {}, ['x'], '']) {
      expect(decodeCursor(value)).toBeUndefined();
    }
  });

  it('rejects garbage', () => {
    expect(decodeCursor('not a cursor')).toBeUndefined();
    expect(decodeCursor('%%%%')).toBeUndefined();
    expect(decodeCursor(Buffer.from('plain text').toString('base64url'))).toBeUndefined();
  });

  it('rejects a cursor that was tampered with', () => {
    const cursor = encodeCursor({ alpha: 'page-2' })!;
    expect(decodeCursor(cursor.slice(0, -4))).toBeUndefined();
    expect(decodeCursor(`x${cursor}`)).toBeUndefined();
  });

  it('rejects JSON that is not the proxy cursor shape', () => {
    expect(decodeCursor(forge({ b: { alpha: 'x' } }))).toBeUndefined();
    expect(decodeCursor(forge({ v: 2, b: { alpha: 'x' } }))).toBeUndefined();
    expect(decodeCursor(forge({ v: 1 }))).toBeUndefined();
    expect(decodeCursor(forge({ v: 1, b: null }))).toBeUndefined();
    expect(decodeCursor(forge({ v: 1, b: ['x'] }))).toBeUndefined();
    expect(decodeCursor(forge({ v: 1, b: { alpha: 2 } }))).toBeUndefined();
    expect(decodeCursor(forge({ v: 1, b: { alpha: 'x', beta: null } }))).toBeUndefined();
    expect(decodeCursor(forge([1, { alpha: 'x' }]))).toBeUndefined();
    expect(decodeCursor(forge('v1'))).toBeUndefined();
  });

  it('rejects a cursor that names no backend', () => {
    expect(decodeCursor(forge({ v: 1, b: {} }))).toBeUndefined();
  });

  it('does not accept the cursor JSON unencoded', () => {
    expect(decodeCursor(JSON.stringify({ v: 1, b: { alpha: 'x' } }))).toBeUndefined();
  });
});
