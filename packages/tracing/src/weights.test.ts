import { describe, expect, it } from 'vitest';
import { checkWeights, computeWeights, DEFAULT_WEIGHTS } from './weights.js';

const HOUR = 3_600_000;

describe('computeWeights', () => {
  it("reproduces the seed's worked example: 0.4147, 0.3240, 0.2613", () => {
    const now = 1_000_000_000;
    const rows = computeWeights(
      [
        { type: 'System', retrieval: 0.9, createdAt: now, length: 100 },
        { type: 'User', retrieval: 0.7, createdAt: now, length: 50 },
        { type: 'External', retrieval: 0.5, createdAt: now, length: 25 },
      ],
      now,
    );
    expect(rows.map((r) => r.composite)).toEqual([
      expect.closeTo(0.96, 12),
      expect.closeTo(0.75, 12),
      expect.closeTo(0.605, 12),
    ]);
    expect(rows.map((r) => Number(r.weight.toFixed(4)))).toEqual([0.4147, 0.324, 0.2613]);
    expect(rows.reduce((s, r) => s + r.weight, 0)).toBeCloseTo(1, 12);
  });

  it('decays recency as exp(-whole hours / 168), ignoring the part of an hour', () => {
    const now = 500 * HOUR;
    const [day, week, almostHour] = computeWeights(
      [
        { type: 'External', retrieval: 1, createdAt: now - 24 * HOUR, length: 1 },
        { type: 'External', retrieval: 1, createdAt: now - 168 * HOUR, length: 1 },
        { type: 'External', retrieval: 1, createdAt: now - HOUR + 1, length: 1 },
      ],
      now,
    );
    expect(day?.recency).toBeCloseTo(Math.exp(-24 / 168), 12);
    expect(week?.recency).toBeCloseTo(Math.exp(-1), 12);
    expect(almostHour?.recency).toBe(1);
  });

  it('gives every unit a length factor of 0.5 when all lengths are 0', () => {
    const rows = computeWeights(
      [
        { type: 'User', retrieval: 0.5, createdAt: 0, length: 0 },
        { type: 'User', retrieval: 0.5, createdAt: 0, length: 0 },
      ],
      0,
    );
    expect(rows.map((r) => r.length)).toEqual([0.5, 0.5]);
    expect(rows.map((r) => r.weight)).toEqual([0.5, 0.5]);
  });

  it('clamps retrieval to [0, 1] and uses custom factor weights', () => {
    const [only] = computeWeights([{ type: 'System', retrieval: 7, createdAt: 0, length: 3 }], 0, {
      retrieval: 1,
      recency: 0,
      type: 0,
      length: 0,
    });
    expect(only?.retrieval).toBe(1);
    expect(only?.composite).toBe(1);
    expect(only?.weight).toBe(1);
  });

  it('splits equally when every composite is 0', () => {
    const rows = computeWeights(
      [
        { type: 'External', retrieval: 0, createdAt: 0, length: 0 },
        { type: 'External', retrieval: 0, createdAt: 0, length: 0 },
      ],
      0,
      { retrieval: 1, recency: 0, type: 0, length: 0 },
    );
    expect(rows.map((r) => r.weight)).toEqual([0.5, 0.5]);
  });
});

describe('checkWeights', () => {
  it('accepts the defaults and sums within 0.01 of 1', () => {
    expect(checkWeights(DEFAULT_WEIGHTS)).toEqual(DEFAULT_WEIGHTS);
    expect(() =>
      checkWeights({ retrieval: 0.405, recency: 0.3, type: 0.2, length: 0.1 }),
    ).not.toThrow();
  });

  it('rejects a sum outside 1 ± 0.01 with a RangeError naming the sum', () => {
    expect(() => checkWeights({ retrieval: 0.5, recency: 0.3, type: 0.2, length: 0.1 })).toThrow(
      /sum to 1 ± 0\.01, got 1\.1/,
    );
    expect(() => checkWeights({ retrieval: 0.5, recency: 0.3, type: 0.2, length: 0.1 })).toThrow(
      RangeError,
    );
  });

  it('rejects negative or non-finite factors', () => {
    expect(() => checkWeights({ retrieval: 1.2, recency: -0.2, type: 0, length: 0 })).toThrow(
      RangeError,
    );
    expect(() => checkWeights({ retrieval: Number.NaN, recency: 1, type: 0, length: 0 })).toThrow(
      RangeError,
    );
  });
});
