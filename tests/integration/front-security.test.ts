import { createHash } from 'node:crypto';
import { request } from 'node:http';
import type { SwitchyardProxy } from '@switchyard/proxy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startProxy } from './helpers.js';

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

describe('Origin, Host and keys on /sse, /messages and /ws (spec K1, K2)', () => {
  let proxy: SwitchyardProxy;
  let origin: string;

  beforeAll(async () => {
    ({ proxy } = await startProxy({
      servers: {},
      proxy: { apiKeys: [`sha256:${createHash('sha256').update(KEY).digest('hex')}`] },
    }));
    origin = `http://127.0.0.1:${proxy.address?.port}`;
  });

  afterAll(() => proxy.stop());

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
