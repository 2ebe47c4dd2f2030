import {
  isJsonObject,
  type JsonObject,
  type JsonRpcMessage,
  type JsonRpcRequest,
  type JsonRpcResponse,
  MetaKey,
  type ModernEnvelope,
  type SessionSink,
} from '@switchyard/protocol';
import { ManualClock } from '@switchyard/protocol/testing';
import { describe, expect, it } from 'vitest';
import type { FrontSession } from '../front-session.js';
import { ModernBridge, type ModernDrop } from '../modern-bridge.js';
import { signalCancellation } from './modern-session.js';

/**
 * MRTR emulated over a legacy backend (MCP 2026-07-28, Basic: Multi Round-Trip Requests;
 * docs/protocol-versions.md, "The modern era (2026-07-28)"), through a {@link ModernBridge} over a
 * fake router session whose tools ask the client things, as a legacy backend's would.
 */

const capabilities = { sampling: {}, elicitation: {}, roots: {} };
const envelopeBase: ModernEnvelope = {
  version: '2026-07-28',
  capabilities,
  clientInfo: { name: 'c', version: '1' },
};
const envelope = envelopeBase;
const TTL = 60_000;

type Ask = (method: string, params?: JsonObject) => Promise<JsonRpcResponse>;
type Tool = (ask: Ask, send: (message: JsonRpcMessage) => void) => Promise<JsonObject>;

/** The fake backend's tools, by name: each may ask the client, and returns its result. */
const TOOLS: Record<string, Tool> = {
  ask: async (ask) => {
    const answer = await ask('elicitation/create', {
      message: 'Name?',
      requestedSchema: { type: 'object', properties: { name: { type: 'string' } } },
    });
    return { content: [{ type: 'text', text: JSON.stringify(answer) }] };
  },
  both: async (ask) => {
    const answers = await Promise.all([
      ask('elicitation/create', { message: 'Name?', requestedSchema: { type: 'object' } }),
      ask('sampling/createMessage', { messages: [], maxTokens: 5 }),
    ]);
    return { content: [{ type: 'text', text: JSON.stringify(answers) }] };
  },
  staggered: async (ask) => {
    // Two requests a few reads apart, as a pipe may deliver a burst.
    const first = ask('elicitation/create', {
      message: 'Name?',
      requestedSchema: { type: 'object' },
    });
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
    const second = ask('sampling/createMessage', { messages: [], maxTokens: 5 });
    return {
      content: [{ type: 'text', text: JSON.stringify(await Promise.all([first, second])) }],
    };
  },
  twice: async (ask) => {
    const first = await ask('roots/list');
    const second = await ask('sampling/createMessage', { messages: [], maxTokens: 5 });
    return { content: [{ type: 'text', text: JSON.stringify([first, second]) }] };
  },
  hang: async (ask) => {
    await ask('elicitation/create', { message: 'Name?', requestedSchema: { type: 'object' } });
    return new Promise<JsonObject>(() => {});
  },
  never: () => new Promise<JsonObject>(() => {}),
  refused: async () => {
    throw new Error('Method not found: the client did not declare elicitation');
  },
};

function setup(options: { onDropped?: (drop: ModernDrop) => void; inputCollectMs?: number } = {}) {
  const clock = new ManualClock();
  const handled: JsonRpcMessage[] = [];
  const sinks: SessionSink[] = [];
  const initialized: unknown[] = [];
  const waiting = new Map<unknown, (answer: JsonRpcResponse) => void>();
  let asks = 0;
  let urlCalls = 0;
  const bridge = new ModernBridge({
    clock,
    transport: 'streamable-http',
    requestStateTtlMs: TTL,
    // The fake backend's requests arrive in one turn; the collection window has a test of its own.
    inputCollectMs: options.inputCollectMs ?? 0,
    ...(options.onDropped ? { onDropped: options.onDropped } : {}),
    openSession: (sink): FrontSession => {
      sinks.push(sink);
      const serve = async (message: JsonRpcRequest) => {
        const name = String(message.params?.name);
        if (name === 'url' && ++urlCalls <= 2) {
          const elicitations = [
            { mode: 'url', elicitationId: 'e1', url: 'https://x.test/a', message: 'Sign in' },
          ];
          const error = {
            code: -32042,
            message: 'URL elicitation required',
            data: { elicitations },
          };
          sink({ jsonrpc: '2.0', id: message.id, error });
          return;
        }
        const ask: Ask = (method, params) =>
          new Promise((resolve) => {
            const id = `b-${++asks}`;
            waiting.set(id, resolve);
            sink({ jsonrpc: '2.0', id, method, ...(params ? { params } : {}) }, message.id);
          });
        const tool = TOOLS[name];
        try {
          const result = tool ? await tool(ask, sink) : { content: [] };
          sink({ jsonrpc: '2.0', id: message.id, result });
        } catch (error) {
          sink({
            jsonrpc: '2.0',
            id: message.id,
            error: { code: -32601, message: (error as Error).message },
          });
        }
      };
      return {
        handle: (message) => {
          handled.push(message);
          if (!('method' in message)) {
            if ('id' in message) waiting.get(message.id)?.(message);
            return;
          }
          if (!('id' in message)) return;
          if (message.method === 'initialize') {
            initialized.push(message.params?.capabilities);
            sink({
              jsonrpc: '2.0',
              id: message.id,
              result: {
                protocolVersion: '2025-11-25',
                capabilities: { tools: {} },
                serverInfo: { name: 'switchyard', version: '9' },
              },
            });
          } else if (message.method === 'tools/call') void serve(message);
          else if (message.method === 'tools/list') {
            sink({ jsonrpc: '2.0', id: 'stray', method: 'roots/list' }, message.id);
            sink({ jsonrpc: '2.0', id: message.id, result: { tools: [] } });
          }
        },
        close: () => {},
      };
    },
  });
  return { bridge, clock, handled, sinks, initialized };
}

function call(id: number, name: string, extra: JsonObject = {}, meta: JsonObject = {}) {
  const _meta = {
    [MetaKey.protocolVersion]: '2026-07-28',
    [MetaKey.clientCapabilities]: capabilities,
    ...meta,
  };
  return {
    jsonrpc: '2.0' as const,
    id,
    method: 'tools/call',
    params: { name, arguments: { a: 1 }, ...extra, _meta },
  };
}

/** The `result` of an answer, failing the test when it is an error. */
function resultOf(answer: JsonRpcResponse): JsonObject {
  if (!('result' in answer)) throw new Error(`expected a result: ${JSON.stringify(answer)}`);
  return answer.result;
}

function stateOf(answer: JsonRpcResponse): { state: string; keys: string[]; requests: JsonObject } {
  const result = resultOf(answer);
  expect(result.resultType).toBe('input_required');
  const requests = isJsonObject(result.inputRequests) ? result.inputRequests : {};
  return { state: String(result.requestState), keys: Object.keys(requests), requests };
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));
const accepted = { action: 'accept', content: { name: 'Ada' } };
const sampled = { role: 'assistant', content: { type: 'text', text: 'hi' }, model: 'm' };

describe('MRTR over a legacy backend', () => {
  it('declares the client’s sampling, elicitation and roots to the internal session', async () => {
    const t = setup();
    await t.bridge.request({
      request: call(1, 'none'),
      envelope: { ...envelope, capabilities: { ...capabilities, experimental: {} } },
    });
    expect(t.initialized).toEqual([capabilities]);
  });

  it('answers a backend elicitation with InputRequiredResult, and its retry with the final result', async () => {
    const t = setup();
    const first = await t.bridge.request({ request: call(1, 'ask'), envelope, principal: 'p' });
    const { state, keys, requests } = stateOf(first);
    expect(keys).toEqual(['elicitation-1']);
    expect(requests['elicitation-1']).toMatchObject({
      method: 'elicitation/create',
      params: { message: 'Name?' },
    });
    expect(resultOf(first)._meta).toEqual({
      [MetaKey.serverInfo]: { name: 'switchyard', version: '9' },
    });
    const retry = call(2, 'ask', {
      inputResponses: { 'elicitation-1': accepted },
      requestState: state,
    });
    const final = await t.bridge.request({ request: retry, envelope, principal: 'p' });
    expect(resultOf(final)).toMatchObject({ resultType: 'complete' });
    expect(JSON.stringify(resultOf(final).content)).toContain('Ada');
    expect(t.handled).toContainEqual({ jsonrpc: '2.0', id: 'b-1', result: accepted });
  });

  it('puts backend requests that arrive together in one round', async () => {
    const t = setup();
    const first = await t.bridge.request({ request: call(1, 'both'), envelope });
    const { state, keys } = stateOf(first);
    expect(keys).toEqual(['elicitation-1', 'sampling-2']);
    const inputResponses = { 'elicitation-1': accepted, 'sampling-2': sampled };
    const final = await t.bridge.request({
      request: call(2, 'both', { inputResponses, requestState: state }),
      envelope,
    });
    expect(resultOf(final).resultType).toBe('complete');
  });

  it('collects requests that arrive within the window, across reads, into one round', async () => {
    const t = setup({ inputCollectMs: 25 });
    const answer = t.bridge.request({ request: call(1, 'staggered'), envelope });
    for (let i = 0; i < 10; i++) await flush();
    t.clock.advance(25);
    expect(stateOf(await answer).keys).toEqual(['elicitation-1', 'sampling-2']);
  });

  it('runs as many rounds as the backend asks, each state good once', async () => {
    const t = setup();
    const one = stateOf(await t.bridge.request({ request: call(1, 'twice'), envelope }));
    expect(one.requests).toEqual({ 'roots-1': { method: 'roots/list' } });
    const roots = { roots: [{ uri: 'file:///w' }] };
    const retry = (id: number, state: string, key: string, response: JsonObject) =>
      t.bridge.request({
        request: call(id, 'twice', { inputResponses: { [key]: response }, requestState: state }),
        envelope,
      });
    const two = stateOf(await retry(2, one.state, 'roots-1', roots));
    expect(two.keys).toEqual(['sampling-2']);
    const replayed = await retry(3, one.state, 'roots-1', roots);
    expect(replayed).toMatchObject({
      id: 3,
      error: { code: -32602, data: { reason: 'replayed' } },
    });
    const final = await retry(4, two.state, 'sampling-2', sampled);
    expect(resultOf(final).resultType).toBe('complete');
    expect(await retry(5, two.state, 'sampling-2', sampled)).toMatchObject({
      error: { code: -32602, data: { reason: 'replayed' } },
    });
  });

  it('refuses a tampered state, another principal’s and another request’s', async () => {
    const t = setup();
    const { state } = stateOf(
      await t.bridge.request({ request: call(1, 'ask'), envelope, principal: 'a' }),
    );
    const [body = '', mac = ''] = state.split('.');
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString()) as unknown[];
    payload[2] = 'b';
    const forged = `${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${mac}`;
    const retry = (id: number, extra: JsonObject, principal: string, name = 'ask') =>
      t.bridge.request({ request: call(id, name, extra), envelope, principal });
    const inputResponses = { 'elicitation-1': accepted };
    const reasons = await Promise.all([
      retry(2, { inputResponses, requestState: forged }, 'b'),
      retry(3, { inputResponses, requestState: state }, 'b'),
      retry(4, { inputResponses, requestState: state }, 'a', 'other'),
    ]);
    expect(reasons.map((r) => ('error' in r ? [r.error.code, r.error.data] : r))).toEqual([
      [-32602, { reason: 'tampered' }],
      [-32602, { reason: 'another_principal' }],
      [-32602, { reason: 'digest_mismatch' }],
    ]);
    expect(reasons[1]).toMatchObject({
      error: { message: expect.stringContaining('another principal') },
    });
    const final = await retry(6, { inputResponses, requestState: state }, 'a');
    expect(resultOf(final).resultType).toBe('complete');
  });

  it('on expiry refuses the backend request, cancels the call, and refuses the late retry', async () => {
    const t = setup();
    const { state } = stateOf(await t.bridge.request({ request: call(1, 'ask'), envelope }));
    t.clock.advance(TTL - 1);
    expect(t.handled.some((m) => 'method' in m && m.method === 'notifications/cancelled')).toBe(
      false,
    );
    t.clock.advance(1);
    expect(t.handled).toContainEqual({
      jsonrpc: '2.0',
      id: 'b-1',
      error: expect.objectContaining({ code: -32603 }),
    });
    expect(t.handled.at(-1)).toMatchObject({
      method: 'notifications/cancelled',
      params: { requestId: expect.any(String) },
    });
    const late = await t.bridge.request({
      request: call(2, 'ask', {
        inputResponses: { 'elicitation-1': accepted },
        requestState: state,
      }),
      envelope,
    });
    expect(late).toMatchObject({ error: { code: -32602, data: { reason: 'expired' } } });
  });

  it('asks again for a request the retry has no response for', async () => {
    const t = setup();
    const { state } = stateOf(await t.bridge.request({ request: call(1, 'both'), envelope }));
    const again = stateOf(
      await t.bridge.request({
        request: call(2, 'both', {
          inputResponses: { 'elicitation-1': accepted },
          requestState: state,
        }),
        envelope,
      }),
    );
    expect(again.keys).toEqual(['sampling-2']);
    expect(t.handled).toContainEqual({ jsonrpc: '2.0', id: 'b-1', result: accepted });
    const final = await t.bridge.request({
      request: call(3, 'both', {
        inputResponses: { 'sampling-2': sampled },
        requestState: again.state,
      }),
      envelope,
    });
    expect(resultOf(final).resultType).toBe('complete');
  });

  it('answers the backend from responses given up front under its key, and ignores the rest', async () => {
    const t = setup();
    const final = await t.bridge.request({
      request: call(1, 'ask', {
        inputResponses: { 'elicitation-1': accepted, unknown_extra_key: { action: 'decline' } },
      }),
      envelope,
    });
    expect(resultOf(final).resultType).toBe('complete');
    expect(t.handled).toContainEqual({ jsonrpc: '2.0', id: 'b-1', result: accepted });
  });

  it('asks for what responses given without a state do not answer', async () => {
    const t = setup();
    await t.bridge.request({ request: call(1, 'ask'), envelope });
    const fresh = stateOf(
      await t.bridge.request({
        request: call(2, 'ask', { inputResponses: { wrong_key: accepted } }),
        envelope,
      }),
    );
    expect(fresh.keys).toEqual(['elicitation-1']);
    const final = await t.bridge.request({
      request: call(3, 'ask', {
        inputResponses: { 'elicitation-1': accepted },
        requestState: fresh.state,
      }),
      envelope,
    });
    expect(resultOf(final).resultType).toBe('complete');
  });

  it('keeps no pending call for a call whose backend asks nothing, and cancels it when the client goes away', async () => {
    const t = setup();
    const abort = new AbortController();
    const answer = t.bridge.request({
      request: call(1, 'never'),
      envelope,
      cancelled: signalCancellation(abort.signal),
    });
    await flush();
    expect(t.bridge.pendingCalls).toBe(0);
    const sent = t.handled.at(-1);
    expect(sent).toMatchObject({ method: 'tools/call', params: { name: 'never' } });
    abort.abort();
    expect(await answer).toMatchObject({ id: 1, error: { code: -32000 } });
    expect(t.handled.at(-1)).toMatchObject({
      method: 'notifications/cancelled',
      params: { requestId: (sent as { id: string }).id },
    });
  });

  it('makes the pending call when the backend first asks, and forgets it when the call ends', async () => {
    const t = setup();
    const first = stateOf(await t.bridge.request({ request: call(1, 'ask'), envelope }));
    expect(t.bridge.pendingCalls).toBe(1);
    const retry = call(2, 'ask', {
      inputResponses: { [first.keys[0] ?? '']: accepted },
      requestState: first.state,
    });
    expect(resultOf(await t.bridge.request({ request: retry, envelope })).resultType).toBe(
      'complete',
    );
    expect(t.bridge.pendingCalls).toBe(0);
  });

  it('cancels the backend call when the client goes away from a retry', async () => {
    const t = setup();
    const { state } = stateOf(await t.bridge.request({ request: call(1, 'hang'), envelope }));
    const abort = new AbortController();
    const pending = t.bridge.request({
      request: call(2, 'hang', {
        inputResponses: { 'elicitation-1': accepted },
        requestState: state,
      }),
      envelope,
      cancelled: signalCancellation(abort.signal),
    });
    await flush();
    expect(t.handled.at(-1)).toEqual({ jsonrpc: '2.0', id: 'b-1', result: accepted });
    abort.abort();
    expect(await pending).toMatchObject({ id: 2, error: { code: -32000 } });
    expect(t.handled.at(-1)).toMatchObject({ method: 'notifications/cancelled' });
    expect(t.bridge.pendingCalls).toBe(0);
  });

  it('turns -32042 into URL-mode elicitations without elicitationId, and re-sends on retry', async () => {
    const t = setup();
    const lacking = await t.bridge.request({ request: call(1, 'url'), envelope });
    expect(lacking).toMatchObject({
      error: { code: -32021, data: { requiredCapabilities: { elicitation: { url: {} } } } },
    });
    const withUrl = {
      ...envelopeBase,
      capabilities: { ...capabilities, elicitation: { form: {}, url: {} } },
    };
    const first = stateOf(await t.bridge.request({ request: call(1, 'url'), envelope: withUrl }));
    expect(first.requests).toEqual({
      'elicitation-1': {
        method: 'elicitation/create',
        params: { mode: 'url', url: 'https://x.test/a', message: 'Sign in' },
      },
    });
    const final = await t.bridge.request({
      request: call(2, 'url', {
        inputResponses: { 'elicitation-1': { action: 'accept' } },
        requestState: first.state,
      }),
      envelope: withUrl,
    });
    expect(resultOf(final).resultType).toBe('complete');
    const calls = t.handled.filter((m) => 'method' in m && m.method === 'tools/call');
    expect(calls).toHaveLength(3);
    expect(calls[2]).toMatchObject({ params: { name: 'url', arguments: { a: 1 } } });
    expect((calls[2] as JsonRpcRequest).params).not.toHaveProperty('requestState');
  });

  it('answers -32021 with requiredCapabilities when the call failed for a capability the client lacks', async () => {
    const t = setup();
    const lacking = { ...envelope, capabilities: { sampling: {} } };
    const answer = await t.bridge.request({ request: call(1, 'refused'), envelope: lacking });
    expect(answer).toMatchObject({
      id: 1,
      error: { code: -32021, data: { requiredCapabilities: { elicitation: {} } } },
    });
    const declared = await t.bridge.request({ request: call(2, 'refused'), envelope });
    expect(declared).toMatchObject({ error: { code: -32601 } });
  });

  it('refuses and counts backend requests outside a call or during a method without MRTR', async () => {
    const drops: ModernDrop[] = [];
    const t = setup({ onDropped: (drop) => drops.push(drop) });
    await t.bridge.request({
      request: {
        ...call(1, 'x'),
        method: 'tools/list',
        params: { _meta: call(1, 'x').params._meta },
      },
      envelope,
    });
    t.sinks[0]?.({ jsonrpc: '2.0', id: 'orphan', method: 'sampling/createMessage' });
    expect(drops).toEqual([
      { reason: 'request_without_mrtr', method: 'roots/list' },
      { reason: 'request_outside_call', method: 'sampling/createMessage' },
    ]);
    expect(t.handled).toContainEqual({
      jsonrpc: '2.0',
      id: 'orphan',
      error: expect.objectContaining({ code: -32601 }),
    });
  });

  it('delivers a log only to the request that asked for it, at or above its level; drops the rest', async () => {
    const drops: ModernDrop[] = [];
    const t = setup({ onDropped: (drop) => drops.push(drop) });
    const sent: JsonRpcMessage[] = [];
    const first = await t.bridge.request({
      request: call(1, 'ask', {}, { [MetaKey.logLevel]: 'warning' }),
      envelope,
      notify: (m) => sent.push(m),
    });
    const { state } = stateOf(first);
    const sink = t.sinks[0];
    const log = (level: string) => ({
      jsonrpc: '2.0' as const,
      method: 'notifications/message',
      params: { level, data: level },
    });
    const id = (t.handled.find((m) => 'method' in m && m.method === 'tools/call') as JsonRpcRequest)
      .id;
    const retry = t.bridge.request({
      request: call(
        2,
        'ask',
        { requestState: state, inputResponses: {} },
        { [MetaKey.logLevel]: 'warning' },
      ),
      envelope,
      notify: (m) => sent.push(m),
    });
    sink?.(log('info'), id);
    sink?.(log('error'), id);
    sink?.(log('error'));
    await retry;
    expect(sent).toEqual([log('error')]);
    expect(drops.map((d) => d.reason)).toEqual(['log_below_level', 'log_not_requested']);
  });
});
