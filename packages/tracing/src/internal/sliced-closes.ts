import type { TraceWrite } from '../store.js';
import type { WeightFactors } from '../types.js';
import { compositeOf, ownComposite, ownFactors, type WeightInput, weightOf } from '../weights.js';
import type { UnitFacts } from './response-units.js';
import type { WriteQueue } from './write-queue.js';

/** Units handled per turn while a large response that nobody waits on is closed. */
export const CLOSE_SLICE_UNITS = 500;

/** A closed response to weigh: its units, when it closed, and how to queue its closed row. */
export interface SlicedClose {
  responseId: string;
  entries: ReadonlyArray<{ unitId: string; retrieval: number }>;
  closedAt: number;
  /** This response's own facts of a unit (those the store does not hold yet). */
  factsOf(unitId: string): UnitFacts | undefined;
  /** What a unit's weight is made of, from its facts (`closedAt` when its first sighting is unknown). */
  inputOf(entry: { retrieval: number }, unit: UnitFacts | undefined, now: number): WeightInput;
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
  /** Per unit, the part of its composite its own factors make, and its length. */
  own: Float64Array;
  lengths: Float64Array;
  /** Units whose facts are read so far. */
  read: number;
  /** Once all are read: the largest length and the composites' total. */
  sums?: { maxLength: number; total: number };
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
    const n = close.entries.length;
    this.pending.push({
      close,
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
    const n = p.close.entries.length;
    if (p.read < n) {
      this.readSlice(p);
      return false;
    }
    p.sums ??= this.sums(p);
    this.weighSlice(p, p.sums);
    return p.weighed >= n;
  }

  private readSlice(p: Progress): void {
    const { factors, queue } = this.options;
    const { close } = p;
    // A capture's facts (type, size) are worked out in its deferred work: that runs first.
    queue.drainHeld();
    const end = Math.min(p.read + CLOSE_SLICE_UNITS, close.entries.length);
    const slice = close.entries.slice(p.read, end);
    const stored = this.options.stored(slice.map((e) => e.unitId));
    slice.forEach((e, k) => {
      const unit = stored.get(e.unitId) ?? close.factsOf(e.unitId);
      const input = close.inputOf(e, unit, close.closedAt);
      p.own[p.read + k] = ownComposite(ownFactors(input, close.closedAt), factors);
      p.lengths[p.read + k] = input.length;
    });
    p.read = end;
  }

  /** The largest length, and the total of the composites summed in order as computeWeights does. */
  private sums(p: Progress): { maxLength: number; total: number } {
    const { factors } = this.options;
    let maxLength = 0;
    for (const length of p.lengths) maxLength = Math.max(maxLength, length, 0);
    let total = 0;
    for (let i = 0; i < p.own.length; i++) {
      total += compositeOf(p.own[i] as number, p.lengths[i] as number, maxLength, factors);
    }
    return { maxLength, total };
  }

  private weighSlice(p: Progress, sums: { maxLength: number; total: number }): void {
    const { factors, queue } = this.options;
    const { close } = p;
    const n = close.entries.length;
    const start = p.weighed;
    const end = Math.min(start + CLOSE_SLICE_UNITS, n);
    const entries = close.entries.slice(start, end).map((e, k) => {
      const i = start + k;
      const composite = compositeOf(
        p.own[i] as number,
        p.lengths[i] as number,
        sums.maxLength,
        factors,
      );
      return {
        unitId: e.unitId,
        retrieval: e.retrieval,
        weight: weightOf(composite, sums.total, n),
      };
    });
    if (start === 0) close.queueRow(n);
    const write: TraceWrite = { type: 'lineage', responseId: close.responseId, entries };
    if (start > 0) write.append = true;
    queue.push(write);
    p.weighed = end;
  }
}
