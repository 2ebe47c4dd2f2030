import { describe, expect, it } from 'vitest';
import { builtJson, canonicalJson } from './canonical-json.js';

/** A small seeded generator (mulberry32), so a failure names the seed that made it. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = ['a', 'b', 'B', 'content', 'text', '2', '10', '_meta', 'é', 'z z', ''];
const STRINGS = ['', 'x', 'Echo: hi', 'quote " and \\ slash', 'line\nbreak', 'emoji 😀', '\ud800'];

/** A JSON-like value: sometimes with keys out of order, integer-like keys, or odd members. */
function value(next: () => number, depth: number): unknown {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  const kind = depth > 3 ? Math.floor(next() * 4) : Math.floor(next() * 7);
  switch (kind) {
    case 0:
      return pick(STRINGS);
    case 1:
      return pick([0, -0, 1.5, -7, 1e21, Number.NaN, Number.POSITIVE_INFINITY]);
    case 2:
      return pick([true, false, null]);
    case 3:
      return pick([undefined, 'plain']);
    case 4:
      return Array.from({ length: Math.floor(next() * 4) }, () => value(next, depth + 1));
    default: {
      const out: Record<string, unknown> = {};
      for (let i = Math.floor(next() * 5); i > 0; i--) out[pick(KEYS)] = value(next, depth + 1);
      return out;
    }
  }
}

describe('canonicalJson', () => {
  it('sorts keys at every level, whatever order they were built in', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}',
    );
    expect(canonicalJson({ b: 1, 10: 2, 2: 3 })).toBe('{"10":2,"2":3,"b":1}');
  });

  it('leaves out undefined members and writes non-finite numbers as null, as JSON does', () => {
    expect(
      canonicalJson({ a: undefined, b: Number.NaN, c: [undefined, Number.POSITIVE_INFINITY] }),
    ).toBe('{"b":null,"c":[null,null]}');
  });

  it('keeps array order, and writes null for a bare undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}',
    );
    expect(canonicalJson({ b: undefined, a: [undefined, 1] })).toBe('{"a":[null,1]}');
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('gives, for values already in order, the text of JSON.stringify', () => {
    const result = { content: [{ text: 'Echo: hi', type: 'text' }], isError: false };
    expect(canonicalJson(result)).toBe(JSON.stringify(result));
  });

  it('equals the member-by-member text for 5,000 generated values', () => {
    for (let seed = 1; seed <= 5_000; seed++) {
      const generated = value(random(seed), 0);
      expect(canonicalJson(generated), `seed ${seed}`).toBe(builtJson(generated));
    }
  });
});
