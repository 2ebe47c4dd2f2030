import {
  type JsonRpcMessage,
  type JsonRpcRequest,
  MetaKey,
  type ModernEnvelope,
  type SessionSink,
} from '@switchyard/protocol';
import { ManualClock } from '@switchyard/protocol/testing';
import { describe, expect, it } from 'vitest';
import type { FrontSession } from './front-session.js';
import { signalCancellation } from './internal/modern-session.js';
import { ModernBridge, type ModernShared } from './modern-bridge.js';

const envelope: ModernEnvelope = {
  version: '2026-07-28',
  capabilities: { sampling: {} },
  clientInfo: { name: 'c', version: '1' },
};

/**
 * A bridge over fake router sessions that answer `initialize`, echo every other request's params
 * as its result (or hold it when its method is `slow`), and ask the client for sampling on
 * `tools/call`.
 */
function setup() {
  const clock = new ManualClock();
  const shared: ModernShared[] = [];
  const opened: { info: unknown; handled: JsonRpcMessage[]; closed: boolean }[] = [];
  const sinks: SessionSink[] = [];
  const held: { sink: SessionSink; request: JsonRpcRequest }[] = [];
  const bridge = new ModernBridge({
    clock,
    transport: 'streamable-http',
    idleMs: 1_000,
    onShared: (event) => shared.push(event),
    openSession: (sink, info): FrontSession => {
      sinks.push(sink);
      const record = { info, handled: [] as JsonRpcMessage[], closed: false };
      opened.push(record);
      return {
        handle: (message) => {
          record.handled.push(message);
          if (!('method' in message) || !('id' in message)) return;
          if (message.method === 'initialize') {
            sink({
              jsonrpc: '2.0',
              id: message.id,
              result: {
                protocolVersion: '2025-11-25',
                capabilities: {
                  tools: { listChanged: true },
                  resources: { subscribe: true },
                  logging: {},
                },
                serverInfo: { name: 'switchyard', version: '9' },
                instructions: 'be kind',
              },
            });
          } else if (message.method === 'resources/subscribe' && message.params?.uri === 'bad://') {
            sink({ jsonrpc: '2.0', id: message.id, error: { code: -32601, message: 'no' } });
          } else if (message.method === 'slow') {
            held.push({ sink, request: message });
          } else {
            if (message.method === 'tools/call') {
              sink({ jsonrpc: '2.0', id: 'ask-1', method: 'sampling/createMessage' }, message.id);
              sink(
                { jsonrpc: '2.0', method: 'notifications/progress', params: { progress: 1 } },
                message.id,
              );
            }
            sink({ jsonrpc: '2.0', id: message.id, result: { echo: message.params ?? null } });
          }
        },
        close: () => {
          record.closed = true;
        },
      };
    },
  });
  return { bridge, clock, opened, held, sinks, shared };
}

function call(id: number | string, method: string, params: Record<string, unknown> = {}) {
  const _meta = {
    [MetaKey.protocolVersion]: '2026-07-28',
    [MetaKey.clientCapabilities]: {},
    progressToken: 'p',
  };
  return { jsonrpc: '2.0' as const, id, method, params: { ...params, _meta } };
}

/** Lets the bridge's pending promises run (the synthetic initialize, the request it sends). */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('ModernBridge', () => {
  it('opens one internal session per principal with a synthetic initialize, and reuses it', async () => {
    const t = setup();
    await t.bridge.request({ request: call(1, 'tools/list'), envelope, principal: 'a' });
    await t.bridge.request({ request: call(1, 'tools/list'), envelope, principal: 'a' });
    await t.bridge.request({ request: call(1, 'tools/list'), envelope, principal: 'b' });
    expect(t.opened).toHaveLength(2);
    const first = t.opened[0];
    expect(first?.info).toEqual({ transport: 'streamable-http', principal: 'a' });
    expect(first?.handled[0]).toMatchObject({
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: envelope.clientInfo },
    });
    expect(first?.handled[1]).toEqual({ jsonrpc: '2.0', method: 'notifications/initialized' });
  });

  it('opens one internal session per client program of a principal, up to 32, then shares one', async () => {
    const t = setup();
    const as = (name: string, version = '1'): ModernEnvelope => ({
      ...envelope,
      clientInfo: { name, version },
    });
    const list = (e: ModernEnvelope) =>
      t.bridge.request({ request: call(1, 'tools/list'), envelope: e, principal: 'a' });
    await list(as('ide'));
    await list(as('ide'));
    await list(as('cli'));
    await list(as('ide', '2'));
    await list(as('star', '*'));
    const names = () => t.opened.map((o) => (o.handled[0] as JsonRpcRequest).params?.clientInfo);
    expect(names()).toEqual([
      { name: 'ide', version: '1' },
      { name: 'cli', version: '1' },
      { name: 'ide', version: '2' },
      { name: 'star', version: '*' },
    ]);
    for (let i = 4; i < 32; i++) await list(as(`tool-${i}`));
    expect(t.opened).toHaveLength(32);
    expect(t.shared).toEqual([]);
    // The 33rd and 34th programs share a session, opened as no client in particular; the first
    // ones keep their own.
    await list(as('extra-1'));
    await list(as('extra-2'));
    await list(as('ide'));
    expect(t.opened).toHaveLength(33);
    expect(names()[32]).toEqual({ name: 'modern-client', version: '0' });
    expect(t.opened[32]?.handled.filter((m) => 'id' in m && m.id !== undefined)).toHaveLength(3);
    // Heard once, when the shared session opened, with the first program past the limit.
    expect(t.shared).toEqual([
      { principal: 'a', clientInfo: { name: 'extra-1', version: '1' }, limit: 32 },
    ]);
    // Another principal is counted on its own.
    await t.bridge.request({ request: call(1, 'tools/list'), envelope: as('x'), principal: 'b' });
    expect(names()[33]).toEqual({ name: 'x', version: '1' });
  });

  it('forwards without the envelope, under its own ids, and answers in the modern shape', async () => {
    const t = setup();
    const answer = await t.bridge.request({ request: call(7, 'tools/list'), envelope });
    const forwarded = t.opened[0]?.handled[2] as JsonRpcRequest;
    expect(forwarded.id).not.toBe(7);
    expect(forwarded.params).toEqual({ _meta: { progressToken: 'p' } });
    expect(answer).toEqual({
      jsonrpc: '2.0',
      id: 7,
      result: {
        echo: { _meta: { progressToken: 'p' } },
        resultType: 'complete',
        ttlMs: 0,
        cacheScope: 'private',
        _meta: { [MetaKey.serverInfo]: { name: 'switchyard', version: '9' } },
      },
    });
  });

  it('refuses a backend request its call outran, passes the request its progress, and still answers', async () => {
    const t = setup();
    const progress: unknown[] = [];
    const answer = await t.bridge.request({
      request: call(3, 'tools/call', { name: 'x' }),
      envelope,
      notify: (n) => progress.push(n),
    });
    expect(t.opened[0]?.handled).toContainEqual({
      jsonrpc: '2.0',
      id: 'ask-1',
      error: expect.objectContaining({ code: -32603 }),
    });
    expect(progress).toEqual([
      { jsonrpc: '2.0', method: 'notifications/progress', params: { progress: 1 } },
    ]);
    expect(answer).toMatchObject({ id: 3, result: { resultType: 'complete' } });
  });

  it('cancels the internal request when the client gives up', async () => {
    const t = setup();
    const abort = new AbortController();
    const pending = t.bridge.request({
      request: call(4, 'slow'),
      envelope,
      cancelled: signalCancellation(abort.signal),
    });
    await flush();
    abort.abort();
    expect(await pending).toMatchObject({ id: 4, error: { code: -32000 } });
    const sent = t.opened[0]?.handled.at(-1);
    expect(sent).toMatchObject({ method: 'notifications/cancelled' });
  });

  it('closes an internal session idle for idleMs on the clock, and opens a new one after', async () => {
    const t = setup();
    await t.bridge.request({ request: call(1, 'tools/list'), envelope });
    t.clock.advance(999);
    expect(t.opened[0]?.closed).toBe(false);
    t.clock.advance(1);
    expect(t.opened[0]?.closed).toBe(true);
    expect(t.bridge.sessionCount).toBe(0);
    await t.bridge.request({ request: call(2, 'tools/list'), envelope });
    expect(t.opened).toHaveLength(2);
  });

  it('counts idleness from the last request, and never ends a session with a request in flight', async () => {
    const t = setup();
    await t.bridge.request({ request: call(1, 'tools/list'), envelope });
    t.clock.advance(600);
    await t.bridge.request({ request: call(2, 'tools/list'), envelope });
    t.clock.advance(400);
    t.clock.advance(599);
    expect(t.opened[0]?.closed).toBe(false);
    const slow = t.bridge.request({ request: call(3, 'slow'), envelope });
    t.clock.advance(5_000);
    expect(t.opened[0]?.closed).toBe(false);
    const held = t.held[0];
    if (!held) throw new Error('the slow request did not reach the session');
    held.sink({ jsonrpc: '2.0', id: held.request.id, result: {} });
    expect(await slow).toMatchObject({ id: 3, result: { resultType: 'complete' } });
    t.clock.advance(999);
    expect(t.opened[0]?.closed).toBe(false);
    t.clock.advance(1);
    expect(t.opened[0]?.closed).toBe(true);
    expect(t.bridge.sessionCount).toBe(0);
  });

  it('answers server/discover from a fresh initialize, closing its session', async () => {
    const t = setup();
    const answer = await t.bridge.discover({ request: call(9, 'server/discover'), envelope });
    expect(answer).toMatchObject({
      id: 9,
      result: {
        supportedVersions: ['2026-07-28', '2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'],
        capabilities: { tools: {} },
        instructions: 'be kind',
        resultType: 'complete',
        ttlMs: 0,
        cacheScope: 'private',
      },
    });
    expect(t.opened[0]?.closed).toBe(true);
  });

  it('gives requests waiting at close an error', async () => {
    const t = setup();
    const pending = t.bridge.request({ request: call(5, 'slow'), envelope });
    await flush();
    t.bridge.close();
    expect(await pending).toMatchObject({ id: 5, error: { code: -32000 } });
  });

  it('serves subscriptions/listen: acknowledgement first, admitted notifications, unsubscribe at close', async () => {
    const t = setup();
    const abort = new AbortController();
    const sent: JsonRpcMessage[] = [];
    const notifications = {
      toolsListChanged: true,
      promptsListChanged: true,
      resourceSubscriptions: ['a://1', 'bad://'],
    };
    const answer = t.bridge.listen({
      request: call(3, 'subscriptions/listen', { notifications }),
      envelope,
      notify: (m) => sent.push(m),
      cancelled: signalCancellation(abort.signal),
    });
    await flush();
    const sink = t.sinks[0];
    sink?.({ jsonrpc: '2.0', method: 'notifications/prompts/list_changed' });
    sink?.({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    sink?.({ jsonrpc: '2.0', method: 'notifications/resources/updated', params: { uri: 'a://1' } });
    sink?.({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info' } });
    const meta = { [MetaKey.subscriptionId]: 3 };
    expect(sent).toEqual([
      {
        jsonrpc: '2.0',
        method: 'notifications/subscriptions/acknowledged',
        params: {
          notifications: { toolsListChanged: true, resourceSubscriptions: ['a://1'] },
          _meta: meta,
        },
      },
      { jsonrpc: '2.0', method: 'notifications/tools/list_changed', params: { _meta: meta } },
      {
        jsonrpc: '2.0',
        method: 'notifications/resources/updated',
        params: { uri: 'a://1', _meta: meta },
      },
    ]);
    abort.abort();
    await answer;
    const methods = t.opened[0]?.handled.map((m) => ('method' in m ? m.method : 'answer'));
    expect(methods?.slice(2)).toEqual([
      'resources/subscribe',
      'resources/subscribe',
      'resources/unsubscribe',
    ]);
    expect(t.opened[0]?.handled.at(-1)).toMatchObject({ params: { uri: 'a://1' } });
    expect(t.opened[0]?.closed).toBe(true);
  });

  it('ends a listen stream at shutdown with a SubscriptionsListenResult', async () => {
    const t = setup();
    const answer = t.bridge.listen({
      request: call('l', 'subscriptions/listen', { notifications: {} }),
      envelope,
    });
    await flush();
    t.bridge.close();
    expect(await answer).toEqual({
      jsonrpc: '2.0',
      id: 'l',
      result: {
        resultType: 'complete',
        _meta: {
          [MetaKey.subscriptionId]: 'l',
          [MetaKey.serverInfo]: { name: 'switchyard', version: '9' },
        },
      },
    });
  });
});
