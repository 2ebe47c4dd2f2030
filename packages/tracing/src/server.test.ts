import { SwitchyardError } from '@switchyard/protocol';
import { ManualClock } from '@switchyard/protocol/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from './sqlite-store.js';
import { createTracer } from './tracer.js';
import type { CaptureInput, Tracer, VirtualTool } from './types.js';

const tracers: Tracer[] = [];
afterEach(async () => {
  for (const t of tracers.splice(0)) await t.close();
});

function setup() {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const tracer = createTracer({ store: openSqliteStore({ file: ':memory:' }), clock });
  tracers.push(tracer);
  return { clock, tracer };
}

const capture = (tracer: Tracer, name: string, body: string, over: Partial<CaptureInput> = {}) =>
  tracer.capture({
    sessionId: 's1',
    server: 'docs',
    kind: 'tool',
    name,
    content: { content: [{ type: 'text', text: body }] },
    ...over,
  });

const tool = (tracer: Tracer, name: string): VirtualTool => {
  const found = tracer.server.tools.find((t) => t.name === name);
  if (!found) throw new Error(`no tool ${name}`);
  return found;
};
const textOf = (result: Record<string, unknown>) =>
  (result.content as Array<{ text: string }>)[0]?.text ?? '';
const read = async (tracer: Tracer, uri: string) => {
  const resource = tracer.server.resources.find((r) => r.uri === uri);
  return JSON.parse((await resource?.read()) ?? 'null');
};

describe('the tracing server', () => {
  it('lists the seed’s tools, the quality resources and the two templates', () => {
    const { tracer } = setup();
    expect(tracer.server.name).toBe('tracing');
    expect(tracer.server.tools.map((t) => t.name)).toEqual([
      'get_trace',
      'query_context_impact',
      'get_response_contexts',
      'get_evolution_history',
      'submit_feedback',
      'record_answer',
    ]);
    expect(tracer.server.resources.map((r) => r.uri)).toEqual([
      'trace://quality/top-contexts',
      'trace://quality/deprecated-contexts',
      'trace://quality/recent-feedback',
      'trace://stats/cache',
    ]);
    expect(tracer.server.resourceTemplates.map((t) => t.uriTemplate)).toEqual([
      'trace://response/{id}',
      'trace://context/{id}',
    ]);
  });

  it('get_trace answers json, tree and compact', async () => {
    const { tracer } = setup();
    const a = capture(tracer, 'search', 'Alpha result '.repeat(10));
    capture(tracer, 'fetch', 'Beta');
    tracer.closeResponse('s1');
    const get = tool(tracer, 'get_trace');
    const json = await get.call({ response_id: a.responseId });
    expect(JSON.parse(textOf(json))).toMatchObject({ id: a.responseId, unitCount: 2 });
    expect(json.structuredContent).toMatchObject({ id: a.responseId });
    const tree = textOf(await get.call({ response_id: a.responseId, format: 'tree' }));
    const lines = tree.split('\n');
    expect(lines[0]).toContain(`Response ${a.responseId}`);
    expect(lines[1]).toMatch(
      new RegExp(`^├── \\[ ?\\d+%\\] ${a.unitId} \\(External\\) - Alpha result`),
    );
    expect(lines[2]).toMatch(/^└── \[ ?\d+%\] ctx_\S+ \(External\) - Beta$/);
    expect(lines[1]?.split(' - ')[1]?.length).toBeLessThanOrEqual(50);
    const compact = textOf(await get.call({ response_id: a.responseId, format: 'compact' }));
    expect(compact).toContain('Types: External 2');
    expect(compact).toContain('Top contributors:');
    await expect(get.call({ response_id: 'resp_nope' })).rejects.toThrow(SwitchyardError);
    await expect(get.call({ response_id: a.responseId, format: 'xml' })).rejects.toThrow(/format/);
    await expect(get.call({})).rejects.toMatchObject({ code: 'invalid_params' });
  });

  it('query_context_impact, get_response_contexts and get_evolution_history read real data', async () => {
    const { tracer } = setup();
    const v1 = capture(tracer, 'readme', 'v1', { kind: 'resource', name: 'file:///r/README.md' });
    capture(tracer, 'search', 'hit');
    tracer.closeResponse('s1');
    const v2 = capture(tracer, 'readme', 'v2', { kind: 'resource', name: 'file:///r/README.md' });
    tracer.closeResponse('s1');
    const impact = (await tool(tracer, 'query_context_impact').call({ context_unit_id: v1.unitId }))
      .structuredContent;
    expect(impact).toMatchObject({ contextUnitId: v1.unitId, totalResponses: 1 });
    const heavy = await tool(tracer, 'query_context_impact').call({
      context_unit_id: v1.unitId,
      min_weight: 0.99,
    });
    expect(heavy.structuredContent).toMatchObject({ totalResponses: 0 });
    const users = await tool(tracer, 'get_response_contexts').call({
      response_id: v1.responseId,
      type: 'User',
    });
    expect(users.structuredContent).toMatchObject({ contexts: [{ unitId: v1.unitId }] });
    const history = await tool(tracer, 'get_evolution_history').call({
      context_unit_id: v2.unitId,
    });
    expect(history.structuredContent).toMatchObject({
      currentVersion: 2,
      versions: [
        { id: v1.unitId, version: 1 },
        { id: v2.unitId, version: 2, previousVersionId: v1.unitId },
      ],
    });
  });

  it('submit_feedback and record_answer take the seed’s argument names', async () => {
    const { tracer } = setup();
    const a = capture(tracer, 'a', 'A', { requestId: 7 });
    capture(tracer, 'b', 'B');
    const answer = await tool(tracer, 'record_answer').call({
      session_id: 's1',
      request_ids: [7],
      agent: 'claude',
    });
    expect(answer.structuredContent).toMatchObject({
      responseId: a.responseId,
      contexts: [{ unitId: a.unitId, weight: 1 }],
    });
    const fb = await tool(tracer, 'submit_feedback').call({
      response_id: a.responseId,
      score: -0.5,
      feedback_text: 'meh',
      user_id: 'u1',
    });
    expect(textOf(fb)).toBe(
      `Feedback submitted for ${a.responseId}: 1 contexts updated, avg score change -0.5000`,
    );
    await expect(
      tool(tracer, 'submit_feedback').call({ response_id: a.responseId, score: 2 }),
    ).rejects.toMatchObject({ code: 'invalid_params' });
    await expect(
      tool(tracer, 'submit_feedback').call({ response_id: 'resp_nope', score: 1 }),
    ).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('the quality resources', () => {
  it('list top and deprecated contexts, recent feedback and cache statistics', async () => {
    const { tracer, clock } = setup();
    const good = capture(tracer, 'good', 'good');
    tracer.submitFeedback({ responseId: good.responseId, score: 0.9 });
    const bad = capture(tracer, 'bad', 'bad');
    tracer.submitFeedback({ responseId: bad.responseId, score: -0.8, userId: 'u2' });
    const meh = capture(tracer, 'meh', 'meh');
    tracer.submitFeedback({ responseId: meh.responseId, score: 0.2 });
    capture(tracer, 'unrated', 'unrated');
    tracer.closeResponse('s1');

    const top = await read(tracer, 'trace://quality/top-contexts');
    expect(top.threshold).toBe(0.5);
    expect(top.contexts.map((c: { id: string }) => c.id)).toEqual([good.unitId]);
    const deprecated = await read(tracer, 'trace://quality/deprecated-contexts');
    expect(deprecated.threshold).toBe(-0.5);
    expect(deprecated.contexts).toEqual([
      expect.objectContaining({ id: bad.unitId, score: -0.8, feedbackCount: 1 }),
    ]);

    clock.advance(3 * 86_400_000);
    const recent = await read(tracer, 'trace://quality/recent-feedback');
    expect(recent.feedback.map((f: { score: number }) => f.score)).toEqual([0.2, -0.8, 0.9]);
    clock.advance(5 * 86_400_000);
    expect((await read(tracer, 'trace://quality/recent-feedback')).feedback).toEqual([]);

    const stats = await read(tracer, 'trace://stats/cache');
    expect(stats).toMatchObject({ dropped: 0, queued: 0, cache: { capacity: 1000 } });
    expect(stats.cache.hits + stats.cache.misses).toBeGreaterThan(0);
    expect(stats.flushed).toBeGreaterThan(0);
  });

  it('reads responses and units through the templates, and nothing for unknown ids', async () => {
    const { tracer } = setup();
    const a = capture(tracer, 'a', 'A');
    const [response, context] = tracer.server.resourceTemplates;
    expect(
      JSON.parse((await response?.read(`trace://response/${a.responseId}`)) ?? ''),
    ).toMatchObject({ status: 'open' });
    expect(JSON.parse((await context?.read(`trace://context/${a.unitId}`)) ?? '')).toMatchObject({
      id: a.unitId,
      score: 0,
    });
    expect(await response?.read('trace://response/resp_nope')).toBeUndefined();
    expect(await context?.read('trace://context/')).toBeUndefined();
  });
});

describe('queries', () => {
  it('keep a session’s timeline, its messages for export and the session list', () => {
    const { tracer } = setup();
    const a = capture(tracer, 'a', 'A', { requestId: 1, toolCallId: 'call_1' });
    tracer.recordMessage('s1', 'client', 'in', { jsonrpc: '2.0', id: 1, method: 'tools/call' });
    tracer.recordMessage(
      's1',
      'backend',
      'out',
      { jsonrpc: '2.0', id: 9, method: 'tools/call' },
      'docs',
    );
    capture(tracer, 'b', 'B', { requestId: 'x' });
    expect(tracer.queries.sessionTimeline('s1')).toMatchObject([
      {
        requestId: 1,
        toolCallId: 'call_1',
        server: 'docs',
        kind: 'tool',
        name: 'a',
        unitId: a.unitId,
        responseId: a.responseId,
      },
      { requestId: 'x', name: 'b' },
    ]);
    expect(tracer.queries.messages('s1')).toMatchObject([
      { hop: 'client', direction: 'in', server: null, message: { id: 1 } },
      { hop: 'backend', direction: 'out', server: 'docs', message: { id: 9 } },
    ]);
    expect(tracer.queries.sessions()).toMatchObject([
      { sessionId: 's1', captures: 2, responses: 1 },
    ]);
  });

  it('answer from the cache until a write makes an entry stale', () => {
    const { tracer } = setup();
    const a = capture(tracer, 'a', 'A');
    tracer.closeResponse('s1');
    tracer.queries.unit(a.unitId);
    const before = tracer.stats().cache.hits;
    tracer.queries.unit(a.unitId);
    expect(tracer.stats().cache.hits).toBeGreaterThan(before);
    capture(tracer, 'a', 'A');
    expect(tracer.queries.unit(a.unitId)?.seenCount).toBe(2);
  });
});
