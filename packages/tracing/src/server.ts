import { type JsonObject, SwitchyardError } from '@switchyard/protocol';
import { formatCompact, formatTree } from './internal/format.js';
import { DEPRECATED_THRESHOLD, TOP_THRESHOLD } from './queries.js';
import type {
  AnswerInput,
  AnswerResult,
  FeedbackInput,
  FeedbackResult,
  TraceQueries,
  TracingServerDefinition,
  TracingStats,
  UnitType,
  VirtualResource,
  VirtualResourceTemplate,
  VirtualTool,
} from './types.js';

/** What the `tracing` server serves from. */
export interface TracingServerSource {
  queries: TraceQueries;
  recordAnswer(input: AnswerInput): AnswerResult;
  submitFeedback(input: FeedbackInput): FeedbackResult;
  stats(): TracingStats;
  /** Epoch ms, from the tracer's clock. */
  now(): number;
}

const UNIT_TYPES: readonly UnitType[] = ['System', 'User', 'External', 'ModelState'];
const WEEK_MS = 7 * 24 * 3_600_000;
const JSON_MIME = 'application/json';

const bad = (message: string) => new SwitchyardError('invalid_params', message);

function text(args: JsonObject, key: string, required: true): string;
function text(args: JsonObject, key: string, required?: false): string | undefined;
function text(args: JsonObject, key: string, required = false): string | undefined {
  const v = args[key];
  if (v === undefined || v === null) {
    if (required) throw bad(`${key} is required`);
    return undefined;
  }
  if (typeof v !== 'string' || v.length === 0) throw bad(`${key} must be a non-empty string`);
  return v;
}

function number(args: JsonObject, key: string, min: number, max: number): number | undefined {
  const v = args[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw bad(`${key} must be a number from ${min} to ${max}`);
  }
  return v;
}

function list<T>(args: JsonObject, key: string, check: (v: unknown) => v is T): T[] | undefined {
  const v = args[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every(check)) throw bad(`${key} has the wrong shape`);
  return v;
}

const result = (body: string, structured?: JsonObject): JsonObject =>
  structured
    ? { content: [{ type: 'text', text: body }], structuredContent: structured }
    : { content: [{ type: 'text', text: body }] };

const json = (value: unknown): string => JSON.stringify(value, null, 2);

const idSchema = (description: string) => ({ type: 'string', description, minLength: 1 });

const strOrNum = (v: unknown): v is string | number =>
  typeof v === 'string' || typeof v === 'number';
const isCitation = (v: unknown): v is { unitId: string; quote?: string; note?: string } =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as { unitId?: unknown }).unitId === 'string' &&
  ['quote', 'note'].every((k) => {
    const f = (v as Record<string, unknown>)[k];
    return f === undefined || typeof f === 'string';
  });

function tools(src: TracingServerSource): VirtualTool[] {
  const { queries } = src;
  const response = (args: JsonObject) => {
    const id = text(args, 'response_id', true);
    const r = queries.response(id);
    if (!r) throw bad(`No response ${id}`);
    return r;
  };
  const unit = (args: JsonObject) => {
    const id = text(args, 'context_unit_id', true);
    const u = queries.unit(id);
    if (!u) throw bad(`No context unit ${id}`);
    return u;
  };
  return [
    {
      name: 'get_trace',
      title: 'Get trace',
      description:
        'The context units behind one response, with their weights: json (full detail), tree (an ASCII tree) or compact (a short summary).',
      inputSchema: {
        type: 'object',
        properties: {
          response_id: idSchema('A response id (resp_…), as in the _meta of a tool result'),
          format: { type: 'string', enum: ['json', 'tree', 'compact'], default: 'json' },
        },
        required: ['response_id'],
      },
      annotations: { readOnlyHint: true },
      call: async (args) => {
        const format = text(args, 'format') ?? 'json';
        const r = response(args);
        if (format === 'tree') return result(formatTree(r));
        if (format === 'compact') return result(formatCompact(r));
        if (format !== 'json') throw bad('format must be json, tree or compact');
        return result(json(r), r as unknown as JsonObject);
      },
    },
    {
      name: 'query_context_impact',
      title: 'Query context impact',
      description:
        'The responses a context unit contributed to, with its weight in each, its score and feedback count.',
      inputSchema: {
        type: 'object',
        properties: {
          context_unit_id: idSchema('A context unit id (ctx_…)'),
          min_weight: { type: 'number', minimum: 0, maximum: 1, default: 0 },
          limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
        },
        required: ['context_unit_id'],
      },
      annotations: { readOnlyHint: true },
      call: async (args) => {
        const u = unit(args);
        const minWeight = number(args, 'min_weight', 0, 1) ?? 0;
        const limit = number(args, 'limit', 1, 1000) ?? 100;
        const responses = u.impact.filter((i) => i.weight >= minWeight).slice(0, limit);
        const weights = responses.map((i) => i.weight);
        const report = {
          contextUnitId: u.id,
          score: u.score,
          feedbackCount: u.feedbackCount,
          totalResponses: responses.length,
          averageWeight: weights.length ? weights.reduce((a, b) => a + b, 0) / weights.length : 0,
          responses,
        };
        return result(json(report), report as unknown as JsonObject);
      },
    },
    {
      name: 'get_response_contexts',
      title: 'Get response contexts',
      description: 'The weighted context units of one response, optionally of one type.',
      inputSchema: {
        type: 'object',
        properties: {
          response_id: idSchema('A response id (resp_…)'),
          type: { type: 'string', enum: [...UNIT_TYPES] },
        },
        required: ['response_id'],
      },
      annotations: { readOnlyHint: true },
      call: async (args) => {
        const type = text(args, 'type');
        if (type !== undefined && !UNIT_TYPES.includes(type as UnitType)) {
          throw bad(`type must be one of ${UNIT_TYPES.join(', ')}`);
        }
        const r = response(args);
        const contexts = r.contexts.filter((c) => type === undefined || c.unit?.type === type);
        return result(json(contexts), { responseId: r.id, contexts } as unknown as JsonObject);
      },
    },
    {
      name: 'get_evolution_history',
      title: 'Get evolution history',
      description:
        'Every version of the content behind a context unit (same server, tool or URI and arguments), oldest first.',
      inputSchema: {
        type: 'object',
        properties: { context_unit_id: idSchema('A context unit id (ctx_…)') },
        required: ['context_unit_id'],
      },
      annotations: { readOnlyHint: true },
      call: async (args) => {
        const u = unit(args);
        const history = {
          contextUnitId: u.id,
          server: u.server,
          kind: u.kind,
          name: u.name,
          currentVersion: u.versions.at(-1)?.version ?? u.version,
          versions: u.versions,
        };
        return result(json(history), history as unknown as JsonObject);
      },
    },
    {
      name: 'submit_feedback',
      title: 'Submit feedback',
      description:
        'Rate a response from -1 (harmful) to 1 (excellent); the score reaches each of its context units in proportion to its weight.',
      inputSchema: {
        type: 'object',
        properties: {
          response_id: idSchema('A response id (resp_…)'),
          score: { type: 'number', minimum: -1, maximum: 1 },
          feedback_text: { type: 'string', maxLength: 1000 },
          user_id: { type: 'string' },
        },
        required: ['response_id', 'score'],
      },
      call: async (args) => {
        const score = number(args, 'score', -1, 1);
        if (score === undefined) throw bad('score is required');
        const input: FeedbackInput = { responseId: text(args, 'response_id', true), score };
        const feedbackText = text(args, 'feedback_text');
        const userId = text(args, 'user_id');
        if (feedbackText !== undefined) input.feedbackText = feedbackText;
        if (userId !== undefined) input.userId = userId;
        const fb = src.submitFeedback(input);
        const body = `Feedback submitted for ${fb.responseId}: ${fb.contextsUpdated} contexts updated, avg score change ${fb.avgScoreChange.toFixed(4)}`;
        return result(body, fb as unknown as JsonObject);
      },
    },
    {
      name: 'record_answer',
      title: 'Record answer',
      description:
        'Say which context units (or tool calls, by request id) went into an answer. Find the response by response_id, else by traceparent, else by session_id (its open or latest response).',
      inputSchema: {
        type: 'object',
        properties: {
          response_id: idSchema('A response id (resp_…)'),
          session_id: idSchema('The MCP session the context was retrieved in'),
          traceparent: { type: 'string', description: 'W3C traceparent of the answer' },
          unit_ids: { type: 'array', items: { type: 'string' } },
          request_ids: { type: 'array', items: { type: ['string', 'integer'] } },
          citations: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                unitId: { type: 'string' },
                quote: { type: 'string' },
                note: { type: 'string' },
              },
              required: ['unitId'],
            },
          },
          agent: { type: 'string' },
          model: { type: 'string' },
        },
      },
      call: async (args) => {
        const input: AnswerInput = {};
        const strings = ['response_id', 'session_id', 'traceparent', 'agent', 'model'] as const;
        const fields = ['responseId', 'sessionId', 'traceparent', 'agent', 'model'] as const;
        strings.forEach((key, i) => {
          const v = text(args, key);
          if (v !== undefined) input[fields[i] as (typeof fields)[number]] = v;
        });
        const unitIds = list(args, 'unit_ids', (v): v is string => typeof v === 'string');
        const requestIds = list(args, 'request_ids', strOrNum);
        const citations = list(args, 'citations', isCitation);
        if (unitIds) input.unitIds = unitIds;
        if (requestIds) input.requestIds = requestIds;
        if (citations) input.citations = citations;
        const answer = src.recordAnswer(input);
        const body = `Answer recorded for ${answer.responseId} (by ${answer.correlatedBy}): ${answer.contexts.length} contexts`;
        return result(body, answer as unknown as JsonObject);
      },
    },
  ];
}

function resources(src: TracingServerSource): VirtualResource[] {
  const { queries } = src;
  const resource = (uri: string, name: string, description: string, read: () => unknown) => ({
    uri,
    name,
    description,
    mimeType: JSON_MIME,
    read: async () => json(read()),
  });
  return [
    resource(
      'trace://quality/top-contexts',
      'Top contexts',
      `Context units with a score of at least ${TOP_THRESHOLD} after feedback, best first`,
      () => ({ threshold: TOP_THRESHOLD, contexts: queries.topContexts(20) }),
    ),
    resource(
      'trace://quality/deprecated-contexts',
      'Deprecated contexts',
      `Context units with a score of at most ${DEPRECATED_THRESHOLD} after feedback, worst first`,
      () => ({ threshold: DEPRECATED_THRESHOLD, contexts: queries.deprecatedContexts(20) }),
    ),
    resource(
      'trace://quality/recent-feedback',
      'Recent feedback',
      'Feedback of the last 7 days, newest first (at most 20)',
      () => {
        const now = src.now();
        return {
          since: now - WEEK_MS,
          feedback: queries.feedback({ since: now - WEEK_MS, limit: 20 }),
        };
      },
    ),
    resource(
      'trace://stats/cache',
      'Trace store statistics',
      'Read cache hits, misses and evictions; queued, flushed and dropped writes',
      () => src.stats(),
    ),
  ];
}

function templates(src: TracingServerSource): VirtualResourceTemplate[] {
  const idAfter = (prefix: string, uri: string): string | undefined => {
    if (!uri.startsWith(prefix)) return undefined;
    const id = decodeURIComponent(uri.slice(prefix.length));
    return id.length > 0 && !id.includes('/') ? id : undefined;
  };
  return [
    {
      uriTemplate: 'trace://response/{id}',
      name: 'Response trace',
      description: 'One response with its weighted context units, answer and feedback',
      mimeType: JSON_MIME,
      read: async (uri) => {
        const id = idAfter('trace://response/', uri);
        const r = id === undefined ? undefined : src.queries.response(id);
        return r ? json(r) : undefined;
      },
    },
    {
      uriTemplate: 'trace://context/{id}',
      name: 'Context unit',
      description: 'One context unit with its score, versions and the responses it contributed to',
      mimeType: JSON_MIME,
      read: async (uri) => {
        const id = idAfter('trace://context/', uri);
        const u = id === undefined ? undefined : src.queries.unit(id);
        return u ? json(u) : undefined;
      },
    },
  ];
}

/** The `tracing` virtual server: its tools, resources and resource templates. */
export function createTracingServer(
  src: TracingServerSource,
  version = '0.1.0',
): TracingServerDefinition {
  return {
    name: 'tracing',
    version,
    instructions:
      'Context tracing: every tool result, resource read and prompt carries its response id and context unit id in _meta. Use get_trace to see what an answer was built from, record_answer to say which units it used, and submit_feedback to rate it.',
    tools: tools(src),
    resources: resources(src),
    resourceTemplates: templates(src),
  };
}
