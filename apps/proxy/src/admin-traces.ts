import type {
  AnswerInput,
  FeedbackInput,
  ResponseDetail,
  ResponseSummary,
  TimelineEntry,
  TraceQuality,
  TraceSessionSummary,
  TracingStats,
  UnitDetail,
} from '@switchyard/admin-api';
import type { SecretSet } from '@switchyard/logging';
import { httpStatusOf, SwitchyardError } from '@switchyard/protocol';
import type { Tracer } from '@switchyard/tracing';
import type { Context, Hono } from 'hono';
import type { AuthEnv } from './auth.js';
import { jsonAnswer, jsonBody, toResponse } from './http-answer.js';

/**
 * The tracer's answers are the admin API's trace types as they are: this fails to compile the day
 * the two drift apart (the dashboard reads `@switchyard/admin-api`, the proxy returns tracer data).
 */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const shapesAgree: [
  Same<ReturnType<Tracer['queries']['response']>, ResponseDetail | undefined>,
  Same<ReturnType<Tracer['queries']['responses']>, ResponseSummary[]>,
  Same<ReturnType<Tracer['queries']['unit']>, UnitDetail | undefined>,
  Same<ReturnType<Tracer['queries']['sessionTimeline']>, TimelineEntry[]>,
  Same<ReturnType<Tracer['queries']['sessions']>, TraceSessionSummary[]>,
  Same<ReturnType<Tracer['stats']>, TracingStats>,
] = [true, true, true, true, true, true];
void shapesAgree;

const answer = (status: number, error: string) => toResponse(jsonAnswer(status, { error }));
const OFF = 'context tracing is off (contextTracing.enabled, docs/tracing.md)';

const numberOf = (text: string | undefined) => {
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
};

/**
 * `/api/traces/*` and `/api/answers` (docs/tracing.md, "The admin API"): the tracer's queries,
 * feedback and answers over HTTP, behind the admin key like the rest of `/api`. Answered 404 while
 * tracing is off. A tracer error (an unknown response, a score out of range) is its own status.
 */
export function mountTraceRoutes(
  app: Hono<AuthEnv>,
  tracer: Tracer | undefined,
  secrets: Pick<SecretSet, 'redactValue'>,
): void {
  const json = (c: Context, value: unknown) => c.json(secrets.redactValue(value));
  const guarded =
    (handler: (c: Context, tracer: Tracer) => Response | Promise<Response>) =>
    async (c: Context) => {
      if (!tracer) return answer(httpStatusOf('not_found'), OFF);
      try {
        return await handler(c, tracer);
      } catch (error) {
        if (error instanceof SwitchyardError)
          return answer(httpStatusOf(error.code), error.message);
        throw error;
      }
    };
  const found = (c: Context, value: unknown, what: string) =>
    value === undefined ? answer(httpStatusOf('not_found'), `no ${what}`) : json(c, value);

  app.get(
    '/traces/stats',
    guarded((c, t) => json(c, t.stats())),
  );
  app.get(
    '/traces/sessions',
    guarded((c, t) => json(c, t.queries.sessions(numberOf(c.req.query('limit'))))),
  );
  app.get(
    '/traces/sessions/:id/timeline',
    guarded((c, t) => json(c, t.queries.sessionTimeline(c.req.param('id') ?? ''))),
  );
  app.get(
    '/traces/responses',
    guarded((c, t) => {
      const filter = {
        sessionId: c.req.query('session'),
        since: numberOf(c.req.query('since')),
        until: numberOf(c.req.query('until')),
        limit: numberOf(c.req.query('limit')),
      };
      const defined = Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined));
      return json(c, t.queries.responses(defined));
    }),
  );
  app.get(
    '/traces/responses/:id',
    guarded((c, t) => {
      const id = c.req.param('id') ?? '';
      return found(c, t.queries.response(id), `response "${id}"`);
    }),
  );
  app.post(
    '/traces/responses/close',
    guarded(async (c, t) => {
      const sessionId = (await jsonBody(c))?.sessionId;
      if (typeof sessionId !== 'string')
        return answer(400, 'the body must be JSON: { "sessionId": "..." }');
      return json(c, { responseId: t.closeResponse(sessionId) ?? null });
    }),
  );
  app.get(
    '/traces/units/:id',
    guarded((c, t) => {
      const id = c.req.param('id') ?? '';
      return found(c, t.queries.unit(id), `context unit "${id}"`);
    }),
  );
  app.get(
    '/traces/feedback',
    guarded((c, t) => {
      const since = numberOf(c.req.query('since'));
      const limit = numberOf(c.req.query('limit'));
      return json(
        c,
        t.queries.feedback({
          ...(since === undefined ? {} : { since }),
          ...(limit === undefined ? {} : { limit }),
        }),
      );
    }),
  );
  app.post(
    '/traces/feedback',
    guarded(async (c, t) => {
      const input = await jsonBody(c);
      if (!input || typeof input.responseId !== 'string' || typeof input.score !== 'number') {
        return answer(
          400,
          'the body must be JSON: { "responseId": "resp_...", "score": -1..1, "feedbackText"?, "userId"? }',
        );
      }
      return json(c, t.submitFeedback(input as unknown as FeedbackInput));
    }),
  );
  app.get(
    '/traces/quality',
    guarded((c, t) => {
      const limit = numberOf(c.req.query('limit'));
      const quality: TraceQuality = {
        top: t.queries.topContexts(limit),
        deprecated: t.queries.deprecatedContexts(limit),
      };
      return json(c, quality);
    }),
  );
  app.post(
    '/answers',
    guarded(async (c, t) => {
      const input = await jsonBody(c);
      if (!input) return answer(400, 'the body must be a JSON object (docs/tracing.md, "Answers")');
      return json(c, t.recordAnswer(input as AnswerInput));
    }),
  );
}
