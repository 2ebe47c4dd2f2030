import {
  ErrorCode,
  type JsonObject,
  type JsonRpcNotification,
  SwitchyardError,
} from '@switchyard/protocol';
import { ManualClock } from '@switchyard/protocol/testing';
import { describe, expect, it } from 'vitest';
import {
  connectFakeBackend,
  FakeTransport,
  settle,
  TEST_CLIENT_INFO,
} from './__fixtures__/fake-backend.js';
import { BackendSession } from './backend-session.js';
import type { Outcome } from './outcome.js';

function initializeResult(protocolVersion: unknown, extra: JsonObject = {}) {
  return {
    result: {
      protocolVersion,
      capabilities: { tools: { listChanged: true } },
      serverInfo: { name: 'fake', version: '1.0.0' },
      ...extra,
    },
  };
}

async function connectError(promise: Promise<void>): Promise<SwitchyardError> {
  const error = await promise.then(
    () => undefined,
    (cause: unknown) => cause,
  );
  expect(error).toBeInstanceOf(SwitchyardError);
  return error as SwitchyardError;
}

describe('BackendSession.connect', () => {
  it('offers the latest legacy revision with the proxy identity and capabilities', async () => {
    const transport = new FakeTransport({ initialize: () => initializeResult('2025-11-25') });
    const session = new BackendSession({
      name: 'alpha',
      transport,
      clientInfo: { name: 'switchyard-test', version: '9.9.9' },
      capabilities: { roots: { listChanged: true } },
    });
    await session.connect();
    expect(transport.started).toBe(true);
    expect(transport.requests('initialize')).toEqual([
      {
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: {
          protocolVersion: '2025-11-25',
          capabilities: { roots: { listChanged: true } },
          clientInfo: { name: 'switchyard-test', version: '9.9.9' },
        },
      },
    ]);
  });

  it('records what the backend answered and then sends notifications/initialized', async () => {
    const transport = new FakeTransport({
      initialize: () =>
        initializeResult('2025-06-18', { instructions: 'Use the search tool for lookups.' }),
    });
    const session = new BackendSession({ clientInfo: TEST_CLIENT_INFO, name: 'alpha', transport });
    await session.connect();
    expect(session.revision).toBe('2025-06-18');
    expect(session.serverCapabilities).toEqual({ tools: { listChanged: true } });
    expect(session.serverInfo).toEqual({ name: 'fake', version: '1.0.0' });
    expect(session.instructions).toBe('Use the search tool for lookups.');
    expect(transport.sent.map((m) => ('method' in m ? m.method : 'response'))).toEqual([
      'initialize',
      'notifications/initialized',
    ]);
  });

  it('accepts an older supported counter-offer, resolving the 2024-10-07 alias', async () => {
    const older = new BackendSession({
      clientInfo: TEST_CLIENT_INFO,
      name: 'old',
      transport: new FakeTransport({ initialize: () => initializeResult('2024-11-05') }),
    });
    await older.connect();
    expect(older.revision).toBe('2024-11-05');

    const aliased = new BackendSession({
      clientInfo: TEST_CLIENT_INFO,
      name: 'alias',
      transport: new FakeTransport({ initialize: () => initializeResult('2024-10-07') }),
    });
    await aliased.connect();
    expect(aliased.revision).toBe('2024-11-05');
  });

  it('treats missing or malformed capabilities as none', async () => {
    const session = new BackendSession({
      clientInfo: TEST_CLIENT_INFO,
      name: 'bare',
      transport: new FakeTransport({
        initialize: () => ({ result: { protocolVersion: '2025-03-26', capabilities: 'tools' } }),
      }),
    });
    await session.connect();
    expect(session.serverCapabilities).toEqual({});
    expect(session.serverInfo).toBeUndefined();
    expect(session.instructions).toBeUndefined();
  });

  it('rejects a 2026-07-28 counter-offer (not a handshake revision) and closes the transport', async () => {
    const transport = new FakeTransport({ initialize: () => initializeResult('2026-07-28') });
    const session = new BackendSession({ clientInfo: TEST_CLIENT_INFO, name: 'modern', transport });
    const error = await connectError(session.connect());
    expect(error.code).toBe('unsupported_revision');
    expect(error.message).toContain('"modern"');
    expect(error.message).toContain('2026-07-28');
    expect(transport.closed).toBe(true);
    expect(transport.notifications('notifications/initialized')).toEqual([]);
  });

  it('rejects an unknown or missing counter-offer', async () => {
    for (const offered of ['1999-01-01', undefined, 20251125]) {
      const transport = new FakeTransport({ initialize: () => initializeResult(offered) });
      const error = await connectError(
        new BackendSession({ clientInfo: TEST_CLIENT_INFO, name: 'odd', transport }).connect(),
      );
      expect(error.code).toBe('unsupported_revision');
      expect(transport.closed).toBe(true);
    }
  });

  it('fails with INITIALIZE_FAILED when the backend answers initialize with an error', async () => {
    const transport = new FakeTransport({
      initialize: () => ({ error: { code: -32603, message: 'database offline' } }),
    });
    const error = await connectError(
      new BackendSession({ clientInfo: TEST_CLIENT_INFO, name: 'db', transport }).connect(),
    );
    expect(error.code).toBe('initialize_failed');
    expect(error.message).toContain('"db"');
    expect(error.message).toContain('database offline');
    expect(transport.closed).toBe(true);
  });

  it('fails with INITIALIZE_FAILED when initialize is not answered in time', async () => {
    const clock = new ManualClock();
    const transport = new FakeTransport();
    const session = new BackendSession({
      clientInfo: TEST_CLIENT_INFO,
      name: 'silent',
      transport,
      clock,
      initializeTimeoutMs: 5_000,
    });
    const connecting = connectError(session.connect());
    await settle();
    clock.advance(5_000);
    const error = await connecting;
    expect(error.code).toBe('initialize_failed');
    expect(error.message).toContain('"silent"');
    expect(error.message).toContain('timed out');
    expect(transport.closed).toBe(true);
  });
});

describe('BackendSession requests', () => {
  it('mints its own ids, one per request, whatever the caller', async () => {
    const { session, transport } = await connectFakeBackend('alpha');
    const one = session.request('tools/list', undefined);
    const two = session.request('tools/list', undefined);
    expect(one.id).not.toBe(two.id);
    expect(transport.requests('tools/list').map((r) => r.id)).toEqual([one.id, two.id]);
    expect(typeof one.id).toBe('number');
  });

  it('keeps the ids of two backend sessions independent', async () => {
    const a = await connectFakeBackend('a');
    const b = await connectFakeBackend('b');
    a.session.request('ping', undefined);
    a.session.request('ping', undefined);
    const fromB = b.session.request('ping', undefined);
    expect(fromB.id).toBe(2);
  });

  it('sends params untouched and leaves them out when there are none', async () => {
    const { session, transport } = await connectFakeBackend('alpha');
    session.request('tools/call', { name: 'echo', arguments: { x: 1 }, _meta: { trace: 't' } });
    session.request('tools/list', undefined);
    const [call, list] = transport.requests().slice(-2);
    expect(call?.params).toEqual({ name: 'echo', arguments: { x: 1 }, _meta: { trace: 't' } });
    expect(list).not.toHaveProperty('params');
  });

  it('answers invalid params, sending nothing, for a request the transport cannot serialize', async () => {
    const { session, transport } = await connectFakeBackend('alpha');
    const sent = transport.requests().length;
    transport.send = () => {
      throw new RangeError('Maximum call stack size exceeded');
    };
    const pending = session.request('tools/call', { name: 'echo', arguments: {} });
    expect(await pending.outcome).toMatchObject({
      kind: 'error',
      error: { code: ErrorCode.InvalidParams },
    });
    expect(transport.requests()).toHaveLength(sent);
    expect(session.pending).toBe(0);
  });

  it('matches responses to requests by id, even out of order', async () => {
    const { session, transport } = await connectFakeBackend('alpha');
    const first = session.request('tools/call', { name: 'slow' });
    const second = session.request('tools/call', { name: 'fast' });
    transport.answer(second.id, { result: { content: [{ type: 'text', text: 'fast' }] } });
    transport.answer(first.id, { result: { content: [{ type: 'text', text: 'slow' }] } });
    expect(await first.outcome).toEqual({
      kind: 'result',
      result: { content: [{ type: 'text', text: 'slow' }] },
    });
    expect(await second.outcome).toEqual({
      kind: 'result',
      result: { content: [{ type: 'text', text: 'fast' }] },
    });
  });

  it('passes an error response through as an error outcome', async () => {
    const { session, transport } = await connectFakeBackend('alpha');
    const pending = session.request('tools/call', { name: 'x' });
    transport.answer(pending.id, { error: { code: -32602, message: 'Unknown tool: x' } });
    expect(await pending.outcome).toEqual({
      kind: 'error',
      error: { code: -32602, message: 'Unknown tool: x' },
    });
  });

  it('ignores responses with unknown ids or with ids it never mints', async () => {
    const { session, transport } = await connectFakeBackend('alpha');
    const pending = session.request('tools/list', undefined);
    let settled = false;
    void pending.outcome.then(() => {
      settled = true;
    });
    transport.answer(9_999, { result: {} });
    transport.answer(String(pending.id), { result: {} });
    await settle();
    expect(settled).toBe(false);
    transport.answer(pending.id, { result: { tools: [] } });
    expect(await pending.outcome).toEqual({ kind: 'result', result: { tools: [] } });
  });

  it('reports a failed send as -32010 naming the backend', async () => {
    const { session, transport } = await connectFakeBackend('alpha');
    transport.failSends = new Error('EPIPE');
    const outcome = await session.request('tools/list', undefined).outcome;
    expect(outcome).toMatchObject({
      kind: 'error',
      error: { code: ErrorCode.BackendUnavailable },
    });
    const message = outcome.kind === 'error' ? outcome.error.message : '';
    expect(message).toContain('"alpha"');
    expect(message).toContain('EPIPE');
  });
});

describe('BackendSession progress', () => {
  it('mints a progress token per request and routes its progress to the caller', async () => {
    const { session, transport } = await connectFakeBackend('alpha');
    const seen: JsonObject[] = [];
    const pending = session.request(
      'tools/call',
      { name: 'build', _meta: { progressToken: 'client-token', trace: 'keep' } },
      { onProgress: (params) => seen.push(params) },
    );
    const sent = transport.sentRequest('tools/call');
    const meta = sent.params?._meta as JsonObject;
    expect(typeof meta.progressToken).toBe('string');
    expect(meta.progressToken).not.toBe('client-token');
    expect(meta.trace).toBe('keep');

    transport.deliver({
      jsonrpc: '2.0',
      method: 'notifications/progress',
      params: { progressToken: meta.progressToken, progress: 1, total: 2 },
    });
    transport.deliver({
      jsonrpc: '2.0',
      method: 'notifications/progress',
      params: { progressToken: 'someone-else', progress: 1 },
    });
    expect(seen).toEqual([{ progressToken: meta.progressToken, progress: 1, total: 2 }]);

    transport.answer(pending.id, { result: {} });
    await pending.outcome;
    transport.deliver({
      jsonrpc: '2.0',
      method: 'notifications/progress',
      params: { progressToken: meta.progressToken, progress: 2, total: 2 },
    });
    expect(seen).toHaveLength(1);
  });

  it('gives concurrent requests different tokens', async () => {
    const { session, transport } = await connectFakeBackend('alpha');
    session.request('tools/call', { name: 'a' }, { onProgress: () => {} });
    session.request('tools/call', { name: 'b' }, { onProgress: () => {} });
    const tokens = transport
      .requests('tools/call')
      .map((r) => (r.params?._meta as JsonObject | undefined)?.progressToken);
    expect(new Set(tokens).size).toBe(2);
  });

  it('does not pass progress notifications on as ordinary notifications', async () => {
    const seen: JsonRpcNotification[] = [];
    const { transport } = await connectFakeBackend('alpha', {
      onNotification: (n) => seen.push(n),
    });
    transport.deliver({
      jsonrpc: '2.0',
      method: 'notifications/progress',
      params: { progressToken: 'stray', progress: 1 },
    });
    transport.deliver({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    expect(seen.map((n) => n.method)).toEqual(['notifications/tools/list_changed']);
  });
});

describe('BackendSession cancellation and timeouts', () => {
  it('cancels with notifications/cancelled carrying the backend id, and ends as cancelled', async () => {
    const { session, transport } = await connectFakeBackend('alpha');
    const pending = session.request('tools/call', { name: 'slow' });
    session.cancel(pending.id, 'user pressed stop');
    expect(transport.notifications('notifications/cancelled')).toEqual([
      {
        jsonrpc: '2.0',
        method: 'notifications/cancelled',
        params: { requestId: pending.id, reason: 'user pressed stop' },
      },
    ]);
    expect(await pending.outcome).toEqual({ kind: 'cancelled' });
    transport.answer(pending.id, { result: { late: true } });
    expect(await pending.outcome).toEqual({ kind: 'cancelled' });
  });

  it('leaves the reason out when none is given', async () => {
    const { session, transport } = await connectFakeBackend('alpha');
    const pending = session.request('tools/call', { name: 'slow' });
    session.cancel(pending.id);
    expect(transport.notifications('notifications/cancelled')[0]?.params).toEqual({
      requestId: pending.id,
    });
  });

  it('sends nothing when cancelling a request that already ended or never existed', async () => {
    const { session, transport } = await connectFakeBackend('alpha');
    const pending = session.request('tools/list', undefined);
    transport.answer(pending.id, { result: { tools: [] } });
    await pending.outcome;
    session.cancel(pending.id);
    session.cancel(12_345);
    expect(transport.notifications('notifications/cancelled')).toEqual([]);
  });

  it('times out: the backend is told with notifications/cancelled, the caller gets -32001', async () => {
    const clock = new ManualClock();
    const { session, transport } = await connectFakeBackend('alpha', { clock });
    const pending = session.request('tools/call', { name: 'hang' }, { timeoutMs: 1_000 });
    let outcome: Outcome | undefined;
    void pending.outcome.then((o) => {
      outcome = o;
    });
    clock.advance(999);
    await settle();
    expect(outcome).toBeUndefined();
    expect(transport.notifications('notifications/cancelled')).toEqual([]);

    clock.advance(1);
    await settle();
    expect(transport.notifications('notifications/cancelled')).toEqual([
      {
        jsonrpc: '2.0',
        method: 'notifications/cancelled',
        params: { requestId: pending.id, reason: 'timed out after 1000 ms' },
      },
    ]);
    expect(outcome).toMatchObject({ kind: 'error', error: { code: ErrorCode.RequestTimeout } });
    const message = outcome?.kind === 'error' ? outcome.error.message : '';
    expect(message).toContain('"alpha"');
    expect(message).toContain('1000 ms');
  });

  it('lets progress extend the timeout, but never beyond the maximum', async () => {
    const clock = new ManualClock();
    const { session, transport } = await connectFakeBackend('alpha', { clock });
    const pending = session.request(
      'tools/call',
      { name: 'long' },
      { timeoutMs: 1_000, maxTimeoutMs: 2_500, onProgress: () => {} },
    );
    let outcome: Outcome | undefined;
    void pending.outcome.then((o) => {
      outcome = o;
    });
    const token = transport.progressTokenOf('tools/call');
    const progress = () =>
      transport.deliver({
        jsonrpc: '2.0',
        method: 'notifications/progress',
        params: { progressToken: token as string, progress: 1 },
      });
    clock.advance(900);
    progress();
    clock.advance(900);
    await settle();
    expect(outcome).toBeUndefined();
    progress();
    clock.advance(699);
    await settle();
    expect(outcome).toBeUndefined();
    clock.advance(1);
    await settle();
    expect(outcome?.kind === 'error' && outcome.error.message).toBe(
      'Request to backend "alpha" timed out after 2500 ms (extended by progress, at most 2500 ms)',
    );
  });

  it('clears the timer when the response arrives in time', async () => {
    const clock = new ManualClock();
    const { session, transport } = await connectFakeBackend('alpha', { clock });
    const pending = session.request('tools/call', { name: 'quick' }, { timeoutMs: 1_000 });
    expect(clock.pending).toBe(1);
    transport.answer(pending.id, { result: { ok: true } });
    expect(await pending.outcome).toEqual({ kind: 'result', result: { ok: true } });
    expect(clock.pending).toBe(0);
    clock.advance(5_000);
    expect(transport.notifications('notifications/cancelled')).toEqual([]);
  });
});

describe('BackendSession close', () => {
  it('fails every pending request with -32010 naming the backend and the reason', async () => {
    const reasons: string[] = [];
    const transport = new FakeTransport({ initialize: () => initializeResult('2025-11-25') });
    const session = new BackendSession({
      clientInfo: TEST_CLIENT_INFO,
      name: 'alpha',
      transport,
      onClose: (reason) => reasons.push(reason),
    });
    await session.connect();
    const one = session.request('tools/call', { name: 'a' });
    const two = session.request('tools/list', undefined);
    transport.drop('process exited with code 1');
    for (const pending of [one, two]) {
      const outcome = await pending.outcome;
      expect(outcome).toMatchObject({
        kind: 'error',
        error: { code: ErrorCode.BackendUnavailable, data: { server: 'alpha' } },
      });
      const message = outcome.kind === 'error' ? outcome.error.message : '';
      expect(message).toContain('"alpha"');
      expect(message).toContain('process exited with code 1');
    }
    expect(session.closed).toBe('process exited with code 1');
    expect(reasons).toEqual(['process exited with code 1']);
  });

  it('answers requests made after the close at once, sending nothing', async () => {
    const { session, transport } = await connectFakeBackend('alpha');
    transport.drop('process exited with code 0');
    const before = transport.sent.length;
    const outcome = await session.request('tools/list', undefined).outcome;
    expect(outcome).toMatchObject({ kind: 'error', error: { code: ErrorCode.BackendUnavailable } });
    await session.notify('notifications/roots/list_changed');
    expect(transport.sent).toHaveLength(before);
  });

  it('reports the close only once', async () => {
    const reasons: string[] = [];
    const transport = new FakeTransport({ initialize: () => initializeResult('2025-11-25') });
    const session = new BackendSession({
      clientInfo: TEST_CLIENT_INFO,
      name: 'alpha',
      transport,
      onClose: (reason) => reasons.push(reason),
    });
    await session.connect();
    transport.drop('first');
    transport.drop('second');
    expect(session.closed).toBe('first');
    expect(reasons).toEqual(['first']);
  });

  it('closes the transport when the proxy closes it, failing what is pending', async () => {
    const { session, transport } = await connectFakeBackend('alpha');
    const pending = session.request('tools/call', { name: 'a' });
    await session.close();
    expect(transport.closed).toBe(true);
    const outcome = await pending.outcome;
    expect(outcome).toMatchObject({ kind: 'error', error: { code: ErrorCode.BackendUnavailable } });
    expect(outcome.kind === 'error' && outcome.error.message).toContain('closed by the proxy');
  });
});

describe('BackendSession requests from the backend', () => {
  it('answers ping with an empty result and the same id', async () => {
    const { transport } = await connectFakeBackend('alpha');
    transport.deliver({ jsonrpc: '2.0', id: 'srv-1', method: 'ping' });
    await settle();
    expect(transport.responses()).toEqual([{ jsonrpc: '2.0', id: 'srv-1', result: {} }]);
  });

  it('answers other requests with -32601 when nobody handles them', async () => {
    const { transport } = await connectFakeBackend('alpha');
    transport.deliver({ jsonrpc: '2.0', id: 7, method: 'sampling/createMessage', params: {} });
    await settle();
    expect(transport.responses()).toEqual([
      {
        jsonrpc: '2.0',
        id: 7,
        error: {
          code: ErrorCode.MethodNotFound,
          message: 'Method not found: sampling/createMessage',
        },
      },
    ]);
  });

  it('hands other requests to onRequest and sends back its outcome', async () => {
    const transport = new FakeTransport({ initialize: () => initializeResult('2025-11-25') });
    const session = new BackendSession({
      clientInfo: TEST_CLIENT_INFO,
      name: 'alpha',
      transport,
      onRequest: async (request) =>
        request.method === 'roots/list'
          ? { kind: 'result', result: { roots: [] } }
          : { kind: 'cancelled' },
    });
    await session.connect();
    transport.deliver({ jsonrpc: '2.0', id: 1, method: 'roots/list' });
    transport.deliver({ jsonrpc: '2.0', id: 2, method: 'elicitation/create', params: {} });
    await settle();
    expect(transport.responses()).toEqual([
      { jsonrpc: '2.0', id: 1, result: { roots: [] } },
      {
        jsonrpc: '2.0',
        id: 2,
        error: { code: ErrorCode.RequestTimeout, message: 'Request cancelled' },
      },
    ]);
  });
});
