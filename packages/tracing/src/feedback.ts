/** A unit's feedback state: its score and the weight of the feedback behind it. */
export interface ScoreState {
  score: number;
  /** W: the sum of the response weights of every feedback the unit has taken in. */
  scoreWeight: number;
  feedbackCount: number;
}

/**
 * Takes one feedback score `s` ∈ [-1, 1] into a unit that had weight `w` in the rated response,
 * as a weighted running mean: score' = (score·W + s·w) / (W + w), W' = W + w. The new score is a
 * convex combination of the old score and `s`, so it stays in [-1, 1], and a unit that counted
 * little in the response (small w against its accumulated W) moves little. A weight of 0 changes
 * nothing.
 */
export function applyFeedback(state: ScoreState, s: number, w: number): ScoreState {
  if (!(w > 0)) return { ...state };
  const scoreWeight = state.scoreWeight + w;
  const raw = (state.score * state.scoreWeight + s * w) / scoreWeight;
  return {
    score: Math.min(1, Math.max(-1, raw)),
    scoreWeight,
    feedbackCount: state.feedbackCount + 1,
  };
}
