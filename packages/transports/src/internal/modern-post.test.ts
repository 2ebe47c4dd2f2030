import { type JsonRpcMessage, MetaKey, type SessionSink } from '@switchyard/protocol';
import { ManualClock } from '@switchyard/protocol/testing';
import { describe, expect, it } from 'vitest';
import type { FrontSession } from '../front-session.js';
import { ModernBridge } from '../modern-bridge.js';
import { modernPost } from './modern-post.js';

const REGION = { type: 'string', 'x-mcp-header': 'Region' };
/** The tools the fake aggregate lists: one with a valid declaration, one with an invalid one. */
const TOOLS = [
  { name: 'plain', inputSchema: { type: 'object', properties: {} } },
  { name: 'sql', inputSchema: { type: 'object', properties: { region: REGION } } },
  {
    name: 'broken',
    inputSchema: { type: 'object', properties: { n: { type: 'number', 'x-mcp-header': 'N' } } },
  },
];

/**
 * A bridge over a fake router whose sessions list {@link TOOLS} (the second version of `sql`
 * after a `tools/list_changed`), echo tool calls, refuse `needs_sampling` with -32021, and
 * acknowledge nothing but `initialize`.
 */
function setup() {
  const clock = new ManualClock();
  const lists: string[] = [];
  const sinks: SessionSink[] = [];
  let tools: unknown[] = TOOLS;
  const bridge = new ModernBridge({
    clock,
    transport: 'streamable-http',
    openSession: (sink): FrontSession => {
      sinks.push(sink);
      return {
        handle: (message: JsonRpcMessage) => {
          if (!('method' in message) || !('id' in message)) return;
          const answer = (result: Record<string, unknown>) =>
            sink({ jsonrpc: '2.0', id: message.id, result });
          if (message.method === 'initialize') {
            answer({
              protocolVersion: '2025-11-25',
              capabilities: { tools: { listChanged: true } },
              serverInfo: { name: 'switchyard', version: '9' },
            });
          } else if (message.method === 'tools/list') {
            lists.push(message.method);
            answer({ tools });
          } else if (message.params?.name === 'needs_sampling') {
            sink({
              jsonrpc: '2.0',
              id: message.id,
              error: { code: -32021, message: 'no sampling', data: { requiredCapabilities: {} } },
            });
          } else answer({ content: [{ type: 'text', text: JSON.stringify(message.params) }] });
        },
        close: () => {},
      };
    },
  });
  const changeTools = (next: unknown[]) => {
    tools = next;
    for (const sink of sinks) sink({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
  };
  return { bridge, clock, lists, changeTools };
}

/** The parts of an answer the tests read. */
interface Answer {
  result: {
    resultType: string;
    tools: { name: string; inputSchema: { properties: Record<string, unknown> } }[];
  };
  error: { code: number };
}

const meta = { [MetaKey.protocolVersion]: '2026-07-28', [MetaKey.clientCapabilities]: {} };

function post(
  method: string,
  params: Record<string, unknown>,
  headers: Record<string, string> = {},
  accept = 'application/json',
) {
  const message = { jsonrpc: '2.0' as const, id: 1, method, params: { ...params, _meta: meta } };
  const name = typeof params.name === 'string' ? { 'mcp-name': params.name } : {};
  const request = new Request('http://127.0.0.1/mcp', {
    method: 'POST',
    headers: {
      accept,
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': method,
      ...name,
      ...headers,
    },
    body: JSON.stringify(message),
  });
  return { request, message };
}

async function send(
  t: ReturnType<typeof setup>,
  method: string,
  params: Record<string, unknown>,
  headers: Record<string, string> = {},
) {
  const { request, message } = post(method, params, headers);
  const response = await modernPost(t.bridge, request, message, undefined, false, {
    clock: t.clock,
  });
  return { status: response.status, body: (await response.json()) as Answer };
}

describe('the modern HTTP front', () => {
  it('lists tools with valid x-mcp-header declarations as they are, and leaves out invalid ones', async () => {
    const t = setup();
    const { status, body } = await send(t, 'tools/list', {});
    expect(status).toBe(200);
    expect(body.result.tools.map((tool: { name: string }) => tool.name)).toEqual(['plain', 'sql']);
    expect(body.result.tools[1]?.inputSchema.properties.region).toEqual(REGION);
  });

  it('serves a tools/call whose Mcp-Param header matches its argument, Base64 decoded', async () => {
    const t = setup();
    const args = { region: 'Hello' };
    const plain = await send(
      t,
      'tools/call',
      { name: 'sql', arguments: args },
      {
        'mcp-param-region': 'Hello',
      },
    );
    expect(plain.status).toBe(200);
    expect(plain.body.result.resultType).toBe('complete');
    const encoded = await send(
      t,
      'tools/call',
      { name: 'sql', arguments: args },
      {
        'Mcp-Param-Region': '=?base64?SGVsbG8=?=',
      },
    );
    expect(encoded.status).toBe(200);
    expect(t.lists).toHaveLength(1);
  });

  it.each([
    ['missing', {}],
    ['different', { 'mcp-param-region': 'us-east1' }],
    ['invalid Base64', { 'mcp-param-region': '=?base64?SGVsbG8?=' }],
  ])(
    'refuses a tools/call whose Mcp-Param header is %s with 400 and -32020',
    async (_what, headers) => {
      const t = setup();
      const { status, body } = await send(
        t,
        'tools/call',
        {
          name: 'sql',
          arguments: { region: 'Hello' },
        },
        headers,
      );
      expect(status).toBe(400);
      expect(body).toMatchObject({ id: 1, error: { code: -32020 } });
    },
  );

  it('checks against the schema listed after tools/list_changed', async () => {
    const t = setup();
    expect(
      (await send(t, 'tools/call', { name: 'plain', arguments: { region: 'x' } })).status,
    ).toBe(200);
    t.changeTools([
      { name: 'plain', inputSchema: { type: 'object', properties: { region: REGION } } },
    ]);
    const after = await send(t, 'tools/call', { name: 'plain', arguments: { region: 'x' } });
    expect(after.status).toBe(400);
    expect(t.lists).toHaveLength(2);
  });

  it('answers a missing client capability, even a backend one, with HTTP 400', async () => {
    const t = setup();
    const { status, body } = await send(t, 'tools/call', { name: 'needs_sampling', arguments: {} });
    expect(status).toBe(400);
    expect(body.error.code).toBe(-32021);
  });

  it('sends a keep-alive comment on a quiet listen stream every keepAliveMs, with X-Accel-Buffering: no', async () => {
    const t = setup();
    const abort = new AbortController();
    const { message } = post('subscriptions/listen', { notifications: { toolsListChanged: true } });
    const request = new Request('http://127.0.0.1/mcp', {
      method: 'POST',
      headers: {
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'subscriptions/listen',
      },
      body: JSON.stringify(message),
      signal: abort.signal,
    });
    const response = await modernPost(t.bridge, request, message, undefined, true, {
      clock: t.clock,
      keepAliveMs: 1_000,
    });
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    const acknowledged = decoder.decode((await reader.read()).value);
    expect(acknowledged).toContain('notifications/subscriptions/acknowledged');
    t.clock.advance(999);
    t.clock.advance(1);
    expect(decoder.decode((await reader.read()).value)).toBe(': keep-alive\n\n');
    t.clock.advance(1_000);
    expect(decoder.decode((await reader.read()).value)).toBe(': keep-alive\n\n');
    await reader.cancel();
    expect(t.clock.pending).toBe(0);
  });
});
