import type { UnitType, WeightFactors } from './types.js';

/** The seed's factor weights: 0.4 retrieval, 0.3 recency, 0.2 type, 0.1 length. */
export const DEFAULT_WEIGHTS: Readonly<WeightFactors> = Object.freeze({
  retrieval: 0.4,
  recency: 0.3,
  type: 0.2,
  length: 0.1,
});

/** How much each unit type counts for the type factor (the seed's table). */
export const TYPE_SCORES: Readonly<Record<UnitType, number>> = Object.freeze({
  System: 1,
  ModelState: 0.8,
  User: 0.6,
  External: 0.4,
});

/**
 * Retrieval scores of captures that bring none, by kind: a tool result answers the most specific
 * request, a resource read less so, a prompt is a template the host chose.
 */
export const DEFAULT_RETRIEVAL = Object.freeze({ tool: 0.8, resource: 0.7, prompt: 0.6 });

/** Recency decays as exp(-age_hours / 168): an e-folding time of one week. */
const RECENCY_HOURS = 168;
const HOUR_MS = 3_600_000;

/**
 * Checks factor weights: each finite and ≥ 0, their sum 1 ± 0.01.
 * @throws RangeError naming the sum
 */
export function checkWeights(factors: WeightFactors): WeightFactors {
  const values = [factors.retrieval, factors.recency, factors.type, factors.length];
  if (values.some((v) => typeof v !== 'number' || !Number.isFinite(v) || v < 0)) {
    throw new RangeError('Weight factors must be finite numbers ≥ 0');
  }
  const sum = values.reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 1) > 0.01) {
    throw new RangeError(`Weight factors must sum to 1 ± 0.01, got ${sum}`);
  }
  return { ...factors };
}

/** One unit of a response as the weighting sees it. */
export interface WeightInput {
  type: UnitType;
  /** Retrieval score; clamped to [0, 1], 0.5 when not a number. */
  retrieval: number;
  /** When this version of the content was first seen (epoch ms). */
  createdAt: number;
  /** Size of the unit (the tracer passes its token estimate); only ratios matter. */
  length: number;
}

/** The four factors and the composite of one unit, before normalisation. */
export interface WeightBreakdown {
  retrieval: number;
  recency: number;
  type: number;
  length: number;
  composite: number;
  weight: number;
}

/** The factors of one unit that do not depend on the other units of its response. */
export interface OwnFactors {
  retrieval: number;
  recency: number;
  type: number;
}

/** Retrieval, recency and type of one unit (see {@link computeWeights}). */
export function ownFactors(unit: WeightInput, now: number): OwnFactors {
  const retrieval = Number.isFinite(unit.retrieval)
    ? Math.min(1, Math.max(0, unit.retrieval))
    : 0.5;
  const ageHours = Math.max(0, Math.trunc((now - unit.createdAt) / HOUR_MS));
  return { retrieval, recency: Math.exp(-ageHours / RECENCY_HOURS), type: TYPE_SCORES[unit.type] };
}

/** The part of a unit's composite that its own factors make. */
export function ownComposite(own: OwnFactors, factors: WeightFactors): number {
  return (
    factors.retrieval * own.retrieval + factors.recency * own.recency + factors.type * own.type
  );
}

/** The length factor: the unit's length over the largest in its response (0.5 when all are 0). */
export function lengthFactor(length: number, maxLength: number): number {
  return maxLength === 0 ? 0.5 : Math.max(0, length) / maxLength;
}

/** A unit's composite: the part its own factors make, plus its length factor's. */
export function compositeOf(own: number, length: number, factors: WeightFactors): number {
  return own + factors.length * length;
}

/** A composite normalised by the response's total; equal weights when every composite is 0. */
export function weightOf(composite: number, total: number, count: number): number {
  return total > 0 ? composite / total : 1 / count;
}

/** Composites normalised to sum to 1 (see {@link weightOf}). */
export function normalised(composites: ArrayLike<number>): Float64Array {
  let total = 0;
  for (let i = 0; i < composites.length; i++) total += composites[i] as number;
  const weights = new Float64Array(composites.length);
  for (let i = 0; i < composites.length; i++) {
    weights[i] = weightOf(composites[i] as number, total, composites.length);
  }
  return weights;
}

/**
 * The seed's weighting (composite = Σ factor weight × factor, then normalised to sum to 1 over the
 * response). recency = exp(-⌊age hours⌋ / 168); type from {@link TYPE_SCORES}; length = length /
 * the largest length in the response (0.5 each when all are 0). Equal weights when every composite
 * is 0.
 */
export function computeWeights(
  units: readonly WeightInput[],
  now: number,
  factors: WeightFactors = DEFAULT_WEIGHTS,
): WeightBreakdown[] {
  const maxLength = units.reduce((max, u) => Math.max(max, u.length, 0), 0);
  const rows = units.map((u) => {
    const own = ownFactors(u, now);
    const length = lengthFactor(u.length, maxLength);
    const composite = compositeOf(ownComposite(own, factors), length, factors);
    return { ...own, length, composite, weight: 0 };
  });
  const weights = normalised(rows.map((r) => r.composite));
  rows.forEach((row, i) => {
    row.weight = weights[i] as number;
  });
  return rows;
}
