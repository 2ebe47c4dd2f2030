import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestProxy, withProxy } from './helpers.js';

const CLIENT_KEY = 'sy_client-token-canary-7f3e9a';
const BACKEND_SECRET = 'backend-own-credential-51c2';

interface Recorded {
  method: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A Streamable HTTP MCP server on 127.0.0.1 that answers with JSON and records every request it
 * gets, headers and body, so a test can say what reached the backend.
 */
async function recordingBackend(): Promise<{ server: Server; url: string; seen: Recorded[] }> {
  const seen: Recorded[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      seen.push({ method: request.method ?? '', headers: request.headers, body });
      if (request.method !== 'POST') {
        response.writeHead(request.method === 'DELETE' ? 200 : 405).end();
        return;
      }
      const message = JSON.parse(body) as { id?: number; method: string; params?: unknown };
      if (message.id === undefined) {
        response.writeHead(202).end();
        return;
      }
      const reply = (result: unknown) =>
        response
          .writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 'backend-1' })
          .end(JSON.stringify({ jsonrpc: '2.0', id: message.id, result }));
      const params = (message.params ?? {}) as { protocolVersion?: string };
      switch (message.method) {
        case 'initialize':
          return reply({
            protocolVersion: params.protocolVersion ?? '2025-06-18',
            capabilities: { tools: {} },
            serverInfo: { name: 'recorder', version: '1' },
          });
        case 'tools/list':
          return reply({
            tools: [{ name: 'noop', inputSchema: { type: 'object', properties: {} } }],
          });
        case 'tools/call':
          return reply({ content: [{ type: 'text', text: 'done' }] });
        default:
          return reply({});
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/mcp`, seen };
}

/**
 * No token passthrough (MCP 2025-11-25, Basic: Security Best Practices, Token Passthrough): the
 * key a client presents to the proxy is the proxy's credential, never forwarded; a backend gets
 * only the headers its own config gives it (docs/security.md).
 */
describe("a client's Authorization never reaches a backend", () => {
  let backend: Awaited<ReturnType<typeof recordingBackend>>;
  let testProxy: TestProxy;

  beforeAll(async () => {
    backend = await recordingBackend();
    testProxy = await withProxy(
      {
        servers: {
          recorder: {
            url: backend.url,
            transport: 'streamable-http',
            headers: { 'X-Backend-Key': BACKEND_SECRET },
          },
        },
        proxy: {
          apiKeys: [`sha256:${createHash('sha256').update(CLIENT_KEY).digest('hex')}`],
        },
      },
      { client: false },
    );
  });

  afterAll(async () => {
    await testProxy?.close();
    await new Promise((resolve) => backend?.server.close(resolve));
  });

  it('forwards calls with the backend’s configured headers only', async () => {
    const headers = { authorization: `Bearer ${CLIENT_KEY}`, cookie: `session=${CLIENT_KEY}` };
    for (const url of [testProxy.url, new URL('/servers/recorder/mcp', testProxy.url)]) {
      const client = new Client({ name: 'passthrough', version: '1' });
      await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers } }));
      const { tools } = await client.listTools();
      const noop = tools.find((tool) => tool.name.endsWith('noop'));
      if (!noop) throw new Error('the backend’s tool is not listed');
      expect(await client.callTool({ name: noop.name, arguments: {} })).toMatchObject({
        content: [{ type: 'text', text: 'done' }],
      });
      await client.close();
    }

    const calls = backend.seen.filter((r) => r.body.includes('"tools/call"'));
    expect(calls).toHaveLength(2);
    expect(backend.seen.length).toBeGreaterThan(calls.length);
    for (const request of backend.seen) {
      expect(request.headers.authorization).toBeUndefined();
      expect(request.headers.cookie).toBeUndefined();
      expect(request.headers['x-backend-key']).toBe(BACKEND_SECRET);
      expect(JSON.stringify(request.headers)).not.toContain(CLIENT_KEY);
      expect(request.body).not.toContain(CLIENT_KEY);
    }
  });
});
