import type { Clock } from '@switchyard/protocol';
import type { ResponseSummary, WeightFactors } from '../types.js';
import { computeWeights } from '../weights.js';
import { timeOrderedUuid } from './ids.js';
import { ResponseUnits, type UnitFacts, weightInput } from './response-units.js';
import { CLOSE_SLICE_UNITS, SlicedCloses } from './sliced-closes.js';
import type { WriteQueue } from './write-queue.js';

/** How many trace ids and per-session latest responses are remembered for answer correlation. */
const MEMO_LIMIT = 10_000;

export type CloseReason = NonNullable<ResponseSummary['closeReason']>;

/** A unit of a response with its weight (and the retrieval score it was weighed with). */
export interface WeightedEntry {
  unitId: string;
  weight: number;
  retrieval: number;
}

/** A session's response that is still collecting captures. */
export interface OpenResponse {
  id: string;
  sessionId: string;
  principal: string | null;
  openedAt: number;
  lastAt: number;
  /** The units it collected, with their best retrieval scores and what weighing needs. */
  units: ResponseUnits;
  timer: unknown;
}

function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > MEMO_LIMIT) map.delete(map.keys().next().value as K);
}

export interface ResponseBookOptions {
  clock: Clock;
  idleGapMs: number;
  factors: WeightFactors;
  /** The stored facts of those of these units that the store holds (reads what is committed). */
  stored(unitIds: readonly string[]): Map<string, UnitFacts>;
  queue: WriteQueue;
  /**
   * Runs `run` on a later turn (the proxy: `setImmediate`). Without it, every close is weighed at
   * once.
   */
  defer?: (run: () => void) => void;
}

/**
 * The open response of each session (one at a time) and how responses close: explicitly, on
 * feedback, on an answer, after the idle gap, or at shutdown. Closing weighs the units and queues
 * the closed row with its lineage.
 */
export class ResponseBook {
  private readonly bySession = new Map<string, OpenResponse>();
  private readonly byId = new Map<string, OpenResponse>();
  private readonly traces = new Map<string, string>();
  private readonly latest = new Map<string, string>();
  private readonly sliced: SlicedCloses | undefined;

  constructor(private readonly options: ResponseBookOptions) {
    const { defer, factors, queue, stored } = options;
    this.sliced = defer && new SlicedCloses({ defer, factors, queue, stored });
  }

  get size(): number {
    return this.bySession.size;
  }

  openOf(sessionId: string): OpenResponse | undefined {
    return this.bySession.get(sessionId);
  }

  byResponseId(id: string): OpenResponse | undefined {
    return this.byId.get(id);
  }

  /** The response last seen in this trace, while it is remembered. */
  ofTrace(traceId: string): string | undefined {
    return this.traces.get(traceId);
  }

  /** The session's open response, else the last one it closed, while remembered. */
  latestOf(sessionId: string): string | undefined {
    return this.bySession.get(sessionId)?.id ?? this.latest.get(sessionId);
  }

  /** The session's open response, opened (and queued) now if it has none. */
  openFor(sessionId: string, principal: string | null, now: number): OpenResponse {
    const current = this.bySession.get(sessionId);
    if (current) return current;
    const r: OpenResponse = {
      id: `resp_${timeOrderedUuid(now)}`,
      sessionId,
      principal,
      openedAt: now,
      lastAt: now,
      units: new ResponseUnits(),
      timer: undefined,
    };
    r.timer = this.options.clock.setTimeout(() => this.idle(r), this.options.idleGapMs);
    this.bySession.set(sessionId, r);
    this.byId.set(r.id, r);
    this.options.queue.push({ type: 'response', response: this.summaryOf(r) });
    return r;
  }

  /** A capture reached the response now: its idle gap starts again. */
  touch(r: OpenResponse, now: number): void {
    r.lastAt = now;
  }

  noteTrace(traceId: string, responseId: string): void {
    remember(this.traces, traceId, responseId);
  }

  summaryOf(r: OpenResponse): ResponseSummary {
    return {
      id: r.id,
      sessionId: r.sessionId,
      principal: r.principal,
      status: 'open',
      openedAt: r.openedAt,
      closedAt: null,
      closeReason: null,
      unitCount: r.units.size,
      agent: null,
      model: null,
    };
  }

  entriesOf(r: OpenResponse): Array<{ unitId: string; retrieval: number }> {
    return r.units.entries();
  }

  /**
   * The weights of these units as of now, in the given order. A unit's facts are the stored ones
   * where the store holds it (its first sighting may be long before this response), else what
   * this response's captures told: a unit the store does not hold yet was first seen in them.
   */
  weigh(
    entries: ReadonlyArray<{ unitId: string; retrieval: number }>,
    r?: OpenResponse,
  ): WeightedEntry[] {
    const { clock, factors, queue } = this.options;
    // A capture's facts (type, size) are worked out in its deferred work: that runs first.
    queue.drainHeld();
    const now = clock.now();
    const stored = this.options.stored(entries.map((e) => e.unitId));
    const weights = computeWeights(
      entries.map((e) => weightInput(e, stored.get(e.unitId) ?? r?.units.facts(e.unitId), now)),
      now,
      factors,
    );
    return entries.map((e, i) => ({
      unitId: e.unitId,
      retrieval: e.retrieval,
      weight: weights[i]?.weight ?? 0,
    }));
  }

  /**
   * Closes an open response: weighs its units (or `only`, when an answer named them) and queues
   * the closed row and its lineage.
   */
  finish(
    r: OpenResponse,
    reason: CloseReason,
    only?: ReadonlyArray<{ unitId: string; retrieval: number }>,
    answer?: { agent: string | null; model: string | null },
  ): WeightedEntry[] {
    this.detach(r);
    const closedAt = this.options.clock.now();
    const contexts = this.weigh(only ?? this.entriesOf(r), r);
    this.queueClosed(r, reason, contexts, closedAt, answer);
    return contexts;
  }

  /**
   * Closes a response whose weights nobody waits for (it reached the unit limit, or its idle gap).
   * One of more than {@link CLOSE_SLICE_UNITS} units stops collecting at once (the session's next
   * capture opens another) and is weighed over later turns, a slice of stored facts per turn:
   * reading those of 10,000 units took the event loop 60 to 120 ms in one go (docs/performance.md,
   * "Tracing cost"). A read or a batch sent takes what is left first ({@link settleClosing}).
   */
  closeUnattended(r: OpenResponse, reason: CloseReason): void {
    const { sliced } = this;
    if (!sliced || r.units.size <= CLOSE_SLICE_UNITS) {
      this.finish(r, reason);
      return;
    }
    this.detach(r);
    const closedAt = this.options.clock.now();
    sliced.add({
      responseId: r.id,
      units: r.units,
      closedAt,
      queueRow: (unitCount) => this.queueClosedRow(r, reason, unitCount, closedAt),
    });
  }

  /** Finishes every response still being closed in slices, now. */
  settleClosing(): void {
    this.sliced?.settle();
  }

  closeAll(reason: CloseReason): void {
    for (const r of [...this.bySession.values()]) this.finish(r, reason);
    this.settleClosing();
  }

  /** The response stops collecting: the session's next capture opens another. */
  private detach(r: OpenResponse): void {
    this.options.clock.clearTimeout(r.timer);
    this.bySession.delete(r.sessionId);
    this.byId.delete(r.id);
    remember(this.latest, r.sessionId, r.id);
  }

  private queueClosed(
    r: OpenResponse,
    reason: CloseReason,
    contexts: WeightedEntry[],
    closedAt: number,
    answer?: { agent: string | null; model: string | null },
  ): void {
    this.queueClosedRow(r, reason, contexts.length, closedAt, answer);
    this.options.queue.push({ type: 'lineage', responseId: r.id, entries: contexts });
  }

  private queueClosedRow(
    r: OpenResponse,
    reason: CloseReason,
    unitCount: number,
    closedAt: number,
    answer?: { agent: string | null; model: string | null },
  ): void {
    this.options.queue.push({
      type: 'response',
      response: {
        ...this.summaryOf(r),
        status: 'closed',
        closedAt,
        closeReason: reason,
        unitCount,
        agent: answer?.agent ?? null,
        model: answer?.model ?? null,
      },
    });
  }

  /** Closes after the idle gap since the last capture; a capture since then moves the timer. */
  private idle(r: OpenResponse): void {
    const { clock, idleGapMs } = this.options;
    const quiet = clock.now() - r.lastAt;
    if (quiet >= idleGapMs) this.closeUnattended(r, 'idle');
    else r.timer = clock.setTimeout(() => this.idle(r), idleGapMs - quiet);
  }
}
