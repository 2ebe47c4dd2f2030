import type { JsonObject } from '@switchyard/protocol';
import type {
  AnswerInput,
  FeedbackInput,
  ResponseDetail,
  UnitDetail,
  UnitType,
  VirtualTool,
} from '../types.js';
import { formatCompact, formatTree } from './format.js';
import type { TracingServerSource } from './server-source.js';
import {
  bad,
  idSchema,
  isCitation,
  json,
  list,
  number,
  result,
  strOrNum,
  text,
} from './tool-args.js';

const UNIT_TYPES: readonly UnitType[] = ['System', 'User', 'External', 'ModelState'];

function responseArg(src: TracingServerSource, args: JsonObject): ResponseDetail {
  const id = text(args, 'response_id', true);
  const r = src.queries.response(id);
  if (!r) throw bad(`No response ${id}`);
  return r;
}

function unitArg(src: TracingServerSource, args: JsonObject): UnitDetail {
  const id = text(args, 'context_unit_id', true);
  const u = src.queries.unit(id);
  if (!u) throw bad(`No context unit ${id}`);
  return u;
}

function getTrace(src: TracingServerSource): VirtualTool {
  return {
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
      const r = responseArg(src, args);
      if (format === 'tree') return result(formatTree(r));
      if (format === 'compact') return result(formatCompact(r));
      if (format !== 'json') throw bad('format must be json, tree or compact');
      return result(json(r), r as unknown as JsonObject);
    },
  };
}

function queryContextImpact(src: TracingServerSource): VirtualTool {
  return {
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
      const u = unitArg(src, args);
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
  };
}

function getResponseContexts(src: TracingServerSource): VirtualTool {
  return {
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
      const r = responseArg(src, args);
      const contexts = r.contexts.filter((c) => type === undefined || c.unit?.type === type);
      return result(json(contexts), { responseId: r.id, contexts } as unknown as JsonObject);
    },
  };
}

function getEvolutionHistory(src: TracingServerSource): VirtualTool {
  return {
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
      const u = unitArg(src, args);
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
  };
}

function submitFeedbackTool(src: TracingServerSource): VirtualTool {
  return {
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
  };
}

function recordAnswerTool(src: TracingServerSource): VirtualTool {
  return {
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
  };
}

/** The tools of the `tracing` server, with the seed's names and argument names. */
export function tracingTools(src: TracingServerSource): VirtualTool[] {
  return [
    getTrace(src),
    queryContextImpact(src),
    getResponseContexts(src),
    getEvolutionHistory(src),
    submitFeedbackTool(src),
    recordAnswerTool(src),
  ];
}
