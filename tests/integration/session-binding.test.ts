import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initializeMessage, type TestProxy, withProxy } from './helpers.js';

const KEY_A = 'sy_session-binding-key-a';
const KEY_B = 'sy_session-binding-key-b';
const hash = (key: string) => `sha256:${createHash('sha256').update(key).digest('hex')}`;
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

const mcpHeaders = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
};
const ping = (id: number) => JSON.stringify({ jsonrpc: '2.0', id, method: 'ping' });

/**
 * A session id is bound to the key that opened it (docs/security.md, "Session binding"): another
 * key presenting it gets the 404 of an unknown session, on the Node fast path of `POST /mcp`, on
 * the other Streamable HTTP methods and on HTTP+SSE alike.
 */
describe('sessions bound to the key that opened them', () => {
  let testProxy: TestProxy;
  let mcp: string;
  let origin: string;

  beforeAll(async () => {
    testProxy = await withProxy(
      { servers: {}, proxy: { apiKeys: [hash(KEY_A), hash(KEY_B)] } },
      { client: false },
    );
    mcp = testProxy.url.href;
    origin = testProxy.url.origin;
  });

  afterAll(() => testProxy?.close());

  async function openStreamable(key: string): Promise<string> {
    const response = await fetch(mcp, {
      method: 'POST',
      headers: { ...mcpHeaders, ...bearer(key) },
      body: JSON.stringify(initializeMessage()),
    });
    expect(response.status).toBe(200);
    await response.text();
    const id = response.headers.get('mcp-session-id');
    if (!id) throw new Error('no Mcp-Session-Id');
    return id;
  }

  it('issues ids of at least 128 random bits', async () => {
    const id = await openStreamable(KEY_A);
    expect(id).toMatch(/^[\x21-\x7e]+$/);
    expect(Buffer.from(id, 'base64url').length).toBeGreaterThanOrEqual(16);
  });

  it('answers key B presenting key A’s Streamable HTTP session with 404, as an unknown session', async () => {
    const id = await openStreamable(KEY_A);
    const post = (key: string, sessionId: string) =>
      fetch(mcp, {
        method: 'POST',
        headers: { ...mcpHeaders, ...bearer(key), 'mcp-session-id': sessionId },
        body: ping(2),
      });
    const stolen = await post(KEY_B, id);
    expect(stolen.status).toBe(404);
    const unknown = await post(KEY_B, 'AAAAAAAAAAAAAAAAAAAAAA');
    expect(unknown.status).toBe(404);
    expect(await stolen.json()).toEqual(await unknown.json());

    const get = await fetch(mcp, {
      headers: { accept: 'text/event-stream', ...bearer(KEY_B), 'mcp-session-id': id },
    });
    expect(get.status).toBe(404);
    await get.body?.cancel();
    const del = await fetch(mcp, {
      method: 'DELETE',
      headers: { ...bearer(KEY_B), 'mcp-session-id': id },
    });
    expect(del.status).toBe(404);
    const anonymous = await fetch(mcp, {
      method: 'POST',
      headers: { ...mcpHeaders, 'mcp-session-id': id },
      body: ping(3),
    });
    expect(anonymous.status).toBe(401);

    // The session survived the attempts, and still serves the key that opened it.
    const own = await post(KEY_A, id);
    expect(own.status).toBe(200);
    expect(await own.json()).toMatchObject({ id: 2, result: {} });
  });

  it('binds sessions the same way when the proxy is driven through fetch() (embedding)', async () => {
    const { proxy } = testProxy;
    const request = (key: string, body: string, sessionId?: string) =>
      proxy.fetch(
        new Request('http://127.0.0.1/mcp', {
          method: 'POST',
          headers: {
            ...mcpHeaders,
            ...bearer(key),
            ...(sessionId ? { 'mcp-session-id': sessionId } : {}),
          },
          body,
        }),
      );
    const opened = await request(KEY_A, JSON.stringify(initializeMessage()));
    const id = opened.headers.get('mcp-session-id') ?? '';
    await opened.text();
    expect((await request(KEY_B, ping(2), id)).status).toBe(404);
    expect((await request(KEY_A, ping(2), id)).status).toBe(200);
  });

  it('answers key B posting to key A’s HTTP+SSE session with 404', async () => {
    const controller = new AbortController();
    const stream = await fetch(`${origin}/sse`, {
      headers: { accept: 'text/event-stream', ...bearer(KEY_A) },
      signal: controller.signal,
    });
    expect(stream.status).toBe(200);
    const reader = stream.body?.getReader();
    if (!reader) throw new Error('no SSE body');
    let text = '';
    while (!/data: (\S+)\n/.test(text)) {
      const { value, done } = await reader.read();
      if (done) throw new Error('the SSE stream ended');
      text += new TextDecoder().decode(value);
    }
    const endpoint = /data: (\S+)\n/.exec(text)?.[1] ?? '';
    const post = (key: string) =>
      fetch(new URL(endpoint, origin), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(key) },
        body: ping(4),
      });
    const stolen = await post(KEY_B);
    expect(stolen.status).toBe(404);
    expect((await post(KEY_A)).status).toBe(202);
    controller.abort();
  });
});
