import { describe, expect, it } from 'vitest';
import { applyFeedback } from './feedback.js';

const fresh = { score: 0, scoreWeight: 0, feedbackCount: 0 };

describe('applyFeedback: score′ = (score·W + s·w) / (W + w), W′ = W + w', () => {
  it('takes the first feedback as the score, whatever its weight', () => {
    expect(applyFeedback(fresh, 0.8, 0.25)).toEqual({
      score: 0.8,
      scoreWeight: 0.25,
      feedbackCount: 1,
    });
  });

  it('moves a unit little when its share of the rated response is small', () => {
    const state = { score: 0.8, scoreWeight: 0.9, feedbackCount: 1 };
    const next = applyFeedback(state, -1, 0.1);
    // (0.8·0.9 − 1·0.1) / (0.9 + 0.1) = 0.62
    expect(next.score).toBeCloseTo(0.62, 12);
    expect(next.scoreWeight).toBeCloseTo(1, 12);
    expect(next.feedbackCount).toBe(2);
  });

  it('gives the README example: 1 with W 0.4147, then −1 at weight 0.2 → 0.3493', () => {
    const next = applyFeedback({ score: 1, scoreWeight: 0.4147, feedbackCount: 1 }, -1, 0.2);
    expect(next.score).toBeCloseTo((0.4147 - 0.2) / 0.6147, 12);
    expect(next.score.toFixed(4)).toBe('0.3493');
  });

  it('is a plain running mean when every weight is 1', () => {
    let state = fresh;
    for (const s of [1, 0, -0.5]) state = applyFeedback(state, s, 1);
    expect(state.score).toBeCloseTo(1 / 6, 12);
    expect(state.feedbackCount).toBe(3);
  });

  it('does not pull weighted scores toward 0 as the seed did', () => {
    let state = fresh;
    for (let i = 0; i < 5; i++) state = applyFeedback(state, 1, 0.3);
    expect(state.score).toBeCloseTo(1, 12);
  });

  it('stays within [-1, 1] and ignores a zero weight', () => {
    let state = fresh;
    for (const [s, w] of [
      [1, 0.9],
      [-1, 0.01],
      [1, 0.5],
      [-1, 1],
    ] as const) {
      state = applyFeedback(state, s, w);
      expect(Math.abs(state.score)).toBeLessThanOrEqual(1);
    }
    expect(applyFeedback(state, 1, 0)).toEqual(state);
  });
});
