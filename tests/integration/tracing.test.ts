import { join } from 'node:path';
import { type AdminClient, createAdminClient } from '@switchyard/admin-api';
import { until } from '@switchyard/protocol/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  everythingServer,
  firstText,
  serverScript,
  type TestProxy,
  tempDir,
  withProxy,
} from './helpers.js';

interface TraceMeta {
  responseId: string;
  unitId: string;
}

const traceOf = (result: unknown): TraceMeta =>
  (result as { _meta: Record<string, TraceMeta> })._meta['switchyard/trace'] as TraceMeta;

const json = (result: unknown) => JSON.parse(firstText(result)) as Record<string, unknown>;

/**
 * Context tracing through the real proxy (docs/tracing.md): server-everything and server-memory
 * over stdio, a tracing database in a temp dir, the tracing tools and the admin API.
 */
describe('context tracing through the proxy', () => {
  const dir = tempDir();
  let t: TestProxy;
  let api: AdminClient;

  beforeAll(async () => {
    t = await withProxy({
      servers: {
        everything: everythingServer(),
        memory: {
          command: process.execPath,
          args: [serverScript('server-memory')],
          env: { MEMORY_FILE_PATH: join(dir.path, 'memory.jsonl') },
        },
      },
      contextTracing: { sqlitePath: join(dir.path, 'tracing.db'), idleGapMs: 600_000 },
    });
    api = createAdminClient({ baseUrl: t.url.origin });
  });
  afterAll(async () => {
    await t?.close();
    dir.remove();
  });

  it('gives every tool result its response and unit in _meta, and get_trace resolves it', async () => {
    const result = await t.client.callTool({
      name: 'everything__echo',
      arguments: { message: 'traced hello' },
    });
    const trace = traceOf(result);
    expect(trace.responseId).toMatch(/^resp_/);
    expect(trace.unitId).toMatch(/^ctx_[\w-]{24}$/);
    expect(Object.keys(trace).sort()).toEqual(['responseId', 'unitId']);
    const got = await t.client.callTool({
      name: 'tracing__get_trace',
      arguments: { response_id: trace.responseId, format: 'json' },
    });
    expect(got.isError).toBeFalsy();
    expect(firstText(got)).toContain(trace.unitId);
    // The tracing server's own results are not context.
    expect(
      (got as { _meta?: Record<string, unknown> })._meta?.['switchyard/trace'],
    ).toBeUndefined();
  });

  it('reuses the unit for the same content, and makes version 2 of a changed one', async () => {
    const read = () => t.client.callTool({ name: 'memory__read_graph', arguments: {} });
    const first = traceOf(await read());
    const again = traceOf(await read());
    expect(again.unitId).toBe(first.unitId);
    await t.client.callTool({
      name: 'memory__create_entities',
      arguments: {
        entities: [{ name: 'Ada', entityType: 'person', observations: ['wrote code'] }],
      },
    });
    const changed = traceOf(await read());
    expect(changed.unitId).not.toBe(first.unitId);
    const history = json(
      await t.client.callTool({
        name: 'tracing__get_evolution_history',
        arguments: { context_unit_id: changed.unitId },
      }),
    );
    expect(JSON.stringify(history)).toContain(first.unitId);
    const unit = await api.traces.unit(changed.unitId);
    expect(unit.previousVersionId).toBe(first.unitId);
    expect(unit.versions.map((v) => v.version)).toEqual([1, 2]);
  });

  it('moves scores by the documented formula, and the quality resources follow', async () => {
    // A fresh response: close what this session has open, then retrieve two units.
    const sessions = await api.traces.sessions();
    for (const session of sessions) await api.traces.closeResponse(session.sessionId);
    const a = traceOf(
      await t.client.callTool({ name: 'everything__echo', arguments: { message: 'alpha' } }),
    );
    const b = traceOf(
      await t.client.callTool({ name: 'everything__echo', arguments: { message: 'beta beta' } }),
    );
    expect(b.responseId).toBe(a.responseId);
    const response = await api.traces.response(a.responseId);
    const weightOf = (id: string) => response.contexts.find((c) => c.unitId === id)?.weight ?? 0;
    expect(weightOf(a.unitId) + weightOf(b.unitId)).toBeCloseTo(1, 6);

    // First feedback on a unit sets its score to the feedback (W = 0).
    const first = await api.traces.submitFeedback({ responseId: a.responseId, score: 0.8 });
    expect(first.units.map((u) => u.newScore)).toEqual([0.8, 0.8]);
    // Second: (0.8·w + s·w) / (w + w) for the same weights w = each unit's weight in the response.
    const newer = traceOf(
      await t.client.callTool({ name: 'everything__echo', arguments: { message: 'alpha' } }),
    );
    expect(newer.unitId).toBe(a.unitId);
    expect(newer.responseId).not.toBe(a.responseId);
    const second = await api.traces.submitFeedback({ responseId: newer.responseId, score: -1 });
    const [unit] = second.units;
    const w1 = weightOf(a.unitId);
    const w2 = unit?.weight ?? 0;
    expect(unit?.oldScore).toBeCloseTo(0.8, 10);
    expect(unit?.newScore).toBeCloseTo((0.8 * w1 + -1 * w2) / (w1 + w2), 10);

    const top = await t.client.readResource({ uri: 'trace://quality/top-contexts' });
    const topText = JSON.stringify(top.contents);
    expect(topText).toContain(b.unitId);
    const feedback = await t.client.readResource({ uri: 'trace://quality/recent-feedback' });
    expect(JSON.stringify(feedback.contents)).toContain(newer.responseId);
  });

  it('narrows a response to the units an answer names', async () => {
    for (const session of await api.traces.sessions())
      await api.traces.closeResponse(session.sessionId);
    const used = traceOf(
      await t.client.callTool({ name: 'everything__echo', arguments: { message: 'used' } }),
    );
    const unused = traceOf(
      await t.client.callTool({ name: 'everything__echo', arguments: { message: 'not used' } }),
    );
    expect(unused.responseId).toBe(used.responseId);
    const recorded = await t.client.callTool({
      name: 'tracing__record_answer',
      arguments: { response_id: used.responseId, unit_ids: [used.unitId] },
    });
    expect(recorded.isError).toBeFalsy();
    const response = await api.traces.response(used.responseId);
    expect(response.contexts.map((c) => c.unitId)).toEqual([used.unitId]);
    expect(response.contexts[0]?.weight).toBeCloseTo(1, 10);
  });

  it('answers over HTTP, correlated by the traceparent of the calls', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const call = await t.client.callTool({
      name: 'everything__echo',
      arguments: { message: 'with a trace' },
      _meta: { traceparent },
    });
    const trace = traceOf(call);
    const result = await api.recordAnswer({ traceparent, unitIds: [trace.unitId] });
    expect(result.responseId).toBe(trace.responseId);
    expect(result.correlatedBy).toBe('traceparent');
    const timeline = await api.traces.timeline(result.sessionId);
    expect(timeline.some((e) => e.traceparent === traceparent && e.unitId === trace.unitId)).toBe(
      true,
    );
  });

  it('keeps every write: the stats count flushed records and nothing dropped', async () => {
    await until(async () => (await api.traces.stats()).queued === 0);
    const stats = await api.traces.stats();
    expect(stats.flushed).toBeGreaterThan(0);
    expect(stats.dropped).toBe(0);
  });
});
