import { randomUUID } from 'node:crypto';
import type { Clock } from '@switchyard/protocol';
import { TracingError } from './errors.js';
import { applyFeedback } from './feedback.js';
import { traceIdOf } from './internal/sqlite-rows.js';
import type { OpenContext } from './queries.js';
import type { TraceStore, TraceWrite, UnitIndexEntry } from './store.js';
import type { OpenResponse } from './tracer.js';
import type {
  AnswerInput,
  AnswerRecord,
  AnswerResult,
  FeedbackInput,
  FeedbackResult,
  ResponseSummary,
} from './types.js';

/** The tracer's state that answers and feedback read and change. */
export interface OutcomeContext {
  store: TraceStore;
  clock: Clock;
  known: ReadonlyMap<string, UnitIndexEntry>;
  open: ReadonlyMap<string, OpenResponse>;
  openById: ReadonlyMap<string, OpenResponse>;
  traces: ReadonlyMap<string, string>;
  latestOfSession: ReadonlyMap<string, string>;
  finish(
    r: OpenResponse,
    reason: NonNullable<ResponseSummary['closeReason']>,
    only?: ReadonlyArray<{ unitId: string; retrieval: number }>,
    answer?: { agent: string | null; model: string | null },
  ): OpenContext[];
  weigh(entries: ReadonlyArray<{ unitId: string; retrieval: number }>): OpenContext[];
  enqueue(write: TraceWrite): void;
  flushNow(): void;
  defaultRetrieval(unitId: string): number;
}

const FEEDBACK_TEXT_LIMIT = 1000;

const isNonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/** `recordAnswer` and `submitFeedback`: the two ways a host tells the tracer how an answer went. */
export function createOutcomes(ctx: OutcomeContext) {
  const { store, clock } = ctx;

  /** Response id, else the trace of `traceparent`, else the session's open or latest response. */
  const correlate = (input: AnswerInput): { id: string; by: AnswerResult['correlatedBy'] } => {
    if (input.responseId !== undefined) {
      if (ctx.openById.has(input.responseId)) return { id: input.responseId, by: 'response_id' };
      ctx.flushNow();
      if (store.response(input.responseId)) return { id: input.responseId, by: 'response_id' };
      throw new TracingError('not_found', `No response ${input.responseId}`);
    }
    const traceId = traceIdOf(input.traceparent);
    if (input.traceparent !== undefined && !traceId && input.sessionId === undefined) {
      throw new TracingError('invalid', `Not a W3C traceparent: ${input.traceparent}`);
    }
    if (traceId) {
      ctx.flushNow();
      const id = ctx.traces.get(traceId) ?? store.responseOfTrace(traceId);
      if (id) return { id, by: 'traceparent' };
    }
    if (isNonEmptyString(input.sessionId)) {
      const sessionId = input.sessionId;
      const stored = () => {
        ctx.flushNow();
        return store.latestResponse(sessionId);
      };
      const id = ctx.open.get(sessionId)?.id ?? ctx.latestOfSession.get(sessionId) ?? stored();
      if (id) return { id, by: 'session' };
      throw new TracingError('not_found', `No response in session ${input.sessionId}`);
    }
    if (traceId) throw new TracingError('not_found', `No response in trace ${traceId}`);
    throw new TracingError(
      'invalid',
      'An answer needs a response id, a traceparent or a session id',
    );
  };

  /** The units an answer names: unit ids, citations, and the units its request ids returned. */
  const namedUnits = (input: AnswerInput, r: OpenResponse | undefined, sessionId: string) => {
    const named = new Set<string>();
    for (const id of [...(input.unitIds ?? []), ...(input.citations ?? []).map((c) => c.unitId)]) {
      if (!ctx.known.has(id)) throw new TracingError('invalid', `Unknown context unit ${id}`);
      named.add(id);
    }
    if (input.requestIds && input.requestIds.length > 0) {
      const wanted = new Set(input.requestIds.map((id) => JSON.stringify(id)));
      const found = new Set<string>();
      for (const [unitId, e] of r?.entries ?? []) {
        for (const q of e.requestIds) {
          if (wanted.has(q)) {
            named.add(unitId);
            found.add(q);
          }
        }
      }
      if (found.size < wanted.size) {
        ctx.flushNow();
        for (const c of store.timeline(sessionId)) {
          const q = JSON.stringify(c.requestId);
          if (c.requestId !== null && wanted.has(q)) {
            named.add(c.unitId);
            found.add(q);
          }
        }
      }
      const missing = [...wanted].filter((q) => !found.has(q));
      if (missing.length > 0) {
        throw new TracingError('invalid', `No capture for request id ${missing.join(', ')}`);
      }
    }
    return named;
  };

  const recordAnswer = (input: AnswerInput): AnswerResult => {
    const { id, by } = correlate(input);
    const r = ctx.openById.get(id);
    const stored = r ? undefined : store.response(id);
    const sessionId = r?.sessionId ?? stored?.sessionId ?? '';
    const named = namedUnits(input, r, sessionId);
    const agent = input.agent ?? null;
    const model = input.model ?? null;
    const retrievalOf = (unitId: string, fallback?: number) =>
      r?.entries.get(unitId)?.retrieval ?? fallback ?? ctx.defaultRetrieval(unitId);
    let contexts: OpenContext[];
    if (r) {
      const only =
        named.size > 0
          ? [...named].map((u) => ({ unitId: u, retrieval: retrievalOf(u) }))
          : undefined;
      contexts = ctx.finish(r, 'answer', only, { agent, model });
    } else {
      const lineage = store.lineage(id);
      const previous = new Map(lineage.map((l) => [l.unitId, l.retrieval]));
      const entries =
        named.size > 0
          ? [...named].map((u) => ({ unitId: u, retrieval: retrievalOf(u, previous.get(u)) }))
          : lineage;
      contexts = ctx.weigh(entries);
      ctx.enqueue({
        type: 'response',
        response: { ...(stored as ResponseSummary), unitCount: contexts.length, agent, model },
      });
      ctx.enqueue({ type: 'lineage', responseId: id, entries: contexts });
    }
    const answer: AnswerRecord = {
      id: `ans_${randomUUID()}`,
      responseId: id,
      at: clock.now(),
      agent,
      model,
      unitIds: [...named],
      citations: (input.citations ?? []).map((c) => ({
        unitId: c.unitId,
        quote: c.quote ?? null,
        note: c.note ?? null,
      })),
    };
    ctx.enqueue({ type: 'answer', answer });
    ctx.flushNow();
    return {
      answerId: answer.id,
      responseId: id,
      sessionId,
      correlatedBy: by,
      contexts: contexts.map((c) => ({ unitId: c.unitId, weight: c.weight })),
    };
  };

  const submitFeedback = (input: FeedbackInput): FeedbackResult => {
    const { responseId, score } = input;
    if (typeof score !== 'number' || !Number.isFinite(score) || score < -1 || score > 1) {
      throw new TracingError('invalid', `Feedback score must be a number in [-1, 1], got ${score}`);
    }
    if (input.feedbackText !== undefined && input.feedbackText.length > FEEDBACK_TEXT_LIMIT) {
      throw new TracingError('invalid', `Feedback text is over ${FEEDBACK_TEXT_LIMIT} characters`);
    }
    const r = ctx.openById.get(responseId);
    if (r) ctx.finish(r, 'feedback');
    ctx.flushNow();
    if (!store.response(responseId)) {
      throw new TracingError('not_found', `No response ${responseId}`);
    }
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
    const at = clock.now();
    const feedback = {
      id: `fb_${randomUUID()}`,
      responseId,
      score,
      feedbackText: input.feedbackText ?? null,
      userId: input.userId ?? null,
      at,
    };
    ctx.enqueue({ type: 'feedback', feedback, scores });
    ctx.flushNow();
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
  };

  return { recordAnswer, submitFeedback };
}
