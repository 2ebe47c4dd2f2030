import type { TraceWrite } from '../store.js';
import type { WeightFactors } from '../types.js';
import { compositeOf, lengthFactor, normalised, ownComposite, ownFactors } from '../weights.js';
import { type ResponseUnits, type UnitFacts, weightInput } from './response-units.js';
import type { WriteQueue } from './write-queue.js';

/** Units handled per turn while a large response that nobody waits on is closed. */
export const CLOSE_SLICE_UNITS = 500;

/** A closed response to weigh: its units, when it closed, and how to queue its closed row. */
export interface SlicedClose {
  responseId: string;
  /** Its units, and their facts as its captures told them (for those the store lacks). */
  units: ResponseUnits;
  closedAt: number;
  /** Queues the closed row (once, before the first part of the lineage). */
  queueRow(unitCount: number): void;
}

export interface SlicedClosesOptions {
  factors: WeightFactors;
  queue: WriteQueue;
  stored(unitIds: readonly string[]): Map<string, UnitFacts>;
  defer(run: () => void): void;
}

interface Progress {
  close: SlicedClose;
  entries: Array<{ unitId: string; retrieval: number }>;
  /** Per unit, the part of its composite its own factors make, and its length. */
  own: Float64Array;
  lengths: Float64Array;
  /** Units whose facts are read so far. */
  read: number;
  /** Once all are read: each unit's weight. */
  weights?: Float64Array;
  /** Units whose weights are queued so far. */
  weighed: number;
}

/**
 * Closes responses of many units a slice per turn, where nobody waits for their weights (the
 * unit limit, the idle gap): reading the stored facts of 10,000 units, weighing them and queueing
 * their lineage took the event loop 80 to 105 ms in one go (docs/performance.md, "Tracing cost").
 * First the facts are read and each unit's own part of its composite worked out, a slice per turn,
 * as of the close; then, the largest length and the total known, the weights are queued a slice
 * per turn as parts of the lineage, the closed row before the first. The weights are those
 * `computeWeights` gives. {@link settle} finishes everything at once: a read or a batch sent must
 * see whole lineages.
 */
export class SlicedCloses {
  private readonly pending: Progress[] = [];

  constructor(private readonly options: SlicedClosesOptions) {}

  add(close: SlicedClose): void {
    const entries = close.units.entries();
    const n = entries.length;
    this.pending.push({
      close,
      entries,
      own: new Float64Array(n),
      lengths: new Float64Array(n),
      read: 0,
      weighed: 0,
    });
    if (this.pending.length === 1) this.options.defer(this.step);
  }

  /** Finishes every close now. */
  settle(): void {
    for (let p = this.pending.shift(); p; p = this.pending.shift()) while (!this.advance(p));
  }

  /** One slice of the first close; the next on a later turn. */
  private readonly step = () => {
    const p = this.pending[0];
    if (!p) return;
    if (this.advance(p)) this.pending.shift();
    if (this.pending.length > 0) this.options.defer(this.step);
  };

  /** Does one slice of work; true when the close is complete. */
  private advance(p: Progress): boolean {
    const n = p.entries.length;
    if (p.read < n) {
      this.readSlice(p);
      return false;
    }
    p.weights ??= this.weights(p);
    this.weighSlice(p, p.weights);
    return p.weighed >= n;
  }

  private readSlice(p: Progress): void {
    const { factors, queue } = this.options;
    const { close } = p;
    // A capture's facts (type, size) are worked out in its deferred work: that runs first.
    queue.drainHeld();
    const end = Math.min(p.read + CLOSE_SLICE_UNITS, p.entries.length);
    const slice = p.entries.slice(p.read, end);
    const stored = this.options.stored(slice.map((e) => e.unitId));
    slice.forEach((e, k) => {
      const unit = stored.get(e.unitId) ?? close.units.facts(e.unitId);
      const input = weightInput(e, unit, close.closedAt);
      p.own[p.read + k] = ownComposite(ownFactors(input, close.closedAt), factors);
      p.lengths[p.read + k] = input.length;
    });
    p.read = end;
  }

  /** The weights, from the composites once the largest length is known (as computeWeights). */
  private weights(p: Progress): Float64Array {
    const { factors } = this.options;
    let maxLength = 0;
    for (const length of p.lengths) maxLength = Math.max(maxLength, length, 0);
    const composites = new Float64Array(p.own.length);
    for (let i = 0; i < p.own.length; i++) {
      const length = lengthFactor(p.lengths[i] as number, maxLength);
      composites[i] = compositeOf(p.own[i] as number, length, factors);
    }
    return normalised(composites);
  }

  private weighSlice(p: Progress, weights: Float64Array): void {
    const { queue } = this.options;
    const { close } = p;
    const n = p.entries.length;
    const start = p.weighed;
    const end = Math.min(start + CLOSE_SLICE_UNITS, n);
    const entries = p.entries.slice(start, end).map((e, k) => ({
      unitId: e.unitId,
      retrieval: e.retrieval,
      weight: weights[start + k] as number,
    }));
    if (start === 0) close.queueRow(n);
    const write: TraceWrite = { type: 'lineage', responseId: close.responseId, entries };
    if (start > 0) write.append = true;
    queue.push(write);
    p.weighed = end;
  }
}
