import { randomUUID } from 'node:crypto';
import { canonicalJson, sha256 } from './internal/canonical.js';
import { contentFacts } from './internal/content.js';
import { LruCache } from './internal/lru.js';
import { traceIdOf } from './internal/sqlite-rows.js';
import { createOutcomes } from './outcomes.js';
import { createQueries, type OpenContext } from './queries.js';
import { createTracingServer } from './server.js';
import type { TraceWrite, UnitIndexEntry } from './store.js';
import type {
  CaptureInput,
  CaptureResult,
  ResponseSummary,
  Tracer,
  TracerOptions,
  TracingStats,
} from './types.js';
import { checkWeights, computeWeights, DEFAULT_WEIGHTS } from './weights.js';

/** Default retrieval scores by capture kind: a tool result was asked for most specifically. */
export const DEFAULT_RETRIEVAL = { tool: 0.8, resource: 0.7, prompt: 0.6 } as const;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** How many trace ids and per-session latest responses are remembered for answer correlation. */
const MEMO_LIMIT = 10_000;

/** A session's response that is still collecting captures. */
export interface OpenResponse {
  id: string;
  sessionId: string;
  principal: string | null;
  openedAt: number;
  lastAt: number;
  /** Unit id → capture facts; a unit captured twice keeps its highest retrieval. */
  entries: Map<string, { retrieval: number; requestIds: string[] }>;
  timer: unknown;
}

interface SourceIndex {
  latest: UnitIndexEntry;
  byHash: Map<string, UnitIndexEntry>;
}

const remember = <K, V>(map: Map<K, V>, key: K, value: V): void => {
  map.delete(key);
  map.set(key, value);
  if (map.size > MEMO_LIMIT) map.delete(map.keys().next().value as K);
};

/** Top-level `_meta` is transport metadata (and where the proxy adds its ids), not content. */
const withoutMeta = (content: unknown): unknown => {
  if (typeof content !== 'object' || content === null || Array.isArray(content)) return content;
  if (!('_meta' in content)) return content;
  const { _meta: _, ...rest } = content as Record<string, unknown>;
  return rest;
};

/**
 * Creates the tracer: capture is hashing and bookkeeping in memory (the index of known units is
 * loaded from the store once, here), writes are queued and applied in batches on the clock, and
 * every read goes through an LRU cache in front of the store.
 */
export function createTracer(options: TracerOptions): Tracer {
  const { store, clock } = options;
  const factors = checkWeights(options.weights ?? DEFAULT_WEIGHTS);
  const idleGapMs = options.idleGapMs ?? 120_000;
  const flushIntervalMs = options.flushIntervalMs ?? 200;
  const flushBatch = options.flushBatch ?? 500;
  const redact = options.redact ?? ((value: unknown) => value);

  const sources = new Map<string, SourceIndex>();
  const known = new Map<string, UnitIndexEntry>();
  const open = new Map<string, OpenResponse>();
  const openById = new Map<string, OpenResponse>();
  const traces = new Map<string, string>();
  const latestOfSession = new Map<string, string>();
  const pending: TraceWrite[] = [];
  const counters = { flushed: 0, dropped: 0 };
  let lastError: TracingStats['lastError'] = null;
  let flushTimer: unknown;
  let closed = false;

  const index = (entry: UnitIndexEntry) => {
    known.set(entry.id, entry);
    const source = sources.get(entry.sourceKey);
    if (!source) {
      sources.set(entry.sourceKey, {
        latest: entry,
        byHash: new Map([[entry.contentHash, entry]]),
      });
      return;
    }
    source.byHash.set(entry.contentHash, entry);
    if (entry.version > source.latest.version) source.latest = entry;
  };
  const loadIndex = () => {
    sources.clear();
    known.clear();
    for (const entry of store.unitIndex()) index(entry);
  };

  const fail = (error: unknown, count: number) => {
    counters.dropped += count;
    lastError = {
      message: error instanceof Error ? error.message : String(error),
      at: clock.now(),
    };
  };

  const redactJson = (json: string): string => {
    if (!options.redact) return json;
    return JSON.stringify(redact(JSON.parse(json)) ?? null);
  };

  /** Applies the queued writes now; never throws (a failed batch is counted as dropped). */
  const flushNow = (): void => {
    if (flushTimer !== undefined) {
      clock.clearTimeout(flushTimer);
      flushTimer = undefined;
    }
    if (pending.length === 0) return;
    const batch = pending
      .splice(0)
      .map((w) => (w.type === 'message' ? { ...w, json: redactJson(w.json) } : w));
    try {
      const result = store.apply(batch);
      counters.flushed += result.applied;
      if (result.dropped > 0) fail(result.error ?? new Error('write dropped'), result.dropped);
    } catch (error) {
      fail(error, batch.length);
    }
    queries.invalidate(batch);
  };

  const enqueue = (write: TraceWrite): void => {
    if (closed) {
      fail(new Error('The tracer is closed'), 1);
      return;
    }
    pending.push(write);
    if (pending.length >= flushBatch) {
      // Full batch: flush on the next turn of the clock rather than on this request's path.
      if (flushTimer !== undefined) clock.clearTimeout(flushTimer);
      flushTimer = clock.setTimeout(flushNow, 0);
    } else if (flushTimer === undefined) {
      flushTimer = clock.setTimeout(flushNow, flushIntervalMs);
    }
  };

  const summaryOf = (r: OpenResponse): ResponseSummary => ({
    id: r.id,
    sessionId: r.sessionId,
    principal: r.principal,
    status: 'open',
    openedAt: r.openedAt,
    closedAt: null,
    closeReason: null,
    unitCount: r.entries.size,
    agent: null,
    model: null,
  });

  /** Weights of the given units (id, retrieval) as of now, in the given order. */
  const weigh = (entries: ReadonlyArray<{ unitId: string; retrieval: number }>): OpenContext[] => {
    const now = clock.now();
    const weights = computeWeights(
      entries.map((e) => {
        const unit = known.get(e.unitId);
        return {
          type: unit?.type ?? 'External',
          retrieval: e.retrieval,
          createdAt: unit?.firstSeen ?? now,
          length: unit?.tokens ?? 0,
        };
      }),
      now,
      factors,
    );
    return entries.map((e, i) => ({
      unitId: e.unitId,
      retrieval: e.retrieval,
      weight: weights[i]?.weight ?? 0,
    }));
  };

  const openEntries = (r: OpenResponse) =>
    [...r.entries].map(([unitId, e]) => ({ unitId, retrieval: e.retrieval }));

  /**
   * Closes an open response: weighs its units (or `only`, when an answer named them), queues the
   * closed row and its lineage. Returns the weighted contexts.
   */
  const finish = (
    r: OpenResponse,
    reason: NonNullable<ResponseSummary['closeReason']>,
    only?: ReadonlyArray<{ unitId: string; retrieval: number }>,
    answer?: { agent: string | null; model: string | null },
  ): OpenContext[] => {
    clock.clearTimeout(r.timer);
    open.delete(r.sessionId);
    openById.delete(r.id);
    remember(latestOfSession, r.sessionId, r.id);
    const contexts = weigh(only ?? openEntries(r));
    enqueue({
      type: 'response',
      response: {
        ...summaryOf(r),
        status: 'closed',
        closedAt: clock.now(),
        closeReason: reason,
        unitCount: contexts.length,
        agent: answer?.agent ?? null,
        model: answer?.model ?? null,
      },
    });
    enqueue({ type: 'lineage', responseId: r.id, entries: contexts });
    return contexts;
  };

  const idleCheck = (r: OpenResponse) => () => {
    const quiet = clock.now() - r.lastAt;
    if (quiet >= idleGapMs) finish(r, 'idle');
    else r.timer = clock.setTimeout(idleCheck(r), idleGapMs - quiet);
  };

  const responseFor = (sessionId: string, principal: string | null, now: number) => {
    const current = open.get(sessionId);
    if (current) return current;
    const r: OpenResponse = {
      id: `resp_${randomUUID()}`,
      sessionId,
      principal,
      openedAt: now,
      lastAt: now,
      entries: new Map(),
      timer: undefined,
    };
    r.timer = clock.setTimeout(idleCheck(r), idleGapMs);
    open.set(sessionId, r);
    openById.set(r.id, r);
    enqueue({ type: 'response', response: summaryOf(r) });
    return r;
  };

  /** The unit for this content from this source: the same one, or a new version of it. */
  const unitFor = (input: CaptureInput, content: unknown, now: number): UnitIndexEntry => {
    const args = input.arguments === undefined ? null : redact(input.arguments);
    const argumentsHash = sha256(canonicalJson(args));
    const canonical = canonicalJson(withoutMeta(content));
    const contentHash = sha256(canonical);
    const sourceKey = JSON.stringify([input.server, input.kind, input.name, argumentsHash]);
    const source = sources.get(sourceKey);
    const same = source?.byHash.get(contentHash);
    if (same) {
      enqueue({ type: 'seen', unitId: same.id, at: now });
      return same;
    }
    const facts = contentFacts(input.kind, input.name, content);
    const previous = source?.latest;
    const entry: UnitIndexEntry = {
      id: `ctx_${randomUUID()}`,
      sourceKey,
      contentHash,
      version: previous ? previous.version + 1 : 1,
      type: facts.type,
      kind: input.kind,
      tokens: facts.tokens,
      firstSeen: now,
    };
    index(entry);
    enqueue({
      type: 'unit',
      unit: {
        ...entry,
        server: input.server,
        name: input.name,
        argumentsHash,
        previousVersionId: previous?.id ?? null,
        sizeBytes: Buffer.byteLength(canonical),
        summary: facts.summary,
        lastSeen: now,
        seenCount: 1,
        score: 0,
        scoreWeight: 0,
        feedbackCount: 0,
      },
    });
    return entry;
  };

  const capture = (input: CaptureInput): CaptureResult => {
    const now = clock.now();
    const content = redact(input.content);
    const unit = unitFor(input, content, now);
    const r = responseFor(input.sessionId, input.principal ?? null, now);
    r.lastAt = now;
    const retrieval = input.retrieval ?? DEFAULT_RETRIEVAL[input.kind];
    const requestId = input.requestId === undefined ? null : input.requestId;
    const entry = r.entries.get(unit.id);
    if (entry) entry.retrieval = Math.max(entry.retrieval, retrieval);
    else r.entries.set(unit.id, { retrieval, requestIds: [] });
    if (requestId !== null) r.entries.get(unit.id)?.requestIds.push(JSON.stringify(requestId));
    const traceId = traceIdOf(input.traceparent);
    if (traceId) remember(traces, traceId, r.id);
    enqueue({
      type: 'capture',
      capture: {
        sessionId: input.sessionId,
        at: now,
        requestId,
        toolCallId: input.toolCallId ?? null,
        traceparent: input.traceparent ?? null,
        server: input.server,
        kind: input.kind,
        name: input.name,
        unitId: unit.id,
        responseId: r.id,
      },
    });
    return { responseId: r.id, unitId: unit.id, version: unit.version };
  };

  const cache = new LruCache<unknown>(options.cacheSize ?? 1000);
  const queries = createQueries({
    store,
    cache,
    sync: flushNow,
    openResponse: (id) => {
      const r = openById.get(id);
      return r ? { summary: summaryOf(r), contexts: weigh(openEntries(r)) } : undefined;
    },
  });

  const outcomes = createOutcomes({
    store,
    clock,
    known,
    open,
    openById,
    traces,
    latestOfSession,
    finish,
    weigh,
    enqueue,
    flushNow,
    defaultRetrieval: (unitId) => DEFAULT_RETRIEVAL[known.get(unitId)?.kind ?? 'tool'],
  });

  const retain = () => {
    if (!options.retention) return;
    flushNow();
    const { maxAgeDays, maxSizeBytes } = options.retention;
    const before = clock.now() - maxAgeDays * DAY_MS;
    try {
      const removed = store.retain(
        maxSizeBytes === undefined ? { before } : { before, maxSizeBytes },
      );
      if (removed.units > 0) loadIndex();
    } catch (error) {
      lastError = {
        message: error instanceof Error ? error.message : String(error),
        at: clock.now(),
      };
    }
  };

  loadIndex();
  retain();
  const retentionTimer = options.retention ? clock.setInterval(retain, HOUR_MS) : undefined;

  const stats = (): TracingStats => ({
    queued: pending.length,
    flushed: counters.flushed,
    dropped: counters.dropped,
    lastError,
    openResponses: open.size,
    knownUnits: known.size,
    cache: cache.stats(),
  });

  return {
    capture,
    recordMessage(sessionId, hop, direction, message, server) {
      let json: string | undefined;
      try {
        json = JSON.stringify(message);
      } catch (error) {
        fail(error, 1);
        return;
      }
      enqueue({
        type: 'message',
        sessionId,
        at: clock.now(),
        hop,
        direction,
        server: server ?? null,
        json: json ?? 'null',
      });
    },
    closeResponse(sessionId) {
      const r = open.get(sessionId);
      if (!r) return undefined;
      finish(r, 'explicit');
      return r.id;
    },
    recordAnswer: outcomes.recordAnswer,
    submitFeedback: outcomes.submitFeedback,
    queries,
    server: createTracingServer({ ...outcomes, queries, stats, now: () => clock.now() }),
    stats,
    flush: async () => flushNow(),
    async close() {
      if (closed) return;
      for (const r of [...open.values()]) finish(r, 'shutdown');
      flushNow();
      closed = true;
      if (retentionTimer !== undefined) clock.clearInterval(retentionTimer);
      store.close();
    },
  };
}
