import { type JsonObject, type JsonRpcRequest, SwitchyardError } from '@switchyard/protocol';
import { ManualClock } from '@switchyard/protocol/testing';
import { describe, expect, it } from 'vitest';
import { FakeTransport, settle, TEST_CLIENT_INFO } from './__fixtures__/fake-backend.js';
import { BackendSession, type BackendSessionOptions } from './backend-session.js';
import type { Outcome } from './outcome.js';

const SERVER_INFO = 'io.modelcontextprotocol/serverInfo';
const VERSION = 'io.modelcontextprotocol/protocolVersion';
const CAPABILITIES = 'io.modelcontextprotocol/clientCapabilities';

function discoverResult(extra: JsonObject = {}) {
  return {
    result: {
      resultType: 'complete',
      supportedVersions: ['2026-07-28'],
      capabilities: { tools: { listChanged: true }, resources: { subscribe: true } },
      instructions: 'be modern',
      ttlMs: 60_000,
      cacheScope: 'public',
      _meta: { [SERVER_INFO]: { name: 'modern', version: '2.0.0' } },
      ...extra,
    },
  };
}

function session(transport: FakeTransport, extra: Partial<BackendSessionOptions> = {}) {
  return new BackendSession({
    name: 'm',
    transport,
    clientInfo: TEST_CLIENT_INFO,
    capabilities: { sampling: {}, elicitation: {} },
    ...extra,
  });
}

function metaOf(request: JsonRpcRequest): JsonObject {
  return (request.params?._meta ?? {}) as JsonObject;
}

describe('BackendSession with a modern backend', () => {
  it('discovers instead of initializing and presents the backend as 2025-11-25', async () => {
    const transport = new FakeTransport({ 'server/discover': () => discoverResult() });
    const backend = session(transport, { era: 'modern' });
    await backend.connect();
    expect(transport.requests('initialize')).toEqual([]);
    expect(backend.era).toBe('modern');
    expect(backend.revision).toBe('2025-11-25');
    expect(backend.serverInfo).toEqual({ name: 'modern', version: '2.0.0' });
    expect(backend.instructions).toBe('be modern');
    expect(backend.serverCapabilities).toEqual({
      tools: { listChanged: true },
      resources: { subscribe: true },
    });
    expect(metaOf(transport.sentRequest('server/discover'))).toEqual({
      [VERSION]: '2026-07-28',
      [CAPABILITIES]: { sampling: {}, elicitation: { form: {} } },
      'io.modelcontextprotocol/clientInfo': TEST_CLIENT_INFO,
    });
    expect(transport.notifications('notifications/initialized')).toEqual([]);
  });

  it('puts the envelope on every request and strips modern-only result keys', async () => {
    const transport = new FakeTransport({
      'server/discover': () => discoverResult(),
      'tools/list': () => ({
        result: {
          resultType: 'complete',
          ttlMs: 0,
          cacheScope: 'private',
          tools: [
            { name: 'ok', inputSchema: { type: 'object' } },
            {
              name: 'bad',
              inputSchema: {
                type: 'object',
                properties: { a: { type: 'string', 'x-mcp-header': 'Bad Name' } },
              },
            },
          ],
          _meta: { [SERVER_INFO]: { name: 'modern' } },
        },
      }),
    });
    const backend = session(transport, { era: 'modern' });
    await backend.connect();
    const outcome = await backend.request(
      'tools/list',
      {},
      { clientCapabilities: { roots: { listChanged: true } } },
    ).outcome;
    expect(outcome).toEqual({
      kind: 'result',
      result: { tools: [{ name: 'ok', inputSchema: { type: 'object' } }] },
    });
    expect(metaOf(transport.sentRequest('tools/list'))[CAPABILITIES]).toEqual({ roots: {} });
  });

  it('renumbers resource not found for legacy clients', async () => {
    const transport = new FakeTransport({
      'server/discover': () => discoverResult(),
      'resources/read': () => ({ error: { code: -32602, message: 'Resource not found: x://y' } }),
    });
    const backend = session(transport, { era: 'modern' });
    await backend.connect();
    const outcome = await backend.request('resources/read', { uri: 'x://y' }).outcome;
    expect(outcome).toMatchObject({ kind: 'error', error: { code: -32002 } });
  });

  it('answers ping with server/discover and keeps logging/setLevel for the envelope', async () => {
    const transport = new FakeTransport({
      'server/discover': () => discoverResult(),
      'tools/list': () => ({ result: { tools: [] } }),
    });
    const backend = session(transport, { era: 'modern' });
    await backend.connect();
    expect(await backend.request('ping', undefined).outcome).toEqual({
      kind: 'result',
      result: {},
    });
    expect(transport.requests('ping')).toEqual([]);
    expect(transport.requests('server/discover')).toHaveLength(2);
    await backend.request('logging/setLevel', { level: 'debug' }).outcome;
    expect(transport.requests('logging/setLevel')).toEqual([]);
    await backend.request('tools/list', {}).outcome;
    expect(metaOf(transport.sentRequest('tools/list'))['io.modelcontextprotocol/logLevel']).toBe(
      'debug',
    );
  });

  it('asks server/discover again once the cached result expired', async () => {
    const clock = new ManualClock();
    const transport = new FakeTransport({
      'server/discover': () => discoverResult({ ttlMs: 60_000 }),
      'tools/list': () => ({ result: { tools: [] } }),
    });
    const backend = session(transport, { era: 'modern', clock });
    await backend.connect();
    await backend.request('tools/list', {}).outcome;
    expect(transport.requests('server/discover')).toHaveLength(1);
    clock.advance(59_999);
    await backend.request('tools/list', {}).outcome;
    expect(transport.requests('server/discover')).toHaveLength(1);
    clock.advance(1);
    await backend.request('tools/list', {}).outcome;
    expect(transport.requests('server/discover')).toHaveLength(2);
  });

  it('runs MRTR: input requests go to the caller, the retry has a new id and the same state', async () => {
    let calls = 0;
    const transport = new FakeTransport({
      'server/discover': () => discoverResult(),
      'tools/call': (params) => {
        calls++;
        if (calls === 1) {
          return {
            result: {
              resultType: 'input_required',
              requestState: 'opaque-1',
              inputRequests: {
                ask: {
                  method: 'elicitation/create',
                  params: { mode: 'url', url: 'https://x.test', message: 'go' },
                },
                root: { method: 'roots/list' },
              },
            },
          };
        }
        return {
          result: {
            resultType: 'complete',
            content: [{ type: 'text', text: JSON.stringify(params?.inputResponses) }],
          },
        };
      },
    });
    const backend = session(transport, { era: 'modern' });
    await backend.connect();
    const asked: JsonRpcRequest[] = [];
    const outcome = await backend.request(
      'tools/call',
      { name: 't', arguments: { a: 1 } },
      {
        onServerRequest: async (request) => {
          asked.push(request);
          return {
            kind: 'result',
            result: request.method === 'roots/list' ? { roots: [] } : { action: 'accept' },
          };
        },
      },
    ).outcome;
    expect(asked.map((r) => r.method).sort()).toEqual(['elicitation/create', 'roots/list']);
    const elicitation = asked.find((r) => r.method === 'elicitation/create');
    expect(typeof elicitation?.params?.elicitationId).toBe('string');
    const [first, retry] = transport.requests('tools/call');
    expect(retry?.id).not.toBe(first?.id);
    expect(retry?.params).toMatchObject({
      name: 't',
      arguments: { a: 1 },
      requestState: 'opaque-1',
      inputResponses: { ask: { action: 'accept' }, root: { roots: [] } },
    });
    expect(outcome).toEqual({
      kind: 'result',
      result: {
        content: [{ type: 'text', text: '{"ask":{"action":"accept"},"root":{"roots":[]}}' }],
      },
    });
  });

  it('cancels an MRTR exchange while the client is being asked', async () => {
    const transport = new FakeTransport({
      'server/discover': () => discoverResult(),
      'tools/call': () => ({
        result: {
          resultType: 'input_required',
          inputRequests: { q: { method: 'sampling/createMessage', params: {} } },
        },
      }),
    });
    const backend = session(transport, { era: 'modern' });
    await backend.connect();
    const pending = backend.request(
      'tools/call',
      { name: 't' },
      { onServerRequest: () => new Promise<Outcome>(() => {}) },
    );
    await settle();
    backend.cancel(pending.id);
    expect(await pending.outcome).toEqual({ kind: 'cancelled' });
  });
});

describe('BackendSession era auto', () => {
  it('stays modern when server/discover answers a DiscoverResult', async () => {
    const eras: string[] = [];
    const transport = new FakeTransport({ 'server/discover': () => discoverResult() });
    const backend = session(transport, { era: 'auto', onEra: (era) => eras.push(era) });
    await backend.connect();
    expect(backend.era).toBe('modern');
    expect(eras).toEqual(['modern']);
  });

  it('falls back to initialize on a non-modern error', async () => {
    const eras: string[] = [];
    const transport = new FakeTransport({
      'server/discover': () => ({ error: { code: -32000, message: 'Server not initialized' } }),
      initialize: () => ({
        result: { protocolVersion: '2025-06-18', capabilities: {}, serverInfo: { name: 'old' } },
      }),
    });
    const backend = session(transport, { era: 'auto', onEra: (era) => eras.push(era) });
    await backend.connect();
    expect(backend.era).toBe('legacy');
    expect(backend.revision).toBe('2025-06-18');
    expect(eras).toEqual(['legacy']);
  });

  it('falls back to initialize when the probe times out', async () => {
    const clock = new ManualClock();
    const transport = new FakeTransport({
      initialize: () => ({ result: { protocolVersion: '2025-11-25', capabilities: {} } }),
    });
    const backend = session(transport, { era: 'auto', clock, probeTimeoutMs: 100 });
    const connecting = backend.connect();
    await settle();
    clock.advance(100);
    await connecting;
    expect(backend.era).toBe('legacy');
  });

  it('treats a modern error as modern evidence and fails the connect', async () => {
    const eras: string[] = [];
    const transport = new FakeTransport({
      'server/discover': () => ({ error: { code: -32020, message: 'Header mismatch' } }),
    });
    const backend = session(transport, { era: 'auto', onEra: (era) => eras.push(era) });
    await expect(backend.connect()).rejects.toThrow(/Header mismatch/);
    expect(eras).toEqual(['modern']);
    expect(transport.requests('initialize')).toEqual([]);
  });

  it('records legacy when the backend exits during the probe', async () => {
    const eras: string[] = [];
    const transport = new FakeTransport({
      'server/discover': () => {
        transport.onclose?.('exited with code 1');
        return undefined;
      },
    });
    const backend = session(transport, { era: 'auto', onEra: (era) => eras.push(era) });
    await expect(backend.connect()).rejects.toThrow(/era probe/);
    expect(eras).toEqual(['legacy']);
  });

  it('does not take HTTP 401 as era evidence', async () => {
    const eras: string[] = [];
    const transport = new FakeTransport();
    transport.failSends = new SwitchyardError('backend_unavailable', 'HTTP 401', { status: 401 });
    const backend = session(transport, { era: 'auto', onEra: (era) => eras.push(era) });
    await expect(backend.connect()).rejects.toThrow(/HTTP 401/);
    expect(eras).toEqual([]);
  });
});

describe('BackendSession with a modern backend: subscriptions', () => {
  const LISTEN = 'subscriptions/listen';

  function filters(transport: FakeTransport): unknown[] {
    return transport.requests(LISTEN).map((r) => r.params?.notifications);
  }

  it('listens for list changes at once and for subscribed URIs, reopening as they change', async () => {
    const transport = new FakeTransport({ 'server/discover': () => discoverResult() });
    const notified: unknown[] = [];
    const backend = session(transport, {
      era: 'modern',
      onNotification: (n) => notified.push(n),
    });
    await backend.connect();
    expect(filters(transport)).toEqual([{ toolsListChanged: true }]);
    expect(backend.pending).toBe(0);

    await backend.request('resources/subscribe', { uri: 'x://a' }).outcome;
    await backend.request('resources/subscribe', { uri: 'x://a' }).outcome;
    expect(filters(transport)).toEqual([
      { toolsListChanged: true },
      { toolsListChanged: true, resourceSubscriptions: ['x://a'] },
    ]);
    expect(transport.requests('resources/subscribe')).toEqual([]);
    const [first, second] = transport.requests(LISTEN);
    // The replaced stream is ended (on stdio by notifications/cancelled).
    expect(transport.notifications('notifications/cancelled')).toEqual([
      { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: first?.id } },
    ]);

    const meta = { 'io.modelcontextprotocol/subscriptionId': second?.id };
    transport.onmessage?.({
      jsonrpc: '2.0',
      method: 'notifications/subscriptions/acknowledged',
      params: { notifications: {}, _meta: meta },
    });
    transport.onmessage?.({
      jsonrpc: '2.0',
      method: 'notifications/resources/updated',
      params: { uri: 'x://a', _meta: meta },
    });
    expect(notified).toEqual([
      { jsonrpc: '2.0', method: 'notifications/resources/updated', params: { uri: 'x://a' } },
    ]);

    // Two clients subscribed: the first unsubscribe leaves the filter as it is.
    await backend.request('resources/unsubscribe', { uri: 'x://a' }).outcome;
    expect(transport.requests(LISTEN)).toHaveLength(2);
    await backend.request('resources/unsubscribe', { uri: 'x://a' }).outcome;
    expect(filters(transport)[2]).toEqual({ toolsListChanged: true });
  });

  it('reopens a stream that ended on its own, after a pause', async () => {
    const clock = new ManualClock();
    const transport = new FakeTransport({ 'server/discover': () => discoverResult() });
    const backend = session(transport, { era: 'modern', clock });
    await backend.connect();
    const first = transport.requests(LISTEN)[0];
    transport.answer(first?.id ?? 0, { result: { resultType: 'complete' } });
    await settle();
    expect(transport.requests(LISTEN)).toHaveLength(1);
    clock.advance(1_000);
    expect(transport.requests(LISTEN)).toHaveLength(2);
  });
});
