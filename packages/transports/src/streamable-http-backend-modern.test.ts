import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JsonObject, JsonRpcMessage } from '@switchyard/protocol';
import { until } from '@switchyard/protocol/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { StreamableHttpBackend } from './streamable-http-backend.js';

type Handler = (body: JsonObject, response: ServerResponse) => void;

const servers: ReturnType<typeof createServer>[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A real HTTP server on 127.0.0.1 answering each POST with `handler`. */
async function backend(handler: Handler) {
  const seen: Array<{ headers: IncomingMessage['headers']; body: JsonObject; closed: boolean }> =
    [];
  const server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => {
      text += chunk;
    });
    request.on('end', () => {
      const entry = {
        headers: request.headers,
        body: JSON.parse(text) as JsonObject,
        closed: false,
      };
      seen.push(entry);
      response.on('close', () => {
        entry.closed = true;
      });
      handler(entry.body, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`, seen };
}

const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
};

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function open(url: string) {
  const transport = new StreamableHttpBackend({ url });
  const received: JsonRpcMessage[] = [];
  transport.onmessage = (message) => received.push(message);
  return { transport, received };
}

describe('StreamableHttpBackend, modern requests', () => {
  it('sends the routing headers computed from the body, and Mcp-Param for declared arguments', async () => {
    const server = await backend((body, response) => {
      const result =
        body.method === 'tools/list'
          ? {
              tools: [
                {
                  name: 'weather',
                  inputSchema: {
                    type: 'object',
                    properties: { region: { type: 'string', 'x-mcp-header': 'Region' } },
                  },
                },
              ],
            }
          : { content: [] };
      json(response, 200, { jsonrpc: '2.0', id: body.id, result });
    });
    const { transport, received } = open(server.url);
    await transport.send({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/list',
      params: { _meta: ENVELOPE },
    });
    await until(() => received.length === 1, 'tools/list answer');
    await transport.send({
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: { name: 'weather', arguments: { region: 'Zürich' }, _meta: ENVELOPE },
    });
    await until(() => received.length === 2, 'tools/call answer');
    const call = server.seen[1]?.headers ?? {};
    expect(call['mcp-protocol-version']).toBe('2026-07-28');
    expect(call['mcp-method']).toBe('tools/call');
    expect(call['mcp-name']).toBe('weather');
    expect(call['mcp-param-region']).toBe(`=?base64?${Buffer.from('Zürich').toString('base64')}?=`);
    expect(call['mcp-session-id']).toBeUndefined();
    await transport.close();
  });

  it('delivers a modern 4xx error body as the answer to its request', async () => {
    const server = await backend((_body, response) =>
      json(response, 400, {
        jsonrpc: '2.0',
        id: null,
        error: { code: -32022, message: 'Unsupported', data: { supported: ['2026-07-28'] } },
      }),
    );
    const { transport, received } = open(server.url);
    await transport.send({
      jsonrpc: '2.0',
      id: 7,
      method: 'server/discover',
      params: { _meta: ENVELOPE },
    });
    await until(() => received.length === 1, 'the error');
    expect(received[0]).toMatchObject({ id: 7, error: { code: -32022 } });
    await transport.close();
  });

  it('throws a 401 with its status: no answer, no era evidence', async () => {
    const server = await backend((_body, response) => {
      response.writeHead(401).end('no');
    });
    const { transport } = open(server.url);
    await expect(
      transport.send({
        jsonrpc: '2.0',
        id: 1,
        method: 'server/discover',
        params: { _meta: ENVELOPE },
      }),
    ).rejects.toMatchObject({ data: { status: 401 } });
    await transport.close();
  });

  it('cancels a modern request by closing its POST, sending no notification', async () => {
    const server = await backend((_body, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(': open\n\n');
    });
    const { transport } = open(server.url);
    await transport.send({
      jsonrpc: '2.0',
      id: 3,
      method: 'tools/call',
      params: { name: 'slow', _meta: ENVELOPE },
    });
    await transport.send({
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId: 3 },
    });
    await until(() => server.seen[0]?.closed, 'the POST closed');
    expect(server.seen).toHaveLength(1);
    await transport.close();
  });
});
