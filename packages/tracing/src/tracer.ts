import type { Clock } from '@switchyard/protocol';
import { cleaner } from './internal/clean.js';
import { LruCache } from './internal/lru.js';
import { createMessageRecorder } from './internal/messages.js';
import { ResponseBook } from './internal/response-book.js';
import type { UnitFacts } from './internal/response-units.js';
import { traceIdOf } from './internal/sqlite-rows.js';
import { identifyUnit } from './internal/unit-ids.js';
import { WriteQueue } from './internal/write-queue.js';
import { recordAnswer, submitFeedback } from './outcomes.js';
import { createQueries } from './queries.js';
import { createTracingServer } from './server.js';
import type { TraceStore, TraceWrite } from './store.js';
import type { CaptureInput, CaptureResult, Tracer, TracingStats, WeightFactors } from './types.js';
import { checkWeights, DEFAULT_RETRIEVAL, DEFAULT_WEIGHTS } from './weights.js';

/** What `createTracer` takes. */
export interface TracerOptions {
  store: TraceStore;
  clock: Clock;
  /** A session's open response closes after this long without a capture; default 120 000. */
  idleGapMs?: number;
  /** Sum must be 1 ± 0.01, else `createTracer` throws a RangeError naming the sum. */
  weights?: WeightFactors;
  /** Applied to content, arguments and messages before hashing, summarising or storing. */
  redact?: (value: unknown) => unknown;
  /**
   * Whether a JSON text may hold a secret, so that `redact` needs to run on the value it was made
   * from; it must answer true wherever `redact` would change anything. Default: `redact` runs on
   * every value. The proxy passes its secret set's `mayHold` (docs/tracing.md, "The model").
   */
  secretIn?: (text: string) => boolean;
  /** Queued writes are flushed on this timer (default 200) or at `flushBatch` (default 5000). */
  flushIntervalMs?: number;
  flushBatch?: number;
  /** Applied at creation and then hourly. */
  retention?: { maxAgeDays: number; maxSizeBytes?: number };
  /** Entries of the read cache; default 1000. */
  cacheSize?: number;
  /**
   * Runs `run` soon, off the caller's path (the proxy: after the turn that answers the client);
   * a capture's writes are queued then. Its ids are computed at once either way. Default: the
   * writes are queued at once.
   */
  defer?: (run: () => void) => void;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * A response closes (reason `limit`) when it holds this many units, and the session's next capture
 * opens another: an answer is not made of more, and an open response keeps its units in memory.
 */
const MAX_RESPONSE_UNITS = 10_000;

/** How long a count of the stored units is reused by `stats()`. */
const UNIT_COUNT_MS = 10_000;

/**
 * The count of stored units, taken at most once per {@link UNIT_COUNT_MS}: counting reads a whole
 * index, and the stats that show it are polled (the dashboard).
 */
function unitCounter(store: TraceStore, clock: Clock): () => number {
  let counted: { at: number; units: number } | undefined;
  return () => {
    const now = clock.now();
    if (!counted || now - counted.at >= UNIT_COUNT_MS)
      counted = { at: now, units: store.unitCount() };
    return counted.units;
  };
}

/** The timeline row of a capture. */
function captureRow(
  input: CaptureInput,
  at: number,
  unitId: string,
  responseId: string,
): TraceWrite {
  const { sessionId, server, kind, name } = input;
  return {
    type: 'capture',
    capture: {
      sessionId,
      at,
      requestId: input.requestId ?? null,
      toolCallId: input.toolCallId ?? null,
      traceparent: input.traceparent ?? null,
      server,
      kind,
      name,
      unitId,
      responseId,
    },
  };
}

/** The stored facts of the units the store holds, by id (committed rows; no waiting). */
function storedFacts(store: TraceStore, ids: readonly string[]): Map<string, UnitFacts> {
  return new Map(
    store
      .units([...new Set(ids)])
      .map((u) => [u.id, { type: u.type, kind: u.kind, tokens: u.tokens, firstSeen: u.firstSeen }]),
  );
}

/**
 * Creates the tracer. Capture is hashing and bookkeeping of the open responses in memory (a unit's
 * id comes from its content, so nothing is held per unit); writes are queued and applied in
 * batches on the clock, where the store assigns versions; reads go through an LRU cache in front
 * of the store. See the package README for the model.
 */
export function createTracer(options: TracerOptions): Tracer {
  const { store, clock } = options;
  const factors = checkWeights(options.weights ?? DEFAULT_WEIGHTS);
  const clean = cleaner(options.redact, options.secretIn);
  const cache = new LruCache<unknown>(options.cacheSize ?? 1000);
  // A capture's writes wait for `options.defer` (the proxy: until the answer has gone out); any
  // other write, and every batch sent, takes them first, so their order and every read hold.
  const deferred: Array<() => void> = [];
  const runDeferred = () => {
    if (deferred.length === 0) return;
    for (const task of deferred.splice(0)) task();
  };
  const later = (task: () => void) => {
    if (!options.defer) return task();
    deferred.push(task);
    if (deferred.length === 1) options.defer(runDeferred);
  };
  const queue: WriteQueue = new WriteQueue({
    drain: runDeferred,
    store,
    clock,
    intervalMs: options.flushIntervalMs ?? 200,
    batchSize: options.flushBatch ?? 5000,
    onQueued: (write) => queries.invalidate(write),
    onSent: () => queries.invalidateLists(),
    beforeSend: () => book.settleClosing(),
  });
  const book = new ResponseBook({
    clock,
    idleGapMs: options.idleGapMs ?? 120_000,
    factors,
    stored: (ids) => storedFacts(store, ids),
    queue,
    ...(options.defer ? { defer: options.defer } : {}),
  });
  const queries = createQueries({
    store,
    cache,
    sync: () => queue.flush(),
    openResponse: (id) => {
      const r = book.byResponseId(id);
      return r
        ? { summary: book.summaryOf(r), contexts: book.weigh(book.entriesOf(r), r) }
        : undefined;
    },
  });
  const outcomes = { store, clock, book, queue };

  const capture = (input: CaptureInput): CaptureResult => {
    const now = clock.now();
    const unit = identifyUnit(input, clean, now);
    const r = book.openFor(input.sessionId, input.principal ?? null, now);
    const requestId = input.requestId ?? null;
    const retrieval = input.retrieval ?? DEFAULT_RETRIEVAL[input.kind];
    const json = requestId === null ? null : JSON.stringify(requestId);
    book.touch(r, now);
    const slot = r.units.add(unit.id, input.kind, retrieval, json, now);
    // A session that never pauses would keep one response (and its units in memory) forever.
    const full = r.units.size >= MAX_RESPONSE_UNITS;
    const traceId = traceIdOf(input.traceparent);
    if (traceId) book.noteTrace(traceId, r.id);
    const responseId = r.id;
    later(() => {
      // What the content is (type, size, summary) is worked out here, off the request path.
      const write = unit.write();
      r.units.setFacts(slot, write.unit.type, write.unit.tokens);
      queue.push(write);
      queue.push(captureRow(input, now, unit.id, responseId));
    });
    if (full) book.closeUnattended(r, 'limit');
    return { responseId, unitId: unit.id };
  };

  /** Retention runs between batches: pending writes go first. */
  const retain = () => {
    if (!options.retention) return;
    queue.flush();
    const { maxAgeDays, maxSizeBytes } = options.retention;
    const before = clock.now() - maxAgeDays * DAY_MS;
    try {
      const removed = store.retain(
        maxSizeBytes === undefined ? { before } : { before, maxSizeBytes },
      );
      if (removed.responses + removed.units + removed.captures + removed.messages > 0) {
        cache.clear();
      }
    } catch (error) {
      queue.fail(error, 0);
    }
  };
  retain();
  const retentionTimer = options.retention ? clock.setInterval(retain, HOUR_MS) : undefined;

  const unitCount = unitCounter(store, clock);
  const stats = (): TracingStats => ({
    queued: queue.queued,
    flushed: queue.flushed,
    dropped: queue.dropped,
    lastError: queue.lastError,
    openResponses: book.size,
    knownUnits: unitCount(),
    cache: cache.stats(),
  });
  const answer = (input: Parameters<Tracer['recordAnswer']>[0]) => recordAnswer(outcomes, input);
  const feedback = (input: Parameters<Tracer['submitFeedback']>[0]) =>
    submitFeedback(outcomes, input);
  let closed = false;

  return {
    capture,
    ...createMessageRecorder(queue, clock, clean),
    closeResponse(sessionId) {
      const r = book.openOf(sessionId);
      if (!r) return undefined;
      book.finish(r, 'explicit');
      return r.id;
    },
    recordAnswer: answer,
    submitFeedback: feedback,
    queries,
    server: createTracingServer({
      queries,
      recordAnswer: answer,
      submitFeedback: feedback,
      stats,
      now: () => clock.now(),
    }),
    stats,
    flush: () => queue.send(),
    async close() {
      if (closed) return;
      closed = true;
      book.closeAll('shutdown');
      queue.close();
      if (retentionTimer !== undefined) clock.clearInterval(retentionTimer);
      store.close();
    },
  };
}
