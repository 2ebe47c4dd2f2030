import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JsonObject } from '@switchyard/protocol';
import type { ExchangeEvent, Outcome, SessionView } from '@switchyard/router';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSpanTap, type SpanTap } from './spans.js';

/** One span as an OTLP/HTTP JSON export carries it, attributes flattened to plain values. */
interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  status: { code?: number; message?: string };
}

const SERVER = 2;
const CLIENT = 3;
const STATUS_ERROR = 2;
const CLIENT_TRACE = '0af7651916cd43dd8448eb211c80319c';
const CLIENT_SPAN = 'b7ad6b7169203331';

/** A local OTLP/HTTP receiver: every span POSTed to /v1/traces, and the raw exports. */
async function otlpReceiver() {
  const spans: ReceivedSpan[] = [];
  const exports: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/v1/traces') {
        response.writeHead(404).end();
        return;
      }
      const body = Buffer.concat(chunks).toString('utf8');
      exports.push({ headers: request.headers, body });
      spans.push(...spansOf(JSON.parse(body)));
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}/v1/traces`,
    spans,
    exports,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

type AttributeList = Array<{ key: string; value: Record<string, unknown> }>;

function spansOf(body: {
  resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: Array<Record<string, unknown>> }> }>;
}): ReceivedSpan[] {
  return (body.resourceSpans ?? []).flatMap((resource) =>
    (resource.scopeSpans ?? []).flatMap((scope) =>
      (scope.spans ?? []).map((span) => ({
        traceId: span.traceId as string,
        spanId: span.spanId as string,
        parentSpanId: (span.parentSpanId as string | undefined) || undefined,
        name: span.name as string,
        kind: span.kind as number,
        attributes: flatten(span.attributes as AttributeList | undefined),
        status: (span.status ?? {}) as ReceivedSpan['status'],
      })),
    ),
  );
}

function flatten(attributes: AttributeList = []): Record<string, unknown> {
  return Object.fromEntries(
    attributes.map(({ key, value }) => [key, Object.values(value)[0]] as const),
  );
}

function session(overrides: Partial<SessionView> = {}): SessionView {
  return {
    id: 'session-1',
    info: { transport: 'streamable-http', sessionId: 'transport-session-1' },
    openedAt: 0,
    revision: '2025-06-18',
    clientInfo: undefined,
    inFlight: 1,
    ...overrides,
  };
}

/** A `tools/call` of `alpha__echo` (the backend's `echo`), with the client's `_meta`. */
function toolCall(meta: JsonObject | undefined, overrides: Partial<ExchangeEvent> = {}) {
  const args = { secret: 'hunter2-argument' };
  const withMeta = (params: JsonObject) => (meta ? { ...params, _meta: meta } : params);
  return {
    session: session(),
    server: 'alpha',
    method: 'tools/call',
    requestId: 7,
    params: withMeta({ name: 'echo', arguments: args }),
    clientParams: withMeta({ name: 'alpha__echo', arguments: args }),
    ...overrides,
  } satisfies ExchangeEvent;
}

const transports: Record<string, string> = { alpha: 'stdio', remote: 'streamable-http' };

let receiver: Awaited<ReturnType<typeof otlpReceiver>>;
let spans: SpanTap;

beforeEach(async () => {
  receiver = await otlpReceiver();
  spans = await createSpanTap({
    endpoint: receiver.endpoint,
    headers: { 'x-collector-key': 'collector-secret' },
    serviceName: 'switchyard-test',
    serviceVersion: '9.9.9',
    transportOf: (server) => transports[server] ?? 'virtual',
  });
});

afterEach(async () => {
  await spans.shutdown();
  await receiver.close();
});

/** Runs one exchange through the tap to its end, and returns what the receiver got of it. */
async function exchange(
  event: ExchangeEvent,
  outcome: Outcome = { kind: 'result', result: { content: [] } },
  result: JsonObject | undefined = outcome.kind === 'result' ? outcome.result : undefined,
) {
  const handle = spans.tap(event);
  handle?.done?.(outcome, result);
  await spans.flush();
  const server = receiver.spans.find((span) => span.kind === SERVER);
  const client = receiver.spans.find((span) => span.kind === CLIENT);
  if (!server || !client) throw new Error(`spans missing: ${JSON.stringify(receiver.spans)}`);
  return { handle, server, client };
}

describe('the span tap', () => {
  it('emits a SERVER span parented by the client traceparent and a CLIENT span under it', async () => {
    const traceparent = `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01`;
    const { server, client } = await exchange(toolCall({ traceparent, tracestate: 'vendor=x' }));
    expect(receiver.spans).toHaveLength(2);
    expect(server).toMatchObject({
      name: 'tools/call alpha__echo',
      traceId: CLIENT_TRACE,
      parentSpanId: CLIENT_SPAN,
    });
    expect(client).toMatchObject({
      name: 'tools/call echo',
      traceId: CLIENT_TRACE,
      parentSpanId: server.spanId,
    });
  });

  it('hands the backend the CLIENT span as its parent and keeps the rest of _meta', async () => {
    const traceparent = `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01`;
    const meta = { traceparent, tracestate: 'vendor=x', baggage: 'k=v', progressToken: 'p1' };
    const { handle, client } = await exchange(toolCall(meta));
    expect(handle?.params).toEqual({
      name: 'echo',
      arguments: { secret: 'hunter2-argument' },
      _meta: {
        traceparent: `00-${CLIENT_TRACE}-${client.spanId}-01`,
        tracestate: 'vendor=x',
        baggage: 'k=v',
        progressToken: 'p1',
      },
    });
  });

  it('starts a new trace when the client sent no traceparent, or an invalid one', async () => {
    for (const meta of [undefined, { traceparent: 'not-a-traceparent' }, { traceparent: 42 }]) {
      receiver.spans.length = 0;
      const { handle, server, client } = await exchange(toolCall(meta));
      expect(server.parentSpanId).toBeUndefined();
      expect(server.traceId).not.toBe(CLIENT_TRACE);
      expect(client.parentSpanId).toBe(server.spanId);
      expect((handle?.params?._meta as JsonObject | undefined)?.traceparent).toBe(
        `00-${server.traceId}-${client.spanId}-01`,
      );
    }
  });

  it('attributes each span per the MCP semantic conventions, from its own side', async () => {
    const { server, client } = await exchange(toolCall(undefined));
    expect(server.attributes).toEqual({
      'mcp.method.name': 'tools/call',
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'alpha__echo',
      'jsonrpc.request.id': '7',
      'mcp.protocol.version': '2025-06-18',
      'mcp.session.id': 'transport-session-1',
      'network.transport': 'tcp',
    });
    expect(client.attributes).toEqual({
      'mcp.method.name': 'tools/call',
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'echo',
      'network.transport': 'pipe',
    });
  });

  it('names prompts by prompt and resources by method alone, with the URI as an attribute', async () => {
    await exchange({
      ...toolCall(undefined),
      method: 'prompts/get',
      params: { name: 'greet' },
      clientParams: { name: 'alpha__greet' },
    });
    expect(
      receiver.spans.map((span) => [span.name, span.attributes['gen_ai.prompt.name']]),
    ).toEqual([
      ['prompts/get greet', 'greet'],
      ['prompts/get alpha__greet', 'alpha__greet'],
    ]);
    receiver.spans.length = 0;
    const uri = 'file:///notes/today.md';
    const { server, client } = await exchange({
      ...toolCall(undefined),
      server: 'remote',
      method: 'resources/read',
      params: { uri },
      clientParams: { uri },
    });
    expect([server.name, client.name]).toEqual(['resources/read', 'resources/read']);
    expect(server.attributes['mcp.resource.uri']).toBe(uri);
    expect(client.attributes).toEqual({
      'mcp.method.name': 'resources/read',
      'mcp.resource.uri': uri,
      'network.transport': 'tcp',
    });
  });

  it('leaves out the session id of stdio sessions and the transport of virtual servers', async () => {
    const { server, client } = await exchange(
      toolCall(undefined, {
        server: 'switchyard',
        session: session({ info: { transport: 'stdio' }, revision: undefined }),
      }),
    );
    expect(server.attributes).not.toHaveProperty('mcp.session.id');
    expect(server.attributes).not.toHaveProperty('mcp.protocol.version');
    expect(server.attributes['network.transport']).toBe('pipe');
    expect(client.attributes).not.toHaveProperty('network.transport');
  });

  it('marks a JSON-RPC error with its code and an error status on both spans', async () => {
    const error = { code: -32001, message: 'Request timed out: hunter2-argument' };
    await exchange(toolCall(undefined), { kind: 'error', error });
    for (const span of receiver.spans) {
      expect(span.attributes).toMatchObject({
        'error.type': '-32001',
        'rpc.response.status_code': '-32001',
      });
      expect(span.status.code).toBe(STATUS_ERROR);
    }
  });

  it('marks a tool error as tool_error, and a cancellation as cancelled without an error status', async () => {
    const failedTool = { content: [{ type: 'text', text: 'no' }], isError: true };
    await exchange(toolCall(undefined), { kind: 'result', result: failedTool });
    for (const span of receiver.spans) {
      expect(span.attributes['error.type']).toBe('tool_error');
      expect(span.attributes).not.toHaveProperty('rpc.response.status_code');
      expect(span.status.code).toBe(STATUS_ERROR);
    }
    receiver.spans.length = 0;
    await exchange(toolCall(undefined), { kind: 'cancelled' });
    for (const span of receiver.spans) {
      expect(span.attributes['error.type']).toBe('cancelled');
      expect(span.status.code ?? 0).not.toBe(STATUS_ERROR);
    }
  });

  it('exports with the configured headers and service, and never the arguments or results', async () => {
    const result = { content: [{ type: 'text', text: 'result-text-hunter3' }] };
    await exchange(toolCall(undefined), { kind: 'result', result });
    const [sent] = receiver.exports;
    expect(sent?.headers['x-collector-key']).toBe('collector-secret');
    expect(sent?.headers['content-type']).toContain('application/json');
    expect(sent?.body).toContain('"switchyard-test"');
    expect(sent?.body).toContain('"9.9.9"');
    expect(sent?.body).not.toContain('hunter2');
    expect(sent?.body).not.toContain('hunter3');
  });

  it('taps nothing once shut down', async () => {
    await spans.shutdown();
    expect(spans.tap(toolCall(undefined))).toBeUndefined();
  });
});
