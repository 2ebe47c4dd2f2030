import { randomUUID } from 'node:crypto';
import type { Clock } from '@switchyard/protocol';
import { TracingError } from './errors.js';
import { applyFeedback } from './feedback.js';
import type { OpenResponse, ResponseBook, WeightedEntry } from './internal/response-book.js';
import { traceIdOf } from './internal/sqlite-rows.js';
import type { WriteQueue } from './internal/write-queue.js';
import type { TraceStore, TraceWrite } from './store.js';
import type {
  AnswerInput,
  AnswerRecord,
  AnswerResult,
  ContextUnit,
  FeedbackInput,
  FeedbackResult,
} from './types.js';
import { DEFAULT_RETRIEVAL } from './weights.js';

/** The parts of the tracer that answers and feedback read and change. */
export interface OutcomeContext {
  store: TraceStore;
  clock: Clock;
  book: ResponseBook;
  queue: WriteQueue;
}

const FEEDBACK_TEXT_LIMIT = 1000;

/** Response id, else the trace of `traceparent`, else the session's open or latest response. */
function correlate(
  ctx: OutcomeContext,
  input: AnswerInput,
): { id: string; by: AnswerResult['correlatedBy'] } {
  const { store, book, queue } = ctx;
  if (input.responseId !== undefined) {
    if (book.byResponseId(input.responseId)) return { id: input.responseId, by: 'response_id' };
    queue.flush();
    if (store.response(input.responseId)) return { id: input.responseId, by: 'response_id' };
    throw new TracingError('not_found', `No response ${input.responseId}`);
  }
  const traceId = traceIdOf(input.traceparent);
  if (input.traceparent !== undefined && !traceId && input.sessionId === undefined) {
    throw new TracingError('invalid', `Not a W3C traceparent: ${input.traceparent}`);
  }
  if (traceId) {
    queue.flush();
    const id = book.ofTrace(traceId) ?? store.responseOfTrace(traceId);
    if (id) return { id, by: 'traceparent' };
  }
  if (typeof input.sessionId === 'string' && input.sessionId.length > 0) {
    queue.flush();
    const id = book.latestOf(input.sessionId) ?? store.latestResponse(input.sessionId);
    if (id) return { id, by: 'session' };
    throw new TracingError('not_found', `No response in session ${input.sessionId}`);
  }
  if (traceId) throw new TracingError('not_found', `No response in trace ${traceId}`);
  throw new TracingError('invalid', 'An answer needs a response id, a traceparent or a session id');
}

/**
 * The units an answer names (unit ids, cited units, and the units its request ids returned), each
 * with its kind where this had to read it (a unit of the open response has its retrieval there).
 */
function namedUnits(
  ctx: OutcomeContext,
  input: AnswerInput,
  r: OpenResponse | undefined,
  sessionId: string,
): Map<string, ContextUnit['kind'] | undefined> {
  const named = new Map<string, ContextUnit['kind'] | undefined>();
  const ids = [...(input.unitIds ?? []), ...(input.citations ?? []).map((c) => c.unitId)];
  const unknown = ids.filter((id) => !r?.units.has(id));
  if (unknown.length > 0) {
    // Units of other responses: the store knows them once the queued writes are in.
    ctx.queue.flush();
    const stored = new Map(ctx.store.units(unknown).map((u) => [u.id, u.kind]));
    const missing = unknown.find((id) => !stored.has(id));
    if (missing !== undefined) throw new TracingError('invalid', `Unknown context unit ${missing}`);
    for (const [id, kind] of stored) named.set(id, kind);
  }
  for (const id of ids) if (!named.has(id)) named.set(id, undefined);
  if (!input.requestIds || input.requestIds.length === 0) return named;
  const wanted = new Set(input.requestIds.map((id) => JSON.stringify(id)));
  const found = new Set<string>();
  const take = (unitId: string, requestId: string, kind?: ContextUnit['kind']) => {
    if (!wanted.has(requestId)) return;
    named.set(unitId, kind ?? named.get(unitId));
    found.add(requestId);
  };
  for (const { unitId, requestId } of r?.units.requests() ?? []) take(unitId, requestId);
  if (found.size < wanted.size) {
    ctx.queue.flush();
    for (const c of ctx.store.timeline(sessionId)) {
      if (c.requestId !== null) take(c.unitId, JSON.stringify(c.requestId), c.kind);
    }
  }
  const missing = [...wanted].filter((q) => !found.has(q));
  if (missing.length > 0) {
    throw new TracingError('invalid', `No capture for request id ${missing.join(', ')}`);
  }
  return named;
}

/**
 * Records which units went into an answer. The response closes (reason `answer`) if open; when
 * units are named, the response is narrowed to exactly them and re-weighed, open or closed.
 */
export function recordAnswer(ctx: OutcomeContext, input: AnswerInput): AnswerResult {
  const { store, book, queue } = ctx;
  const { id, by } = correlate(ctx, input);
  const r = book.byResponseId(id);
  const stored = r ? undefined : store.response(id);
  if (!r && !stored) throw new TracingError('not_found', `No response ${id}`);
  const sessionId = r?.sessionId ?? stored?.sessionId ?? '';
  const named = namedUnits(ctx, input, r, sessionId);
  const agent = input.agent ?? null;
  const model = input.model ?? null;
  const lineage = r ? [] : store.lineage(id);
  const retrievals = new Map(lineage.map((l) => [l.unitId, l.retrieval]));
  for (const { unitId, retrieval } of r?.units.entries() ?? []) retrievals.set(unitId, retrieval);
  const retrievalOf = (unitId: string) =>
    retrievals.get(unitId) ?? DEFAULT_RETRIEVAL[named.get(unitId) ?? 'tool'];
  const only =
    named.size > 0
      ? [...named.keys()].map((u) => ({ unitId: u, retrieval: retrievalOf(u) }))
      : undefined;
  let contexts: WeightedEntry[];
  if (r) {
    contexts = book.finish(r, 'answer', only, { agent, model });
  } else {
    contexts = book.weigh(only ?? lineage);
    queue.push({
      type: 'response',
      response: { ...stored!, unitCount: contexts.length, agent, model },
    });
    queue.push({ type: 'lineage', responseId: id, entries: contexts });
  }
  const answer: AnswerRecord = {
    id: `ans_${randomUUID()}`,
    responseId: id,
    at: ctx.clock.now(),
    agent,
    model,
    unitIds: [...named.keys()],
    citations: (input.citations ?? []).map((c) => ({
      unitId: c.unitId,
      quote: c.quote ?? null,
      note: c.note ?? null,
    })),
  };
  queue.push({ type: 'answer', answer });
  queue.flush();
  return {
    answerId: answer.id,
    responseId: id,
    sessionId,
    correlatedBy: by,
    contexts: contexts.map((c) => ({ unitId: c.unitId, weight: c.weight })),
  };
}

/**
 * Records feedback on a response (closing it if open) and moves each of its units' scores by
 * {@link applyFeedback} with the unit's weight in the response.
 */
export function submitFeedback(ctx: OutcomeContext, input: FeedbackInput): FeedbackResult {
  const { store, book, queue } = ctx;
  const { responseId, score } = input;
  if (typeof score !== 'number' || !Number.isFinite(score) || score < -1 || score > 1) {
    throw new TracingError('invalid', `Feedback score must be a number in [-1, 1], got ${score}`);
  }
  if (input.feedbackText !== undefined && input.feedbackText.length > FEEDBACK_TEXT_LIMIT) {
    throw new TracingError('invalid', `Feedback text is over ${FEEDBACK_TEXT_LIMIT} characters`);
  }
  const r = book.byResponseId(responseId);
  if (r) book.finish(r, 'feedback');
  queue.flush();
  if (!store.response(responseId)) throw new TracingError('not_found', `No response ${responseId}`);
  const lineage = store.lineage(responseId);
  const rows = new Map(store.units(lineage.map((l) => l.unitId)).map((u) => [u.id, u]));
  const units: FeedbackResult['units'] = [];
  const scores: Extract<TraceWrite, { type: 'feedback' }>['scores'] = [];
  for (const { unitId, weight } of lineage) {
    const row = rows.get(unitId);
    if (!row || !(weight > 0)) continue;
    const next = applyFeedback(row, score, weight);
    units.push({ unitId, weight, oldScore: row.score, newScore: next.score });
    scores.push({ unitId, ...next });
  }
  const at = ctx.clock.now();
  const feedback = {
    id: `fb_${randomUUID()}`,
    responseId,
    score,
    feedbackText: input.feedbackText ?? null,
    userId: input.userId ?? null,
    at,
  };
  queue.push({ type: 'feedback', feedback, scores });
  queue.flush();
  const change = units.reduce((sum, u) => sum + (u.newScore - u.oldScore), 0);
  return {
    feedbackId: feedback.id,
    responseId,
    score,
    at,
    contextsUpdated: units.length,
    avgScoreChange: units.length > 0 ? change / units.length : 0,
    units,
  };
}
