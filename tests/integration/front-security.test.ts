import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { silentLogger } from '@switchyard/logging';
import { createProxy } from '@switchyard/proxy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { initializeMessage, type TestProxy, withProxy } from './helpers.js';

const KEY = 'sy_front-security-key-42';

/** The status of a request sent with node:http, which (unlike fetch) lets a test set `Host`. */
function rawStatus(url: string, method: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens a WebSocket and resolves with the HTTP status of a refused upgrade, or 101. */
function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, 'mcp', { headers });
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    socket.once('error', () => {});
  });
}

describe('Origin, Host and keys on /sse, /messages and /ws', () => {
  let testProxy: TestProxy;
  let origin: string;

  beforeAll(async () => {
    testProxy = await withProxy(
      {
        servers: {},
        proxy: { apiKeys: [`sha256:${createHash('sha256').update(KEY).digest('hex')}`] },
      },
      { client: false },
    );
    origin = testProxy.url.origin;
  });

  afterAll(() => testProxy?.close());

  const auth = { authorization: `Bearer ${KEY}` };

  it('refuses a foreign Origin or Host with 403 on /sse and /messages', async () => {
    for (const path of ['/sse', '/messages?sessionId=x']) {
      const method = path === '/sse' ? 'GET' : 'POST';
      const foreignOrigin = await fetch(`${origin}${path}`, {
        method,
        headers: { ...auth, origin: 'https://evil.example' },
      });
      expect(foreignOrigin.status).toBe(403);
      // fetch() may not set Host; node:http can, as a DNS-rebinding page's browser would.
      expect(await rawStatus(`${origin}${path}`, method, { ...auth, host: 'evil.example' })).toBe(
        403,
      );
    }
  });

  it('refuses a missing or wrong key with 401 on /sse and /messages', async () => {
    expect((await fetch(`${origin}/sse`)).status).toBe(401);
    expect(
      (
        await fetch(`${origin}/messages?sessionId=x`, {
          method: 'POST',
          headers: { authorization: 'Bearer nope' },
        })
      ).status,
    ).toBe(401);
  });

  it('applies the same checks to WebSocket upgrades on /ws', async () => {
    const ws = `${origin.replace('http', 'ws')}/ws`;
    expect(await upgradeStatus(ws, { ...auth, origin: 'https://evil.example' })).toBe(403);
    expect(await upgradeStatus(ws, { ...auth, host: 'evil.example' })).toBe(403);
    expect(await upgradeStatus(ws, {})).toBe(401);
    expect(await upgradeStatus(ws, { authorization: 'Bearer wrong-key-of-other-length' })).toBe(
      401,
    );
    expect(await upgradeStatus(ws, auth)).toBe(101);
    expect(await upgradeStatus(`${origin.replace('http', 'ws')}/nowhere`, auth)).toBe(404);
  });
});

describe('HTTP guard (Origin and Host)', () => {
  const proxy = createProxy({ servers: {} }, { logger: silentLogger() });
  const health = (headers: Record<string, string>) =>
    proxy.fetch(new Request('http://127.0.0.1:3000/health', { headers }));

  it('lets CLI clients without Origin and loopback pages through', async () => {
    expect((await health({})).status).toBe(200);
    expect((await health({ origin: 'http://localhost:5173' })).status).toBe(200);
    expect((await health({ origin: 'http://127.0.0.1:3000' })).status).toBe(200);
  });

  it('answers a foreign Origin with 403', async () => {
    expect((await health({ origin: 'https://evil.example' })).status).toBe(403);
    expect((await health({ origin: 'null' })).status).toBe(403);
  });

  it('answers a foreign Host with 403 when bound to loopback (DNS rebinding)', async () => {
    expect((await health({ host: 'evil.example:3000' })).status).toBe(403);
    expect((await health({ host: 'localhost:3000' })).status).toBe(200);
  });
});

describe('admin API keys', () => {
  it('needs the key when one is configured: 401 for a missing, wrong or different-length key', async () => {
    const proxy = createProxy(
      { servers: {}, dashboard: { apiKey: 's3cret-key-1234' } },
      { logger: silentLogger() },
    );
    const get = (authorization?: string) =>
      proxy.fetch(
        new Request('http://127.0.0.1:3000/api/servers', {
          headers: authorization ? { authorization } : {},
        }),
      );
    expect((await get()).status).toBe(401);
    expect((await get('Bearer s3cret-key-1235')).status).toBe(401);
    expect((await get('Bearer short')).status).toBe(401);
    expect((await get('Bearer s3cret-key-1234-and-more')).status).toBe(401);
    expect((await get('Bearer s3cret-key-1234')).status).toBe(200);
  });

  it('refuses the admin API bound beyond loopback without a key', async () => {
    const proxy = createProxy(
      { servers: {}, proxy: { host: '0.0.0.0' } },
      { logger: silentLogger() },
    );
    const response = await proxy.fetch(new Request('http://10.0.0.5:3000/api/servers'));
    expect(response.status).toBe(403);
  });
});

describe('bearer keys on the MCP endpoints', () => {
  const key = 'sy_test-key-0123456789';
  const hash = `sha256:${createHash('sha256').update(key).digest('hex')}`;
  const initialize = (authorization?: string) =>
    new Request('http://127.0.0.1/mcp', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...(authorization ? { authorization } : {}),
      },
      body: JSON.stringify(initializeMessage()),
    });

  it('answers 401 for a missing, wrong or different-length key, and serves the right one', async () => {
    const proxy = createProxy(
      { servers: {}, proxy: { apiKeys: [hash] } },
      { logger: silentLogger() },
    );
    await proxy.start({ listen: false });
    for (const authorization of [
      undefined,
      `Bearer ${key.slice(0, -1)}x`,
      'Bearer short',
      `Bearer ${key}-longer`,
      key,
    ]) {
      const response = await proxy.fetch(initialize(authorization));
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
    }
    const ok = await proxy.fetch(initialize(`Bearer ${key}`));
    expect(ok.status).toBe(200);
    const perBackend = await proxy.fetch(
      new Request('http://127.0.0.1/servers/switchyard/mcp', { method: 'POST' }),
    );
    expect(perBackend.status).toBe(401);
    await proxy.stop();
  });

  it('refuses to listen beyond loopback without a key, unless told to', async () => {
    const open = createProxy(
      { servers: {}, proxy: { host: '0.0.0.0', port: 0 } },
      { logger: silentLogger() },
    );
    await expect(open.start()).rejects.toThrow(
      /refusing to listen on 0\.0\.0\.0 without proxy\.apiKeys/,
    );
    const told = createProxy(
      { servers: {}, proxy: { host: '0.0.0.0', port: 0, allowUnauthenticated: true } },
      { logger: silentLogger() },
    );
    await told.start();
    expect(told.address?.port).toBeGreaterThan(0);
    await told.stop();
  });
});
