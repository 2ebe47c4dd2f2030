import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@switchyard/protocol/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { TracingError } from './errors.js';
import { openSqliteStore } from './sqlite-store.js';
import type { TracerOptions } from './tracer.js';
import { createTracer } from './tracer.js';
import type { CaptureInput, Tracer } from './types.js';

const tracers: Tracer[] = [];
afterEach(async () => {
  for (const t of tracers.splice(0)) await t.close();
});

function setup(options: Partial<TracerOptions> = {}) {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const tracer = createTracer({ store: openSqliteStore({ file: ':memory:' }), clock, ...options });
  tracers.push(tracer);
  return { clock, tracer };
}

const text = (t: string) => ({ content: [{ type: 'text', text: t }] });
const call = (over: Partial<CaptureInput> = {}): CaptureInput => ({
  sessionId: 's1',
  server: 'git',
  kind: 'tool',
  name: 'status',
  arguments: { path: '.' },
  content: text('clean'),
  ...over,
});

describe('capture', () => {
  it('reuses the unit for the same content from the same source', () => {
    const { tracer } = setup();
    const a = tracer.capture(call({ arguments: { path: '.', all: true } }));
    const b = tracer.capture(call({ arguments: { all: true, path: '.' }, requestId: 2 }));
    expect(b.unitId).toBe(a.unitId);
    expect(a.unitId).toMatch(/^ctx_[\w-]{24}$/);
    expect(a.responseId).toMatch(/^resp_[0-9a-f-]{36}$/);
    expect(tracer.queries.unit(a.unitId)).toMatchObject({ version: 1, seenCount: 2 });
  });

  it('queues the writes of a deferred capture when run, or before any read or other write', () => {
    const runs: Array<() => void> = [];
    const { tracer } = setup({ defer: (run) => runs.push(run) });
    const a = tracer.capture(call());
    const b = tracer.capture(call({ content: text('dirty') }));
    expect(runs).toHaveLength(1);
    // Only the response row, opened by the first capture, is queued yet.
    expect(tracer.stats().queued).toBe(1);
    // A read drains first: the units and the capture rows are there.
    expect(tracer.queries.unit(b.unitId)).toMatchObject({
      version: 2,
      previousVersionId: a.unitId,
    });
    expect(tracer.queries.sessionTimeline('s1').map((c) => c.unitId)).toEqual([a.unitId, b.unitId]);
    runs[0]?.();
    const c = tracer.capture(call({ content: text('clean again') }));
    // Closing the response queues its lineage after the captures it refers to.
    expect(tracer.closeResponse('s1')).toBe(c.responseId);
    expect(tracer.queries.response(c.responseId)?.contexts).toHaveLength(3);
  });

  it('weighs a response closed before its captures’ deferred work ran with their real sizes', () => {
    const runs: Array<() => void> = [];
    const { tracer } = setup({ defer: (run) => runs.push(run) });
    const small = tracer.capture(call({ name: 'a', content: text('x') }));
    const large = tracer.capture(call({ name: 'b', content: text('y'.repeat(400)) }));
    // Nothing deferred has run: closing must still know the second unit is the larger one.
    tracer.closeResponse('s1');
    const weights = new Map(
      tracer.queries.response(small.responseId)?.contexts.map((c) => [c.unitId, c.weight]),
    );
    expect(weights.get(large.unitId)).toBeGreaterThan(weights.get(small.unitId) ?? 1);
  });

  it('ignores top-level _meta when deciding whether content is the same', () => {
    const { tracer } = setup();
    const a = tracer.capture(call());
    const b = tracer.capture(call({ content: { ...text('clean'), _meta: { at: 1 } } }));
    expect(b.unitId).toBe(a.unitId);
  });

  it('continues a source’s versions in another tracer on the same database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-versions-'));
    let closing: Tracer | undefined;
    try {
      const file = join(dir, 'trace.db');
      const clock = new ManualClock(Date.UTC(2026, 0, 1));
      const first = createTracer({ store: openSqliteStore({ file }), clock });
      const v1 = first.capture(call());
      const v2 = first.capture(call({ content: text('1 file changed') }));
      await first.close();
      // Nothing is loaded at start: the ids come from the content, the versions from the store.
      const second = createTracer({ store: openSqliteStore({ file }), clock });
      closing = second;
      expect(second.capture(call()).unitId).toBe(v1.unitId);
      const v3 = second.capture(call({ content: text('2 files changed') }));
      expect(second.queries.unit(v3.unitId)).toMatchObject({
        version: 3,
        previousVersionId: v2.unitId,
      });
      expect(second.queries.unit(v1.unitId)?.seenCount).toBe(2);
      expect(second.stats().knownUnits).toBe(3);
    } finally {
      await closing?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('makes changed content from the same source version 2, linked to version 1', () => {
    const { tracer } = setup();
    const v1 = tracer.capture(call());
    const v2 = tracer.capture(call({ content: text('1 file changed') }));
    expect(v2.unitId).not.toBe(v1.unitId);
    const v3 = tracer.capture(call({ content: text('2 files changed') }));
    const unit = tracer.queries.unit(v2.unitId);
    expect(unit?.previousVersionId).toBe(v1.unitId);
    const all = [
      [v1.unitId, 1],
      [v2.unitId, 2],
      [v3.unitId, 3],
    ];
    expect(unit?.versions.map((v) => [v.id, v.version])).toEqual(all);
    // The first version lists them too, though only the later ones are indexed by source.
    expect(tracer.queries.unit(v1.unitId)?.versions.map((v) => [v.id, v.version])).toEqual(all);
    const other = tracer.capture(
      call({ arguments: { path: 'src' }, content: text('1 file changed') }),
    );
    expect(tracer.queries.unit(other.unitId)?.version).toBe(1);
    expect(tracer.queries.unit(other.unitId)?.versions.map((v) => v.id)).toEqual([other.unitId]);
    // Content a source returned before is that version again, not a new one.
    expect(tracer.capture(call()).unitId).toBe(v1.unitId);
    const v4 = tracer.capture(call({ content: text('3 files changed') }));
    expect(tracer.queries.unit(v4.unitId)).toMatchObject({
      version: 4,
      previousVersionId: v3.unitId,
    });
  });

  it('describes the content: summary, token estimate, size and type', () => {
    const { tracer } = setup();
    const long = 'x'.repeat(450);
    const tool = tracer.capture(call({ content: text(long) }));
    const image = tracer.capture(
      call({
        name: 'shot',
        content: { content: [{ type: 'image', mimeType: 'image/png', data: 'A'.repeat(16384) }] },
      }),
    );
    const file = tracer.capture(
      call({
        kind: 'resource',
        name: 'file:///repo/README.md',
        arguments: undefined,
        content: { contents: [{ uri: 'file:///repo/README.md', text: '# Hi' }] },
      }),
    );
    const prompt = tracer.capture(
      call({
        kind: 'prompt',
        name: 'review',
        content: { messages: [{ role: 'assistant', content: { type: 'text', text: 'Sure' } }] },
      }),
    );
    const q = tracer.queries;
    expect(q.unit(tool.unitId)).toMatchObject({
      type: 'External',
      tokens: 113,
      summary: 'x'.repeat(200),
    });
    expect(q.unit(image.unitId)?.summary).toBe('[image image/png 12 KB]');
    expect(q.unit(file.unitId)).toMatchObject({
      type: 'User',
      kind: 'resource',
      summary: '# Hi',
      tokens: 1,
    });
    expect(q.unit(prompt.unitId)?.type).toBe('ModelState');
  });

  it('redacts before hashing and storing', () => {
    const redact = (v: unknown) => JSON.parse(JSON.stringify(v).replaceAll('s3cret', '[REDACTED]'));
    const { tracer } = setup({ redact });
    const a = tracer.capture(call({ content: text('token s3cret here') }));
    tracer.recordMessage('s1', 'backend', 'in', { result: text('s3cret') }, 'git');
    expect(tracer.queries.unit(a.unitId)?.summary).toBe('token [REDACTED] here');
    expect(JSON.stringify(tracer.queries.messages('s1'))).not.toContain('s3cret');
  });
});

describe('redaction with a secret set', () => {
  /**
   * The proxy's way (its secret set, `@switchyard/logging`): whole tokens redacted, and `mayHold`
   * true wherever the secret occurs at all; every value redacted is counted.
   */
  function withSecrets([secret]: [string]) {
    const token = new RegExp(`(?<!\\w)${secret}(?!\\w)`, 'g');
    const walk = (v: unknown): unknown => {
      if (typeof v === 'string') return v.replace(token, '[redacted]');
      if (Array.isArray(v)) return v.map(walk);
      if (typeof v !== 'object' || v === null) return v;
      return Object.fromEntries(Object.entries(v).map(([k, item]) => [walk(k), walk(item)]));
    };
    const secrets = { redactValue: walk, mayHold: (text: string) => text.includes(secret) };
    const redacted: unknown[] = [];
    const redact = (value: unknown) => {
      redacted.push(value);
      return secrets.redactValue(value);
    };
    return { redacted, ...setup({ redact, secretIn: (text) => secrets.mayHold(text) }) };
  }

  /** An exchange of session `s1` whose params and result crossed both hops as they are. */
  const tracedCall = (params: Record<string, unknown>, result: unknown) => ({
    sessionId: 's1',
    server: 'git',
    requestedAt: 1,
    answeredAt: 2,
    request: { jsonrpc: '2.0', id: 7, method: 'tools/call', params },
    forwarded: { jsonrpc: '2.0', method: 'tools/call', params },
    answer: { result },
    replyMeta: { 'switchyard/trace': { responseId: 'resp_1', unitId: 'ctx_1' } },
  });

  it('redacts a secret wherever a token of it stands, also after an escaped line break', () => {
    const { tracer } = withSecrets(['tok-12345']);
    const a = tracer.capture(
      call({ content: text('first\ntok-12345 second'), arguments: { key: 'tok-12345' } }),
    );
    const b = tracer.capture(call({ content: text('first\n[redacted] second'), requestId: 2 }));
    const unit = tracer.queries.unit(a.unitId);
    expect(unit?.summary).toBe('first [redacted] second');
    // The arguments were hashed redacted: the same source as `{ key: '[redacted]' }`.
    const plain = tracer.capture(
      call({ content: text('first\n[redacted] second'), arguments: { key: '[redacted]' } }),
    );
    expect(plain.unitId).toBe(a.unitId);
    expect(b.unitId).not.toBe(a.unitId);
    tracer.recordExchange(tracedCall({ token: 'tok-12345' }, text('line\ntok-12345')));
    const stored = JSON.stringify(tracer.queries.messages('s1'));
    expect(stored).not.toContain('tok-12345');
    expect(stored).toContain('[redacted]');
  });

  it('copies no value that holds no secret', () => {
    const { tracer, redacted } = withSecrets(['tok-12345']);
    tracer.capture(call({ content: text('nothing to hide'), arguments: { path: '.' } }));
    tracer.recordExchange(tracedCall({ name: 'status' }, text('clean')));
    expect(tracer.queries.messages('s1')).toHaveLength(4);
    expect(redacted).toEqual([]);
  });
});

describe('recordExchange', () => {
  const exchange = (
    result: unknown,
    reply: { reply?: unknown; replyMeta?: Record<string, unknown> },
  ) => ({
    sessionId: 's1',
    server: 'git',
    requestedAt: 1,
    answeredAt: 2,
    request: { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'git__status' } },
    forwarded: { jsonrpc: '2.0', method: 'tools/call', params: { name: 'status' } },
    answer: { result },
    ...reply,
  });

  it.each([
    ['without _meta', text('s3cret clean')],
    ['with a _meta of its own', { ...text('clean'), _meta: { kept: 's3cret' } }],
    ['empty', {}],
  ])('makes the reply from the answer’s text when only _meta ids were added (%s)', (_, result) => {
    const redact = (v: unknown) => JSON.parse(JSON.stringify(v).replaceAll('s3cret', '[R]'));
    const { tracer } = setup({ redact });
    const ids = { 'switchyard/trace': { responseId: 'resp_1', unitId: 'ctx_1' } };
    const r = result as Record<string, unknown>;
    const reply = {
      jsonrpc: '2.0',
      id: 7,
      result: { ...r, _meta: { ...(r._meta as object), ...ids } },
    };
    tracer.recordExchange(exchange(result, { replyMeta: ids }));
    tracer.recordExchange({ ...exchange(result, { reply }), sessionId: 's2' });
    const shared = tracer.queries.messages('s1');
    const explicit = tracer.queries.messages('s2');
    expect(shared.map((m) => m.message)).toEqual(explicit.map((m) => m.message));
    expect(shared[3]?.message).toEqual(redact(reply));
    expect(JSON.stringify(shared)).not.toContain('s3cret');
  });
});

describe('responses', () => {
  it('closes a response at 10,000 units, and the next capture opens another', () => {
    const { tracer } = setup();
    let first = tracer.capture(call({ arguments: { i: 0 } }));
    for (let i = 1; i < 10_000; i++) first = tracer.capture(call({ arguments: { i } }));
    const next = tracer.capture(call({ arguments: { i: 10_000 } }));
    expect(next.responseId).not.toBe(first.responseId);
    expect(tracer.queries.response(first.responseId)).toMatchObject({
      status: 'closed',
      closeReason: 'limit',
      unitCount: 10_000,
    });
    expect(tracer.queries.response(next.responseId)).toMatchObject({
      status: 'open',
      unitCount: 1,
    });
  });

  it('weighs a response closed at the limit, and queues its lineage, 500 units per deferred turn', () => {
    const runs: Array<() => void> = [];
    const store = openSqliteStore({ file: ':memory:' });
    const read: number[] = [];
    const units = store.units.bind(store);
    store.units = (ids) => {
      read.push(ids.length);
      return units(ids);
    };
    const { clock, tracer } = setup({ store, defer: (run) => runs.push(run) });
    // The same captures in a tracer that weighs at once: the weights must come out the same.
    const { tracer: direct } = setup({ clock });
    const nth = (i: number) =>
      call({
        kind: i % 3 === 0 ? 'resource' : 'tool',
        arguments: { i },
        content: text('x'.repeat(i % 97)),
      });
    let first = tracer.capture(nth(0));
    direct.capture(nth(0));
    for (let i = 1; i < 10_000; i++) {
      first = tracer.capture(nth(i));
      direct.capture(nth(i));
    }
    const closedAt = clock.now();
    // The closed response collects nothing more: the next capture opens another at once.
    const next = tracer.capture(call({ arguments: { i: 10_000 } }));
    expect(next.responseId).not.toBe(first.responseId);
    expect(read).toEqual([]);
    // Each turn reads the stored facts of one slice, never all 10,000 at once.
    let turns = 0;
    while (runs.length > 0) {
      (runs.shift() as () => void)();
      turns++;
    }
    expect(read).toEqual(Array.from({ length: 20 }, () => 500));
    // 20 turns read and weigh the units' own factors, 20 more queue the lineage in parts.
    expect(turns).toBeGreaterThanOrEqual(40);
    // Its batch goes out on the clock; the row keeps the time the response closed.
    clock.advance(1000);
    const closed = tracer.queries.response(first.responseId);
    expect(closed).toMatchObject({ status: 'closed', closeReason: 'limit', unitCount: 10_000 });
    expect(closed?.closedAt).toBe(closedAt);
    expect(closed?.contexts).toHaveLength(10_000);
    expect(closed?.contexts.reduce((sum, c) => sum + c.weight, 0)).toBeCloseTo(1, 9);
    const expected = direct.queries.responses({ sessionId: 's1' })[0];
    const weighed = direct.queries.response(expected?.id as string)?.contexts ?? [];
    const byUnit = new Map(weighed.map((c) => [c.unitId, c.weight]));
    expect(weighed).toHaveLength(10_000);
    for (const c of closed?.contexts ?? [])
      expect(c.weight).toBeCloseTo(byUnit.get(c.unitId) ?? -1, 12);
  });

  it('finishes a response still being weighed before any read, and at shutdown', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-closing-'));
    let reopened: Tracer | undefined;
    try {
      const file = join(dir, 'trace.db');
      const runs: Array<() => void> = [];
      const clock = new ManualClock(Date.UTC(2026, 0, 1));
      const options = { clock, idleGapMs: 60_000, defer: (run: () => void) => runs.push(run) };
      const tracer = createTracer({ store: openSqliteStore({ file }), ...options });
      const first = tracer.capture(call({ arguments: { i: 0 } }));
      for (let i = 1; i < 1200; i++) tracer.capture(call({ arguments: { i } }));
      // The idle gap closes it; nobody waits for its weights, so they come a slice at a time.
      clock.advance(60_000);
      const closedAt = clock.now();
      expect(tracer.stats().openResponses).toBe(0);
      (runs.shift() as () => void)();
      (runs.shift() as () => void)();
      // Two turns have run (the captures' writes, one slice): a read takes the rest at once.
      expect(tracer.queries.response(first.responseId)).toMatchObject({
        status: 'closed',
        closeReason: 'idle',
        unitCount: 1200,
        closedAt,
      });
      expect(tracer.queries.response(first.responseId)?.contexts).toHaveLength(1200);
      // Another, left before its first slice, is finished when the tracer closes.
      const second = tracer.capture(call({ sessionId: 's2', arguments: { i: 0 } }));
      for (let i = 1; i < 600; i++) tracer.capture(call({ sessionId: 's2', arguments: { i } }));
      clock.advance(60_000);
      await tracer.close();
      reopened = createTracer({ store: openSqliteStore({ file }), clock });
      const closed = reopened.queries.response(second.responseId);
      expect(closed).toMatchObject({ status: 'closed', closeReason: 'idle', unitCount: 600 });
      expect(closed?.contexts).toHaveLength(600);
    } finally {
      await reopened?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('groups a session’s captures until an explicit close', () => {
    const { tracer } = setup();
    const a = tracer.capture(call());
    const b = tracer.capture(call({ name: 'log', content: text('abc') }));
    const other = tracer.capture(call({ sessionId: 's2' }));
    expect(b.responseId).toBe(a.responseId);
    expect(other.responseId).not.toBe(a.responseId);
    expect(tracer.closeResponse('s1')).toBe(a.responseId);
    expect(tracer.closeResponse('s1')).toBeUndefined();
    const next = tracer.capture(call());
    expect(next.responseId).not.toBe(a.responseId);
    const r = tracer.queries.response(a.responseId);
    expect(r).toMatchObject({ status: 'closed', closeReason: 'explicit', unitCount: 2 });
    expect(r?.contexts.reduce((s, c) => s + c.weight, 0)).toBeCloseTo(1, 12);
  });

  it('closes after the idle gap without captures (fake clock)', () => {
    const { tracer, clock } = setup({ idleGapMs: 1000 });
    const a = tracer.capture(call());
    clock.advance(800);
    tracer.capture(call({ name: 'log' }));
    clock.advance(800);
    expect(tracer.queries.response(a.responseId)?.status).toBe('open');
    clock.advance(200);
    expect(tracer.queries.response(a.responseId)).toMatchObject({
      status: 'closed',
      closeReason: 'idle',
    });
    expect(tracer.capture(call()).responseId).not.toBe(a.responseId);
  });

  it('closes when feedback is submitted', () => {
    const { tracer } = setup();
    const a = tracer.capture(call());
    tracer.submitFeedback({ responseId: a.responseId, score: 1 });
    expect(tracer.queries.response(a.responseId)?.closeReason).toBe('feedback');
    expect(tracer.capture(call()).responseId).not.toBe(a.responseId);
  });

  it('shows an open response with the weights closing it would give', () => {
    const { tracer } = setup();
    const a = tracer.capture(call());
    const r = tracer.queries.response(a.responseId);
    expect(r).toMatchObject({
      status: 'open',
      unitCount: 1,
      contexts: [{ unitId: a.unitId, weight: 1 }],
    });
    expect(tracer.queries.responses({ sessionId: 's1' })[0]).toMatchObject({
      id: a.responseId,
      unitCount: 1,
    });
  });
});

describe('feedback', () => {
  it('moves each unit by the documented weighted running mean', () => {
    const { tracer } = setup();
    // Same instant, equal lengths: composites differ only by retrieval (0.4·r + 0.3 + 0.08 + 0.1).
    const a = tracer.capture(call({ name: 'a', content: text('aaaa'), retrieval: 1 }));
    const b = tracer.capture(call({ name: 'b', content: text('bbbb'), retrieval: 0 }));
    tracer.closeResponse('s1');
    const wa = 0.88 / 1.36;
    const wb = 0.48 / 1.36;
    const first = tracer.submitFeedback({
      responseId: a.responseId,
      score: 1,
      userId: 'ana',
      feedbackText: 'good',
    });
    expect(first.contextsUpdated).toBe(2);
    expect(first.units.find((u) => u.unitId === a.unitId)).toMatchObject({
      oldScore: 0,
      newScore: 1,
    });
    expect(first.units.find((u) => u.unitId === b.unitId)?.weight).toBeCloseTo(wb, 12);
    const second = tracer.submitFeedback({ responseId: a.responseId, score: -1 });
    // Each unit: (1·w − 1·w) / 2w = 0, whatever w.
    expect(second.units.map((u) => u.newScore)).toEqual([
      expect.closeTo(0, 12),
      expect.closeTo(0, 12),
    ]);
    // A new response where a weighs wa: (0·2wa + 1·wa) / 3wa = 1/3.
    tracer.capture(call({ name: 'a', content: text('aaaa'), retrieval: 1 }));
    const r2 = tracer.capture(call({ name: 'b', content: text('bbbb'), retrieval: 0 })).responseId;
    const third = tracer.submitFeedback({ responseId: r2, score: 1 });
    expect(third.units.find((u) => u.unitId === a.unitId)?.newScore).toBeCloseTo(1 / 3, 12);
    expect(tracer.queries.unit(a.unitId)).toMatchObject({
      feedbackCount: 3,
      scoreWeight: expect.closeTo(3 * wa, 12),
    });
    const recorded = tracer.queries.feedback({});
    expect(recorded).toHaveLength(3);
    expect(recorded[2]).toMatchObject({ userId: 'ana', feedbackText: 'good', score: 1 });
  });

  it('refuses scores outside [-1, 1] and unknown responses', () => {
    const { tracer } = setup();
    const a = tracer.capture(call());
    expect(() => tracer.submitFeedback({ responseId: a.responseId, score: 1.5 })).toThrow(
      TracingError,
    );
    expect(() => tracer.submitFeedback({ responseId: 'resp_nope', score: 1 })).toThrow(
      /No response/,
    );
  });
});

describe('recordAnswer', () => {
  it('narrows the response to the units named, by unit id and by request id', () => {
    const { tracer } = setup();
    const a = tracer.capture(call({ name: 'a', requestId: 1 }));
    const b = tracer.capture(call({ name: 'b', requestId: 'two' }));
    tracer.capture(call({ name: 'c', requestId: 3 }));
    const answer = tracer.recordAnswer({
      sessionId: 's1',
      unitIds: [a.unitId],
      requestIds: ['two'],
      agent: 'claude',
      model: 'opus',
    });
    expect(answer.correlatedBy).toBe('session');
    expect(answer.responseId).toBe(a.responseId);
    expect(answer.contexts.map((c) => c.unitId).sort()).toEqual([a.unitId, b.unitId].sort());
    const r = tracer.queries.response(a.responseId);
    expect(r).toMatchObject({
      status: 'closed',
      closeReason: 'answer',
      unitCount: 2,
      agent: 'claude',
      model: 'opus',
    });
    expect(r?.answer?.unitIds.sort()).toEqual([a.unitId, b.unitId].sort());
  });

  it('finds the unit of a request id among hundreds in a long open response', () => {
    const { tracer } = setup();
    // The open response keeps the latest 256 request ids; older ones come from the timeline.
    const first = tracer.capture(call({ name: 'n0', requestId: 0 }));
    for (let i = 1; i < 300; i++) tracer.capture(call({ name: `n${i}`, requestId: i }));
    const last = tracer.capture(call({ name: 'n300', requestId: 300 }));
    const answer = tracer.recordAnswer({ sessionId: 's1', requestIds: [0, 300] });
    expect(answer.contexts.map((c) => c.unitId).sort()).toEqual([first.unitId, last.unitId].sort());
    expect(tracer.queries.response(first.responseId)?.unitCount).toBe(2);
  });

  it('narrows a response that is already closed, and finds it by traceparent', () => {
    const { tracer } = setup();
    const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const a = tracer.capture(call({ name: 'a', traceparent: tp }));
    tracer.capture(call({ name: 'b' }));
    tracer.closeResponse('s1');
    const answer = tracer.recordAnswer({
      traceparent: tp.replace('b7ad6b7169203331', '00f067aa0ba902b7'),
      unitIds: [a.unitId],
      citations: [{ unitId: a.unitId, quote: 'clean' }],
    });
    expect(answer).toMatchObject({
      correlatedBy: 'traceparent',
      responseId: a.responseId,
      contexts: [{ unitId: a.unitId, weight: 1 }],
    });
    expect(tracer.queries.response(a.responseId)?.answer?.citations).toEqual([
      { unitId: a.unitId, quote: 'clean', note: null },
    ]);
    expect(tracer.queries.unit(a.unitId)?.impact).toEqual([
      expect.objectContaining({ responseId: a.responseId, weight: 1 }),
    ]);
  });

  it('refuses unknown responses, units and request ids', () => {
    const { tracer } = setup();
    const a = tracer.capture(call({ requestId: 1 }));
    expect(() => tracer.recordAnswer({ responseId: 'resp_x' })).toThrow(
      expect.objectContaining({ reason: 'not_found', code: 'not_found' }),
    );
    expect(() => tracer.recordAnswer({ responseId: a.responseId, unitIds: ['ctx_x'] })).toThrow(
      expect.objectContaining({ reason: 'invalid', code: 'invalid_params' }),
    );
    expect(() => tracer.recordAnswer({ responseId: a.responseId, requestIds: [9] })).toThrow(
      /request id 9/,
    );
    expect(() => tracer.recordAnswer({})).toThrow(expect.objectContaining({ reason: 'invalid' }));
  });
});

describe('options', () => {
  it('refuses factor weights that do not sum to 1 ± 0.01', () => {
    const store = openSqliteStore({ file: ':memory:' });
    expect(() =>
      createTracer({
        store,
        clock: new ManualClock(),
        weights: { retrieval: 1, recency: 1, type: 0, length: 0 },
      }),
    ).toThrow(/got 2/);
    store.close();
  });
});
