import { createHash } from 'node:crypto';
import { ErrorCode } from '@switchyard/protocol';
import { ManualClock, until } from '@switchyard/protocol/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { initializeMessage, type TestProxy, withProxy } from './helpers.js';

const KEY_A = 'sy_rate-limit-key-a';
const KEY_B = 'sy_rate-limit-key-b';
const hash = (key: string) => `sha256:${createHash('sha256').update(key).digest('hex')}`;
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const mcpHeaders = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
};

/**
 * Rate limits per key and per session (docs/operations.md, "Rate limits"), over real sockets with
 * the proxy on a manual clock: buckets refill only when the test moves time on.
 */
describe('rate limits per key and per session', () => {
  const clock = new ManualClock();
  let testProxy: TestProxy;
  let origin: string;

  beforeAll(async () => {
    testProxy = await withProxy(
      {
        servers: {},
        proxy: {
          apiKeys: [hash(KEY_A), hash(KEY_B)],
          rateLimit: {
            perKey: { requestsPerSecond: 1, burst: 2 },
            perSession: { requestsPerSecond: 1, burst: 2 },
          },
        },
      },
      { client: false, clock },
    );
    origin = testProxy.url.origin;
  });

  afterAll(() => testProxy?.close());

  const post = (key: string, path = '/mcp') =>
    fetch(`${origin}${path}`, {
      method: 'POST',
      headers: { ...mcpHeaders, ...bearer(key) },
      body: JSON.stringify(initializeMessage()),
    });

  it('answers a key over its rate 429 with Retry-After before reading the body; another key is unaffected', async () => {
    clock.advance(10_000);
    for (const path of ['/mcp', '/mcp']) {
      const passed = await post(KEY_A, path);
      expect(passed.status).toBe(200);
      await passed.body?.cancel();
    }
    const refused = await post(KEY_A);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toMatchObject({
      id: null,
      error: { code: ErrorCode.RateLimited, data: { reason: 'rate_limited', retryAfterMs: 1000 } },
    });
    // The Hono routes (here HTTP+SSE's /messages) take the same bucket.
    expect((await post(KEY_A, '/messages?sessionId=x')).status).toBe(429);

    const other = await post(KEY_B);
    expect(other.status).toBe(200);
    await other.body?.cancel();

    clock.advance(1000);
    const again = await post(KEY_A);
    expect(again.status).toBe(200);
    await again.body?.cancel();
  });

  it('refuses a WebSocket upgrade over its key rate with 429', async () => {
    clock.advance(10_000);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      statuses.push(
        await new Promise<number>((resolve) => {
          const socket = new WebSocket(`${origin.replace('http', 'ws')}/ws`, 'mcp', {
            headers: bearer(KEY_B),
          });
          socket.once('open', () => {
            socket.close();
            resolve(101);
          });
          socket.once('unexpected-response', (_r, response) => resolve(response.statusCode ?? 0));
          socket.once('error', () => {});
        }),
      );
    }
    expect(statuses).toEqual([101, 101, 429]);
  });

  it('answers a request over its session rate with a JSON-RPC error and a retry hint', async () => {
    clock.advance(10_000);
    const socket = new WebSocket(`${origin.replace('http', 'ws')}/ws`, 'mcp', {
      headers: bearer(KEY_A),
    });
    const answers: Array<{ id: number; error?: { code: number; data?: unknown } }> = [];
    socket.on('message', (data) => answers.push(JSON.parse(String(data))));
    await new Promise((resolve) => socket.once('open', resolve));
    const send = (message: object) => socket.send(JSON.stringify(message));
    send({ ...initializeMessage(), id: 1 });
    send({ jsonrpc: '2.0', id: 2, method: 'ping' });
    send({ jsonrpc: '2.0', id: 3, method: 'ping' });
    await until(() => answers.length === 3, 'three answers');
    answers.sort((a, b) => a.id - b.id);
    expect(answers.map((answer) => answer.error?.code)).toEqual([
      undefined,
      undefined,
      ErrorCode.RateLimited,
    ]);
    expect(answers[2]?.error?.data).toEqual({ reason: 'rate_limited', retryAfterMs: 1000 });
    socket.close();

    const metrics = await (await fetch(`${origin}/metrics`)).text();
    const refusals = metrics
      .split('\n')
      .filter((line) => /^switchyard_requests_rejected_total\{.*reason="rate_limited"/.test(line))
      .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
    expect(refusals).toBeGreaterThanOrEqual(4);
  });
});
