import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { until } from '@switchyard/protocol/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { everythingServer, fixture, tempDir, withProxy } from './helpers.js';

/** One span as an OTLP/HTTP JSON export carries it, attributes flattened to plain values. */
interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  status: { code?: number };
}

type AttributeList = Array<{ key: string; value: Record<string, unknown> }>;
type ExportBody = {
  resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: Array<Record<string, unknown>> }> }>;
};

const SERVER = 2;
const CLIENT = 3;

/** A local OTLP/HTTP receiver on 127.0.0.1: every span POSTed to /v1/traces as JSON. */
async function otlpReceiver() {
  const spans: ReceivedSpan[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/v1/traces') {
        response.writeHead(404).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ExportBody;
      for (const resource of body.resourceSpans ?? [])
        for (const scope of resource.scopeSpans ?? [])
          for (const span of scope.spans ?? []) spans.push(received(span));
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}/v1/traces`,
    spans,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function received(span: Record<string, unknown>): ReceivedSpan {
  const attributes = (span.attributes ?? []) as AttributeList;
  return {
    traceId: span.traceId as string,
    spanId: span.spanId as string,
    parentSpanId: (span.parentSpanId as string | undefined) || undefined,
    name: span.name as string,
    kind: span.kind as number,
    attributes: Object.fromEntries(
      attributes.map(({ key, value }) => [key, Object.values(value)[0]]),
    ),
    status: (span.status ?? {}) as ReceivedSpan['status'],
  };
}

/** A W3C traceparent as a client would send it in `_meta`. */
function traceparent(traceId: string, spanId: string): string {
  return `00-${traceId}-${spanId}-01`;
}

/**
 * Spans of a real proxy (docs/tracing.md, "OpenTelemetry"): each proxied request becomes a SERVER
 * span parented by the client's `_meta.traceparent` and a CLIENT span under it, whose context the
 * backend receives, exported over OTLP/HTTP to a receiver the test runs.
 */
describe('OpenTelemetry spans', () => {
  const dir = tempDir();
  const record = join(dir.path, 'raw-received.jsonl');
  let receiver: Awaited<ReturnType<typeof otlpReceiver>>;
  beforeAll(async () => {
    receiver = await otlpReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
    dir.remove();
  });

  it('exports one SERVER and one CLIENT span per call, named, attributed and parented', async () => {
    const running = await withProxy({
      management: { enabled: false },
      openTelemetry: { enabled: true, endpoint: receiver.endpoint },
      servers: {
        everything: everythingServer(),
        raw: {
          command: process.execPath,
          args: [fixture('raw-server.mjs')],
          env: { FIXTURE_RECORD: record },
        },
      },
    });
    const everythingTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const rawTrace = '0af7651916cd43dd8448eb211c80319c';
    const clientSpan = '00f067aa0ba902b7';
    try {
      await running.client.callTool({
        name: 'everything__echo',
        arguments: { message: 'a-private-message-4711' },
        _meta: { traceparent: traceparent(everythingTrace, clientSpan) },
      });
      await running.client.callTool({
        name: 'raw__echo',
        arguments: {},
        _meta: { traceparent: traceparent(rawTrace, clientSpan) },
      });
    } finally {
      await running.close();
    }
    const spansOf = (traceId: string) => receiver.spans.filter((span) => span.traceId === traceId);
    await until(
      () => spansOf(everythingTrace).length >= 2 && spansOf(rawTrace).length >= 2,
      'two spans per call at the receiver',
    );

    const everything = spansOf(everythingTrace);
    expect(everything).toHaveLength(2);
    const server = everything.find((span) => span.kind === SERVER);
    const client = everything.find((span) => span.kind === CLIENT);
    expect(server).toMatchObject({
      name: 'tools/call everything__echo',
      parentSpanId: clientSpan,
      attributes: {
        'mcp.method.name': 'tools/call',
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'everything__echo',
        'jsonrpc.request.id': expect.any(String),
        'mcp.protocol.version': expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
        'mcp.session.id': expect.any(String),
        'network.transport': 'tcp',
      },
    });
    expect(client).toMatchObject({
      name: 'tools/call echo',
      parentSpanId: server?.spanId,
      attributes: {
        'mcp.method.name': 'tools/call',
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'echo',
        'network.transport': 'pipe',
      },
    });
    expect(JSON.stringify(receiver.spans)).not.toContain('a-private-message-4711');

    const raw = spansOf(rawTrace);
    expect(raw.map((span) => span.name).sort()).toEqual([
      'tools/call echo',
      'tools/call raw__echo',
    ]);
    const rawServer = raw.find((span) => span.kind === SERVER);
    const rawClient = raw.find((span) => span.kind === CLIENT);
    expect(rawServer?.parentSpanId).toBe(clientSpan);
    expect(rawClient?.parentSpanId).toBe(rawServer?.spanId);
    const calls = readFileSync(record, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { method?: string; params?: { _meta?: object } })
      .filter((message) => message.method === 'tools/call');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.params?._meta).toMatchObject({
      traceparent: traceparent(rawTrace, rawClient?.spanId ?? 'missing'),
    });
  });
});
