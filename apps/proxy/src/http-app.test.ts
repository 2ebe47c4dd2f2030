import { createServer, type IncomingHttpHeaders, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSecretSet } from '@switchyard/logging';
import { systemClock } from '@switchyard/protocol';
import { Supervisor } from '@switchyard/supervisor';
import type { BodySource } from '@switchyard/transports';
import { afterEach, describe, expect, it } from 'vitest';
import { validateConfigText } from './admin-config.js';
import { createAdminState } from './admin-state.js';
import { MCP_UNAUTHORIZED } from './auth.js';
import { createHttpApp, type Fronts } from './http-app.js';
import { hashKey } from './keys.js';

const KEY = 'sy_http-app-test-key';

/** Fronts that record what reached them and answer with a marker. */
function fakeFronts(name: string, reached: string[]): Fronts {
  return {
    http: {
      handle: async (request: Request, body?: BodySource) => {
        reached.push(`${name} ${request.method} ${body ? 'node body' : 'web body'}`);
        return new Response(`${name} answered`, { headers: { 'content-type': 'text/plain' } });
      },
      close: () => {},
      sessionCount: 0,
    },
    sse: {
      handleStream: () => new Response('stream'),
      handleMessage: async () => new Response(null, { status: 202 }),
      close: () => {},
      sessionCount: 0,
    },
    ws: {
      handleUpgrade: (_request, socket) => {
        reached.push(`${name} upgrade`);
        socket.end(
          'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
        );
      },
      close: () => {},
      sessionCount: 0,
    },
  };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** The HTTP app over fake fronts, served by a real Node server on 127.0.0.1. */
async function setup(allowedOrigins?: string[]) {
  const reached: string[] = [];
  const admission = { open: true };
  const main = fakeFronts('aggregate', reached);
  const own = fakeFronts('memory', reached);
  const app = createHttpApp({
    endpoints: { main, find: (name) => (name === 'memory' ? own : undefined) },
    backends: {
      summary: () => [],
      list: () => [],
      has: () => false,
      supervisor: new Supervisor(),
      setEnabled: async () => {},
    },
    metrics: { render: async () => '', contentType: 'text/plain' },
    logs: undefined,
    loopbackOnly: true,
    mcpKeys: { hashes: [hashKey(KEY)] },
    adminKeys: { hashes: [] },
    ...(allowedOrigins ? { allowedOrigins } : {}),
    admission,
    health: () => ({ status: 'ok', version: '0', sessions: 0, backends: [] }),
    secrets: createSecretSet(),
    admin: {
      state: createAdminState({
        backends: {
          summary: () => [],
          list: () => [],
          transportOf: () => 'stdio',
          has: () => false,
        },
        naming: { strategy: 'prefix' },
        clock: systemClock,
        redact: (text) => text,
        listTimeoutMs: 1000,
      }),
      config: () => ({ file: null, config: {} }),
      validate: (text, format) => validateConfigText(text, format, createSecretSet()),
      rpc: () => Promise.reject(new Error('no router behind this app')),
      tracer: undefined,
    },
    dashboard: false,
  });
  const server = createServer(app.listener());
  server.on('upgrade', app.handleUpgrade);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  const port = (server.address() as AddressInfo).port;
  return { app, reached, admission, port };
}

interface Raw {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One exchange over a real socket (node:http, which lets a test set `Host`). */
function send(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The status a WebSocket upgrade request gets: 101 when it reached a front. */
function upgrade(port: number, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path,
      headers: { connection: 'Upgrade', upgrade: 'websocket', ...headers },
    });
    req.on('upgrade', (response, socket) => {
      socket.destroy();
      resolve(response.statusCode ?? 0);
    });
    req.on('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

const auth = { authorization: `Bearer ${KEY}` };
const json = { 'content-type': 'application/json', accept: 'application/json' };

describe('WebSocket upgrades', () => {
  it('refuse a missing or wrong key with 401, like every MCP endpoint', async () => {
    const { port, reached } = await setup();
    expect(await upgrade(port, '/ws', {})).toBe(401);
    expect(await upgrade(port, '/ws', { authorization: 'Bearer wrong' })).toBe(401);
    expect(await upgrade(port, '/servers/memory/ws', {})).toBe(401);
    expect(reached).toEqual([]);
  });

  it('refuse a foreign Origin or Host with 403, an unknown path or server with 404', async () => {
    const { port } = await setup();
    expect(await upgrade(port, '/ws', { ...auth, origin: 'https://evil.example' })).toBe(403);
    expect(await upgrade(port, '/ws', { ...auth, host: 'evil.example' })).toBe(403);
    expect(await upgrade(port, '/nowhere', auth)).toBe(404);
    expect(await upgrade(port, '/servers/ghost/ws', auth)).toBe(404);
  });

  it('refuse everything with 503 once the proxy stops taking requests', async () => {
    const { port, admission } = await setup();
    admission.open = false;
    expect(await upgrade(port, '/ws', auth)).toBe(503);
  });

  it('reach the endpoint’s WebSocket front with a valid key', async () => {
    const { port, reached } = await setup();
    expect(await upgrade(port, '/ws', auth)).toBe(101);
    expect(await upgrade(port, '/servers/memory/ws', auth)).toBe(101);
    expect(reached).toEqual(['aggregate upgrade', 'memory upgrade']);
  });
});

describe('POST /mcp on the Node fast path', () => {
  it('reaches the aggregate front with the Node request as its body source', async () => {
    const { port, reached, app } = await setup();
    const answer = await send(port, 'POST', '/mcp', { ...json, ...auth }, '{}');
    expect(answer).toMatchObject({ status: 200, body: 'aggregate answered' });
    // The same endpoint through fetch() (embedding) goes through Hono, with the web body.
    const embedded = await app.fetch(
      new Request('http://127.0.0.1/mcp', {
        method: 'POST',
        headers: { ...json, ...auth },
        body: '{}',
      }),
    );
    expect(await embedded.text()).toBe('aggregate answered');
    expect(reached).toEqual(['aggregate POST node body', 'aggregate POST web body']);
  });

  it('refuses exactly as the Hono path does: key, Origin, Host, shutdown', async () => {
    const { port, reached, app, admission } = await setup();
    const cases: Array<{ headers: Record<string, string>; status: number }> = [
      { headers: json, status: 401 },
      { headers: { ...json, authorization: 'Bearer wrong' }, status: 401 },
      { headers: { ...json, ...auth, origin: 'https://evil.example' }, status: 403 },
      { headers: { ...json, ...auth, host: 'evil.example' }, status: 403 },
    ];
    const viaHono = async (headers: Record<string, string>) =>
      app.fetch(
        new Request(`http://${headers.host ?? '127.0.0.1'}/mcp`, {
          method: 'POST',
          headers,
          body: '{}',
        }),
      );
    for (const { headers, status } of cases) {
      const fast = await send(port, 'POST', '/mcp', headers, '{}');
      const web = await viaHono(headers);
      expect(fast.status).toBe(status);
      expect(web.status).toBe(status);
      expect(fast.body).toBe(await web.text());
      expect(fast.headers['content-type']).toBe(web.headers.get('content-type'));
      expect(fast.headers['www-authenticate'] ?? null).toBe(web.headers.get('www-authenticate'));
    }
    const unauthorized = JSON.parse((await send(port, 'POST', '/mcp', json, '{}')).body);
    expect(unauthorized).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32001, message: MCP_UNAUTHORIZED },
    });
    admission.open = false;
    const stopping = await send(port, 'POST', '/mcp', { ...json, ...auth }, '{}');
    expect(stopping.status).toBe(503);
    expect(stopping.body).toBe(await (await viaHono({ ...json, ...auth })).text());
    expect(reached).toEqual([]);
  });

  it('leaves every other request to Hono', async () => {
    const { port, reached } = await setup();
    expect((await send(port, 'GET', '/health', {})).status).toBe(200);
    const perServer = await send(port, 'POST', '/servers/memory/mcp', { ...json, ...auth }, '{}');
    expect(perServer.body).toBe('memory answered');
    expect(reached).toEqual(['memory POST node body']);
  });
});

const APP_ORIGIN = 'https://app.example.com';
const CORS_HEADERS = [
  'access-control-allow-origin',
  'access-control-allow-methods',
  'access-control-allow-headers',
  'access-control-allow-credentials',
  'access-control-expose-headers',
];
const bodyFor = (method: string) => (method === 'POST' ? '{}' : undefined);
const corsOf = (headers: IncomingHttpHeaders) =>
  CORS_HEADERS.filter((name) => headers[name] !== undefined);
const preflight = (origin: string) => ({
  origin,
  'access-control-request-method': 'POST',
  'access-control-request-headers': 'authorization, content-type, mcp-session-id',
});

/** Every route a page could try: MCP endpoints (fast path and app), `/api`, and the rest. */
const ROUTES: Array<[string, string]> = [
  ['POST', '/mcp'],
  ['GET', '/mcp'],
  ['POST', '/servers/memory/mcp'],
  ['GET', '/sse'],
  ['POST', '/messages?sessionId=x'],
  ['GET', '/api/servers'],
  ['GET', '/health'],
  ['GET', '/metrics'],
];

describe('CORS, off by default', () => {
  it('adds no CORS header to any route, whatever the origin', async () => {
    const { port } = await setup();
    for (const origin of ['http://localhost:5173', APP_ORIGIN, 'https://evil.example']) {
      for (const [method, path] of ROUTES) {
        const answer = await send(
          port,
          method,
          path,
          { ...json, ...auth, origin },
          bodyFor(method),
        );
        expect(corsOf(answer.headers), `${method} ${path} from ${origin}`).toEqual([]);
      }
    }
  });

  it('answers a preflight, from a foreign origin or a loopback page, with no allow headers', async () => {
    const { port, reached } = await setup();
    for (const origin of ['https://evil.example', APP_ORIGIN, 'http://localhost:5173']) {
      for (const path of ['/mcp', '/servers/memory/mcp', '/api/servers']) {
        const answer = await send(port, 'OPTIONS', path, preflight(origin));
        expect(answer.status).not.toBe(204);
        expect(corsOf(answer.headers), `${path} from ${origin}`).toEqual([]);
      }
    }
    expect(reached).toEqual([]);
  });
});

describe('CORS for the origins in allowedOrigins', () => {
  it('answers a listed origin’s preflight before the key check, naming that origin only', async () => {
    const { port, reached } = await setup([APP_ORIGIN]);
    for (const path of ['/mcp', '/servers/memory/mcp', '/sse', '/messages', '/api/servers']) {
      const answer = await send(port, 'OPTIONS', path, preflight(APP_ORIGIN));
      expect(answer.status).toBe(204);
      expect(answer.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
      expect(answer.headers['access-control-allow-methods']).toContain('POST');
      expect(answer.headers['access-control-allow-headers']).toMatch(/Mcp-Session-Id/i);
      expect(answer.headers['access-control-allow-headers']).toMatch(/Authorization/i);
      expect(answer.headers['access-control-allow-credentials']).toBeUndefined();
      expect(answer.headers.vary).toMatch(/Origin/);
    }
    expect(reached).toEqual([]);
  });

  it('lets a listed origin through the Origin check and names it on MCP and /api answers', async () => {
    const { port, reached } = await setup([APP_ORIGIN]);
    const headers = { ...json, ...auth, origin: APP_ORIGIN };
    for (const [method, path] of ROUTES.slice(0, 6)) {
      const answer = await send(port, method, path, headers, bodyFor(method));
      expect(answer.status, `${method} ${path}`).toBeLessThan(400);
      expect(answer.headers['access-control-allow-origin'], `${method} ${path}`).toBe(APP_ORIGIN);
      expect(answer.headers['access-control-expose-headers']).toMatch(/Mcp-Session-Id/i);
    }
    expect(reached).toContain('memory POST node body');
    // A refusal is readable by the page too, so it can ask for a key.
    const refused = await send(port, 'POST', '/mcp', { ...json, origin: APP_ORIGIN }, '{}');
    expect(refused.status).toBe(401);
    expect(refused.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
    // Outside the MCP endpoints and /api, no CORS.
    const health = await send(port, 'GET', '/health', { origin: APP_ORIGIN });
    expect(corsOf(health.headers)).toEqual([]);
  });

  it('still refuses every other origin with 403 and no CORS header, and never answers `*`', async () => {
    const { port } = await setup([APP_ORIGIN]);
    for (const origin of ['https://evil.example', `${APP_ORIGIN}.evil.example`, 'null']) {
      for (const [method, path] of ROUTES) {
        const answer = await send(
          port,
          method,
          path,
          { ...json, ...auth, origin },
          bodyFor(method),
        );
        expect(answer.status, `${method} ${path} from ${origin}`).toBe(403);
        expect(corsOf(answer.headers)).toEqual([]);
      }
      const pre = await send(port, 'OPTIONS', '/mcp', preflight(origin));
      expect(pre.status).toBe(403);
      expect(corsOf(pre.headers)).toEqual([]);
    }
    const loopbackPage = await send(port, 'POST', '/mcp', {
      ...json,
      ...auth,
      origin: 'http://localhost:5173',
    });
    expect(loopbackPage.status).toBe(200);
    expect(corsOf(loopbackPage.headers)).toEqual([]);
  });
});
