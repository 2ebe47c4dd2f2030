import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { originBoundFetch } from './origin-bound-fetch.js';

const servers: ReturnType<typeof createServer>[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A real HTTP server on 127.0.0.1 that records the requests it sees. */
async function server(handler: (request: IncomingMessage, response: ServerResponse) => void) {
  const seen: string[] = [];
  const http = createServer((request, response) => {
    seen.push(`${request.method} ${request.url}`);
    handler(request, response);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  servers.push(http);
  return { origin: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, seen };
}

describe('originBoundFetch', () => {
  it('follows redirects on the backend origin, whatever redirect mode the caller asks for', async () => {
    const backend = await server((request, response) => {
      if (request.url === '/a') response.writeHead(302, { location: '/b' }).end();
      else if (request.url === '/b') response.writeHead(307, { location: '/c' }).end();
      else response.end('here');
    });
    const fetch = originBoundFetch(globalThis.fetch, `${backend.origin}/sse`);
    const response = await fetch(`${backend.origin}/a`, { redirect: 'follow' });
    expect(await response.text()).toBe('here');
    expect(backend.seen).toEqual(['GET /a', 'GET /b', 'GET /c']);
  });

  it('refuses a redirect to another origin before sending it a byte', async () => {
    const other = await server((_request, response) => response.end());
    const backend = await server((_request, response) =>
      response.writeHead(307, { location: `${other.origin}/steal` }).end(),
    );
    const fetch = originBoundFetch(globalThis.fetch, `${backend.origin}/sse`);
    await expect(
      fetch(`${backend.origin}/messages`, { method: 'POST', body: '{}', redirect: 'follow' }),
    ).rejects.toMatchObject({ code: 'backend_unavailable', data: { reason: 'cross-origin' } });
    expect(other.seen).toEqual([]);
  });

  it('refuses a URL off the origin outright, and a redirect to a metadata address', async () => {
    const backend = await server((_request, response) =>
      response.writeHead(302, { location: 'http://[::ffff:169.254.169.254]/latest/' }).end(),
    );
    const fetch = originBoundFetch(globalThis.fetch, `${backend.origin}/sse`);
    await expect(fetch('http://127.0.0.1:1/elsewhere')).rejects.toMatchObject({
      data: { reason: 'cross-origin' },
    });
    await expect(fetch(`${backend.origin}/sse`)).rejects.toMatchObject({
      data: { reason: 'address' },
    });
  });

  it('hands a POST redirected with 302 back unfollowed, as the answer it is', async () => {
    const backend = await server((_request, response) =>
      response.writeHead(302, { location: '/elsewhere' }).end(),
    );
    const fetch = originBoundFetch(globalThis.fetch, `${backend.origin}/sse`);
    const response = await fetch(`${backend.origin}/messages`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(302);
    expect(backend.seen).toEqual(['POST /messages']);
  });
});
