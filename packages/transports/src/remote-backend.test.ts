import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createRemoteBackendTransport } from './remote-backend.js';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

const servers: ReturnType<typeof createServer>[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A real HTTP server on 127.0.0.1 that records every request it sees. */
async function server(handler: Handler) {
  const seen: string[] = [];
  const http = createServer((request, response) => {
    seen.push(`${request.method} ${request.url}`);
    handler(request, response);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  servers.push(http);
  const { port } = http.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, seen };
}

/** A stand-in for the place a backend tries to send the proxy: it must never be reached. */
const elsewhere = () => server((_request, response) => response.end('{}'));

/** An HTTP+SSE backend whose `endpoint` event names `endpoint(origin)`. */
function sseBackend(endpoint: (origin: string) => string, redirectTo?: () => string) {
  return server((request, response) => {
    const target = redirectTo?.();
    if (target !== undefined) {
      response.writeHead(302, { location: target }).end();
      return;
    }
    if (request.url?.startsWith('/moved')) {
      response.writeHead(307, { location: '/sse' }).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.write(`event: endpoint\ndata: ${endpoint(`http://${request.headers.host}`)}\n\n`);
  });
}

describe('URLs a remote backend hands over', () => {
  it('follows an HTTP+SSE redirect that stays on the backend origin', async () => {
    const backend = await sseBackend(() => '/messages');
    const transport = createRemoteBackendTransport({ type: 'sse', url: `${backend.origin}/moved` });
    await transport.start();
    expect(backend.seen).toEqual(['GET /moved', 'GET /sse']);
    await transport.close();
  });

  it('does not follow an HTTP+SSE redirect to another origin', async () => {
    const other = await elsewhere();
    const backend = await sseBackend(
      () => '/messages',
      () => `${other.origin}/sse`,
    );
    const transport = createRemoteBackendTransport({ type: 'sse', url: `${backend.origin}/sse` });
    await expect(transport.start()).rejects.toThrow();
    expect(other.seen).toEqual([]);
    await transport.close();
  });

  it('does not follow an HTTP+SSE redirect to a metadata address', async () => {
    const backend = await sseBackend(
      () => '/messages',
      () => 'http://169.254.169.254/latest/meta-data/',
    );
    const transport = createRemoteBackendTransport({ type: 'sse', url: `${backend.origin}/sse` });
    await expect(transport.start()).rejects.toThrow();
    await transport.close();
  });

  it('refuses an HTTP+SSE endpoint event on another origin and never posts to it', async () => {
    const other = await elsewhere();
    const backend = await sseBackend(() => `${other.origin}/messages`);
    const transport = createRemoteBackendTransport({ type: 'sse', url: `${backend.origin}/sse` });
    await expect(transport.start()).rejects.toThrow(/origin/);
    await transport.send({ jsonrpc: '2.0', id: 1, method: 'ping' }).catch(() => undefined);
    expect(other.seen).toEqual([]);
    await transport.close();
  });

  it('does not follow a Streamable HTTP redirect to another origin', async () => {
    const other = await elsewhere();
    const backend = await server((_request, response) => {
      response.writeHead(307, { location: `${other.origin}/mcp` }).end();
    });
    const transport = createRemoteBackendTransport({
      type: 'streamable-http',
      url: `${backend.origin}/mcp`,
    });
    await transport.start();
    await expect(
      transport.send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} }),
    ).rejects.toThrow(/redirect to .* not followed/);
    expect(other.seen).toEqual([]);
    await transport.close();
  });
});
