import { ErrorCode, type JsonObject } from '@switchyard/protocol';
import { describe, expect, it } from 'vitest';
import { FakeTransport, settle, TEST_CLIENT_INFO } from './__fixtures__/fake-backend.js';
import { createHarness, echoCall, resultOf, toolsNamed } from './__fixtures__/router-harness.js';
import { BackendSession } from './backend-session.js';
import type { SessionOwner } from './directory.js';

describe('requests', () => {
  it('answers ping itself', async () => {
    const h = await createHarness([{ name: 'alpha' }]);
    expect(await h.client().request('ping')).toEqual({ jsonrpc: '2.0', id: 1, result: {} });
    expect(h.backend('alpha').transport.requests('ping')).toEqual([]);
  });

  it('answers an unknown method with -32601', async () => {
    const h = await createHarness([{ name: 'alpha' }]);
    expect(await h.client().request('tools/explode')).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: { code: ErrorCode.MethodNotFound, message: 'Method not found: tools/explode' },
    });
  });

  it('keeps the client id exactly as sent, string or number', async () => {
    const h = await createHarness([
      { name: 'alpha', handlers: { 'tools/call': echoCall('alpha') } },
    ]);
    const client = h.client();
    expect((await client.request('tools/call', { name: 'alpha__x' }, 'req-7')).id).toBe('req-7');
    expect((await client.request('tools/call', { name: 'alpha__x' }, 0)).id).toBe(0);
    const backendIds = h
      .backend('alpha')
      .transport.requests('tools/call')
      .map((r) => r.id);
    expect(backendIds).not.toContain('req-7');
    expect(backendIds?.every((id) => typeof id === 'number')).toBe(true);
  });

  it('gives two clients that use the same id their own answers', async () => {
    const h = await createHarness([
      {
        name: 'alpha',
        handlers: {
          'tools/call': (params) => ({
            result: {
              content: [
                { type: 'text', text: String((params?.arguments as JsonObject | undefined)?.who) },
              ],
            },
          }),
        },
      },
    ]);
    const [one, two] = [h.client(), h.client()];
    const [a, b] = await Promise.all([
      one.request('tools/call', { name: 'alpha__who', arguments: { who: 'one' } }, 1),
      two.request('tools/call', { name: 'alpha__who', arguments: { who: 'two' } }, 1),
    ]);
    expect(resultOf(a).content).toEqual([{ type: 'text', text: 'one' }]);
    expect(resultOf(b).content).toEqual([{ type: 'text', text: 'two' }]);
    const ids = h
      .backend('alpha')
      .transport.requests('tools/call')
      .map((r) => r.id);
    expect(new Set(ids).size).toBe(2);
  });

  it('fans logging/setLevel out to the backends that log', async () => {
    const h = await createHarness([
      {
        name: 'logs',
        capabilities: { logging: {} },
        handlers: { 'logging/setLevel': () => ({ result: {} }) },
      },
      { name: 'mute', capabilities: { tools: {} } },
    ]);
    expect(await h.client().request('logging/setLevel', { level: 'debug' })).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: {},
    });
    expect(h.backend('logs').transport.sentRequest('logging/setLevel').params).toEqual({
      level: 'debug',
    });
    expect(h.backend('mute').transport.requests('logging/setLevel')).toEqual([]);
  });

  it('answers logging/setLevel even when a backend never does', async () => {
    const h = await createHarness(
      [
        {
          name: 'stuck',
          capabilities: { logging: {} },
          handlers: { 'logging/setLevel': () => undefined },
        },
      ],
      { requestTimeoutMs: 5_000 },
    );
    const response = h.client().request('logging/setLevel', { level: 'info' });
    await settle();
    h.clock.advance(5_000);
    expect(await response).toEqual({ jsonrpc: '2.0', id: 1, result: {} });
  });

  it('rejects logging/setLevel without a level', async () => {
    const h = await createHarness([{ name: 'alpha' }]);
    expect(await h.client().request('logging/setLevel', {})).toMatchObject({
      error: { code: ErrorCode.InvalidParams },
    });
  });

  it('ignores responses from the client (the session never asks it anything)', async () => {
    const h = await createHarness([{ name: 'alpha' }]);
    const client = h.client();
    client.session.handle({ jsonrpc: '2.0', id: 99, result: {} });
    await settle();
    expect(client.received).toEqual([]);
  });
});

describe('cancellation', () => {
  it('maps a client notifications/cancelled to the backend id and sends no response', async () => {
    const h = await createHarness([{ name: 'alpha', handlers: { 'tools/call': () => undefined } }]);
    const client = h.client();
    void client.request('tools/call', { name: 'alpha__slow' }, 'client-42');
    await settle();
    const sent = h.backend('alpha').transport.sentRequest('tools/call');
    client.notify('notifications/cancelled', { requestId: 'client-42', reason: 'user stop' });
    expect(h.backend('alpha').transport.notifications('notifications/cancelled')).toEqual([
      {
        jsonrpc: '2.0',
        method: 'notifications/cancelled',
        params: { requestId: sent.id, reason: 'user stop' },
      },
    ]);
    h.backend('alpha').transport.answer(sent.id, { result: { late: true } });
    await settle();
    expect(client.responsesTo('client-42')).toEqual([]);
  });

  it('ignores a cancellation for a request it does not know', async () => {
    const h = await createHarness([{ name: 'alpha', handlers: { 'tools/call': () => undefined } }]);
    const client = h.client();
    void client.request('tools/call', { name: 'alpha__slow' }, 1);
    await settle();
    client.notify('notifications/cancelled', { requestId: 2 });
    client.notify('notifications/cancelled', { requestId: null });
    client.notify('notifications/cancelled');
    expect(h.backend('alpha').transport.notifications('notifications/cancelled')).toEqual([]);
  });

  it('does not let one client cancel the request of another that used the same id', async () => {
    const h = await createHarness([{ name: 'alpha', handlers: { 'tools/call': () => undefined } }]);
    const [one, two] = [h.client(), h.client()];
    void one.request('tools/call', { name: 'alpha__slow' }, 5);
    await settle();
    two.notify('notifications/cancelled', { requestId: 5 });
    expect(h.backend('alpha').transport.notifications('notifications/cancelled')).toEqual([]);
  });

  it('cancels its in-flight requests at their backends when the session closes', async () => {
    const h = await createHarness([
      { name: 'alpha', handlers: { 'tools/call': () => undefined } },
      { name: 'beta', handlers: { 'tools/call': () => undefined } },
    ]);
    const client = h.client();
    void client.request('tools/call', { name: 'alpha__slow' });
    void client.request('tools/call', { name: 'beta__slow' });
    await settle();
    expect(h.router.sessionCount).toBe(1);
    client.session.close();
    expect(h.router.sessionCount).toBe(0);
    for (const name of ['alpha', 'beta']) {
      const transport = h.backend(name).transport;
      expect(transport.notifications('notifications/cancelled')).toEqual([
        {
          jsonrpc: '2.0',
          method: 'notifications/cancelled',
          params: {
            requestId: transport.sentRequest('tools/call').id,
            reason: 'client session closed',
          },
        },
      ]);
    }
    await settle();
    expect(client.received).toEqual([]);
  });

  it('ignores messages once closed, and router.close closes every session', async () => {
    const h = await createHarness([{ name: 'alpha' }]);
    const one = h.client();
    h.client();
    h.router.close();
    expect(h.router.sessionCount).toBe(0);
    one.session.handle({ jsonrpc: '2.0', id: 1, method: 'ping' });
    await settle();
    expect(one.received).toEqual([]);
  });
});

describe("the session's own limit", () => {
  it('queues a client over its limit and refuses it only when its queue is full', async () => {
    const refused: Array<{ server: string; reason: string }> = [];
    const h = await createHarness(
      [{ name: 'alpha', handlers: { 'tools/call': () => undefined } }],
      {
        maxConcurrentRequests: 2,
        maxQueuedRequests: 1,
        observer: { requestRefused: (record) => refused.push(record) },
      },
    );
    const client = h.client();
    const transport = h.backend('alpha').transport;
    void client.request('tools/call', { name: 'alpha__x' }, 'a');
    void client.request('tools/call', { name: 'alpha__x' }, 'b');
    const waiting = client.request('ping', undefined, 'c');
    const over = await client.request('ping', undefined, 'd');
    expect(over).toMatchObject({
      error: {
        code: ErrorCode.Overloaded,
        message:
          'Too many requests: this session has 2 in flight and 1 waiting; retry after 1000 ms',
        data: { reason: 'queue_full', retryAfterMs: 1000 },
      },
    });
    expect(refused).toEqual([{ server: '', reason: 'queue_full' }]);
    // Another client is not held by this one's limit.
    expect(await h.client().request('ping')).toMatchObject({ result: {} });
    await settle();
    transport.answer(transport.sentRequest('tools/call').id, { result: { content: [] } });
    expect(await waiting).toMatchObject({ id: 'c', result: {} });
  });

  it('takes a cancelled request out of its queue without an answer', async () => {
    const h = await createHarness(
      [{ name: 'alpha', handlers: { 'tools/call': () => undefined } }],
      { maxConcurrentRequests: 1 },
    );
    const client = h.client();
    const transport = h.backend('alpha').transport;
    void client.request('tools/call', { name: 'alpha__x' }, 'a');
    void client.request('tools/call', { name: 'alpha__x' }, 'b');
    await settle();
    client.notify('notifications/cancelled', { requestId: 'b' });
    transport.answer(transport.sentRequest('tools/call').id, { result: { content: [] } });
    await settle();
    expect(transport.requests('tools/call')).toHaveLength(1);
    expect(client.responsesTo('b')).toEqual([]);
  });

  it('cancels at the backend a request the client cancelled on its way there', async () => {
    const h = await createHarness([{ name: 'alpha', handlers: { 'tools/call': () => undefined } }]);
    const client = h.client();
    const transport = h.backend('alpha').transport;
    void client.request('tools/call', { name: 'alpha__x' }, 'a');
    client.notify('notifications/cancelled', { requestId: 'a' });
    await settle();
    const sent = transport.sentRequest('tools/call');
    expect(transport.notifications('notifications/cancelled')).toEqual([
      {
        jsonrpc: '2.0',
        method: 'notifications/cancelled',
        params: { requestId: sent.id, reason: 'cancelled by the client' },
      },
    ]);
    expect(client.responsesTo('a')).toEqual([]);
  });
});

describe('counting requests', () => {
  it('reports every client request once: the backend it went to, or "" when the proxy answered', async () => {
    const records: Array<{ server: string; method: string; status: string }> = [];
    const h = await createHarness(
      [
        {
          name: 'alpha',
          handlers: { 'tools/call': echoCall('alpha'), 'tools/list': toolsNamed('x') },
        },
      ],
      {
        observer: {
          requestCompleted: ({ server, method, status, durationSeconds }) => {
            expect(durationSeconds).toBeGreaterThanOrEqual(0);
            records.push({ server, method, status });
          },
        },
      },
    );
    const client = await h.initializedClient();
    await client.request('tools/list');
    await client.request('ping');
    await client.request('tools/call', { name: 'alpha__x' });
    await client.request('tools/call', { name: 'nobody__x' });
    await client.request('logging/setLevel', { level: 'info' });
    await client.request('tools/explode');
    expect(records).toEqual([
      { server: '', method: 'initialize', status: 'ok' },
      { server: '', method: 'tools/list', status: 'ok' },
      { server: '', method: 'ping', status: 'ok' },
      { server: 'alpha', method: 'tools/call', status: 'ok' },
      { server: '', method: 'tools/call', status: 'error' },
      { server: '', method: 'logging/setLevel', status: 'ok' },
      { server: '', method: 'tools/explode', status: 'error' },
    ]);
  });

  it('measures from receipt to reply on the clock, and counts a cancelled request as cancelled', async () => {
    const records: Array<{ server: string; status: string; durationSeconds: number }> = [];
    const h = await createHarness(
      [{ name: 'alpha', handlers: { 'tools/call': () => undefined } }],
      {
        observer: {
          requestCompleted: ({ server, status, durationSeconds }) =>
            records.push({ server, status, durationSeconds }),
        },
      },
    );
    const client = h.client();
    const transport = h.backend('alpha').transport;
    const answered = client.request('tools/call', { name: 'alpha__x' }, 'a');
    void client.request('tools/call', { name: 'alpha__x' }, 'b');
    await settle();
    h.clock.advance(250);
    transport.answer(transport.sentRequest('tools/call').id, { result: { content: [] } });
    await answered;
    client.notify('notifications/cancelled', { requestId: 'b' });
    await settle();
    expect(records).toEqual([
      { server: 'alpha', status: 'ok', durationSeconds: 0.25 },
      { server: 'alpha', status: 'cancelled', durationSeconds: 0.25 },
    ]);
  });
});

describe('backend sessions of one client alone (sessions: per-client)', () => {
  /** A harness whose backend `own` opens a fresh fake session per client, recording each. */
  async function perClient() {
    const h = await createHarness([{ name: 'own', handlers: { 'tools/list': toolsNamed('t') } }]);
    const opened: Array<{ transport: FakeTransport; owner: SessionOwner }> = [];
    h.directory.update('own', {
      openPrivate: async (owner) => {
        const transport = new FakeTransport(
          {
            initialize: (params) => ({
              result: {
                protocolVersion: String(params?.protocolVersion),
                capabilities: { tools: {}, logging: {} },
                serverInfo: { name: 'own', version: '1' },
              },
            }),
            'tools/call': () => undefined,
            'logging/setLevel': () => ({ result: {} }),
          },
          true,
        );
        const session: BackendSession = new BackendSession({
          clientInfo: TEST_CLIENT_INFO,
          name: 'own',
          transport,
          capabilities: owner.capabilities,
          onRequest: (request) => owner.onRequest(session, request),
          onNotification: (n) => owner.onNotification(n),
          onClose: (reason) => owner.onClose(session, reason),
        });
        await session.connect();
        opened.push({ transport, owner });
        return session;
      },
    });
    return { h, opened };
  }

  it('opens one session per client on first call, declaring what that client can answer', async () => {
    const { h, opened } = await perClient();
    const a = h.client();
    await a.request('initialize', {
      protocolVersion: '2025-06-18',
      capabilities: { sampling: {}, roots: { listChanged: true }, experimental: { x: {} } },
      clientInfo: { name: 'a', version: '1' },
    });
    a.notify('notifications/initialized');
    const b = await h.initializedClient();
    void a.request('tools/call', { name: 'own__t' });
    void a.request('tools/call', { name: 'own__t' });
    void b.request('tools/call', { name: 'own__t' });
    await settle();
    expect(opened).toHaveLength(2);
    const [first, second] = opened;
    expect(first?.transport.sentRequest('initialize').params?.capabilities).toEqual({
      sampling: {},
      roots: { listChanged: true },
    });
    expect(first?.transport.requests('tools/call')).toHaveLength(2);
    expect(second?.transport.sentRequest('initialize').params?.capabilities).toEqual({});
    expect(h.backend('own').transport.requests('tools/call')).toEqual([]);
  });

  it('holds a backend request until its client has sent notifications/initialized', async () => {
    const { h, opened } = await perClient();
    const a = h.client();
    await a.request('initialize', {
      protocolVersion: '2025-11-25',
      capabilities: { roots: {} },
      clientInfo: { name: 'a', version: '1' },
    });
    void a.request('tools/call', { name: 'own__t' });
    await settle();
    opened[0]?.transport.deliver({ jsonrpc: '2.0', id: 'r1', method: 'roots/list' });
    await settle();
    expect(
      a.received.filter(({ message }) => 'method' in message && message.method === 'roots/list'),
    ).toEqual([]);
    a.notify('notifications/initialized');
    await settle();
    const asked = a.received.find(
      ({ message }) => 'method' in message && message.method === 'roots/list',
    );
    expect(asked).toBeDefined();
  });

  it("gives a private session's log messages to its client only, and closes it with the client", async () => {
    const { h, opened } = await perClient();
    const a = await h.initializedClient();
    const b = await h.initializedClient();
    void a.request('tools/call', { name: 'own__t' });
    await settle();
    opened[0]?.transport.deliver({
      jsonrpc: '2.0',
      method: 'notifications/message',
      params: { level: 'info', data: 'for a' },
    });
    expect(a.notifications('notifications/message')).toHaveLength(1);
    expect(b.notifications('notifications/message')).toEqual([]);
    await a.session.close();
    expect(opened[0]?.transport.closed).toBe(true);
  });

  it('closes the sessions of its clients when the server stops (disabled, removed, reloaded)', async () => {
    const { h, opened } = await perClient();
    const a = await h.initializedClient();
    void a.request('tools/call', { name: 'own__t' });
    await settle();
    h.directory.update('own', { state: 'stopping' });
    h.router.backendsChanged('own');
    await settle();
    expect(opened[0]?.transport.closed).toBe(true);
    h.directory.update('own', { state: 'running' });
    void a.request('tools/call', { name: 'own__t' });
    await settle();
    expect(opened).toHaveLength(2);
  });

  it("fans the client's logging/setLevel out to its own backend sessions too", async () => {
    const { h, opened } = await perClient();
    const a = await h.initializedClient();
    void a.request('tools/call', { name: 'own__t' });
    await settle();
    await a.request('logging/setLevel', { level: 'debug' });
    expect(opened[0]?.transport.requests('logging/setLevel')).toEqual([
      expect.objectContaining({ params: { level: 'debug' } }),
    ]);
  });
});

describe('URL-mode elicitation (2025-11-25)', () => {
  it('sends notifications/elicitation/complete only to the client that was asked', async () => {
    const h = await createHarness([{ name: 'alpha', handlers: { 'tools/call': () => undefined } }]);
    const asked = h.client();
    await asked.request('initialize', {
      protocolVersion: '2025-11-25',
      capabilities: { elicitation: { url: {} } },
      clientInfo: { name: 'asked', version: '1' },
    });
    asked.notify('notifications/initialized');
    const other = await h.initializedClient();
    void asked.request('tools/call', { name: 'alpha__login' });
    await settle();
    const transport = h.backend('alpha').transport;
    transport.deliver({
      jsonrpc: '2.0',
      id: 'e1',
      method: 'elicitation/create',
      params: {
        mode: 'url',
        message: 'Sign in',
        url: 'https://example.org',
        elicitationId: 'el-1',
      },
    });
    await settle();
    const request = asked.received.find(
      ({ message }) => 'method' in message && message.method === 'elicitation/create',
    );
    expect(request?.message).toMatchObject({ params: { elicitationId: 'el-1', mode: 'url' } });
    transport.deliver({
      jsonrpc: '2.0',
      method: 'notifications/elicitation/complete',
      params: { elicitationId: 'el-1' },
    });
    expect(asked.notifications('notifications/elicitation/complete')).toHaveLength(1);
    expect(other.notifications('notifications/elicitation/complete')).toEqual([]);
  });
});
