import { ErrorCode, type JsonObject } from '@switchyard/protocol';
import { ManualClock } from '@switchyard/protocol/testing';
import { describe, expect, it } from 'vitest';
import { settle } from './__fixtures__/fake-backend.js';
import { createHarness, echoCall, TestClient, toolsNamed } from './__fixtures__/router-harness.js';
import { createBackendGates } from './admission.js';
import type { RouterObserver } from './context.js';
import { createRouter } from './router.js';

/** A harness whose backend `alpha` leaves every call pending, with a limit of 2 and 1 waiting. */
async function limited(options: { maxQueuedRequests?: number; queueTimeoutMs?: number } = {}) {
  const refused: Array<{ server: string; reason: string }> = [];
  const depths: number[] = [];
  const observer: RouterObserver = {
    requestRefused: (record) => refused.push(record),
    queueDepth: ({ depth }) => depths.push(depth),
  };
  const h = await createHarness([{ name: 'alpha', handlers: { 'tools/call': () => undefined } }], {
    maxConcurrentRequests: 2,
    maxQueuedRequests: 1,
    queueTimeoutMs: 5_000,
    observer,
    ...options,
  });
  const transport = h.backend('alpha').transport;
  const call = (client: ReturnType<typeof h.client>, tag: string) =>
    client.request('tools/call', { name: 'alpha__x', arguments: { tag } }, tag);
  const sentTags = () =>
    transport
      .requests('tools/call')
      .map((r) => (r.params?.arguments as JsonObject | undefined)?.tag);
  return { h, transport, call, sentTags, refused, depths };
}

describe('request timeouts', () => {
  it('answers -32001 naming the backend and cancels the request there', async () => {
    const h = await createHarness(
      [{ name: 'alpha', handlers: { 'tools/call': () => undefined } }],
      {
        requestTimeoutMs: 10_000,
      },
    );
    const response = h.client().request('tools/call', { name: 'alpha__slow' });
    await settle();
    const sent = h.backend('alpha').transport.sentRequest('tools/call');
    h.clock.advance(10_000);
    const answer = await response;
    expect(answer).toMatchObject({ error: { code: ErrorCode.RequestTimeout } });
    expect('error' in answer && answer.error.message).toContain('"alpha"');
    expect(h.backend('alpha').transport.notifications('notifications/cancelled')).toEqual([
      {
        jsonrpc: '2.0',
        method: 'notifications/cancelled',
        params: { requestId: sent.id, reason: 'timed out after 10000 ms' },
      },
    ]);
  });

  it('uses a per-backend override of the timeout', async () => {
    const h = await createHarness(
      [
        { name: 'quick', handlers: { 'tools/call': () => undefined } },
        { name: 'patient', handlers: { 'tools/call': () => undefined } },
      ],
      {
        requestTimeoutMs: 1_000,
        requestTimeoutFor: (backend) => (backend === 'patient' ? 5_000 : undefined),
      },
    );
    const client = h.client();
    let patientAnswered = false;
    const quick = client.request('tools/call', { name: 'quick__x' });
    void client.request('tools/call', { name: 'patient__x' }).then(() => {
      patientAnswered = true;
    });
    await settle();
    h.clock.advance(1_000);
    expect(await quick).toMatchObject({ error: { code: ErrorCode.RequestTimeout } });
    await settle();
    expect(patientAnswered).toBe(false);
    h.clock.advance(4_000);
    await settle();
    expect(patientAnswered).toBe(true);
  });
});

describe('progress', () => {
  it('mints a token for the backend and maps its progress back to the client token', async () => {
    const h = await createHarness([{ name: 'alpha', handlers: { 'tools/call': () => undefined } }]);
    const client = h.client();
    const response = client.request(
      'tools/call',
      { name: 'alpha__build', _meta: { progressToken: 'tok-1', traceId: 't' } },
      'req-1',
    );
    await settle();
    const transport = h.backend('alpha').transport;
    const sent = transport.sentRequest('tools/call');
    const meta = sent.params?._meta as JsonObject;
    expect(meta.progressToken).not.toBe('tok-1');
    expect(meta.traceId).toBe('t');

    transport.deliver({
      jsonrpc: '2.0',
      method: 'notifications/progress',
      params: { progressToken: meta.progressToken, progress: 3, total: 10, message: 'compiling' },
    });
    expect(client.received).toEqual([
      {
        message: {
          jsonrpc: '2.0',
          method: 'notifications/progress',
          params: { progressToken: 'tok-1', progress: 3, total: 10, message: 'compiling' },
        },
        related: 'req-1',
      },
    ]);

    transport.answer(sent.id, { result: { content: [] } });
    await response;
    expect(client.received.at(-1)).toEqual({
      message: { jsonrpc: '2.0', id: 'req-1', result: { content: [] } },
      related: 'req-1',
    });
  });

  it('keeps a numeric client token a number', async () => {
    const h = await createHarness([{ name: 'alpha', handlers: { 'tools/call': () => undefined } }]);
    const client = h.client();
    void client.request('tools/call', { name: 'alpha__build', _meta: { progressToken: 7 } });
    await settle();
    const transport = h.backend('alpha').transport;
    const token = transport.progressTokenOf('tools/call');
    transport.deliver({
      jsonrpc: '2.0',
      method: 'notifications/progress',
      params: { progressToken: token, progress: 1 },
    });
    expect(client.notifications('notifications/progress')[0]?.params?.progressToken).toBe(7);
  });

  it('asks the backend for no progress when the client did not', async () => {
    const h = await createHarness([
      { name: 'alpha', handlers: { 'tools/call': echoCall('alpha') } },
    ]);
    await h.client().request('tools/call', { name: 'alpha__x', _meta: { traceId: 't' } });
    expect(h.backend('alpha').transport.sentRequest('tools/call').params).toEqual({
      name: 'x',
      _meta: { traceId: 't' },
    });
  });

  it('sends progress to the session that asked for it, even before it is initialized', async () => {
    const h = await createHarness([{ name: 'alpha', handlers: { 'tools/call': () => undefined } }]);
    const asker = h.client();
    const other = await h.initializedClient();
    void asker.request('tools/call', { name: 'alpha__x', _meta: { progressToken: 'p' } });
    await settle();
    const transport = h.backend('alpha').transport;
    const token = transport.progressTokenOf('tools/call');
    transport.deliver({
      jsonrpc: '2.0',
      method: 'notifications/progress',
      params: { progressToken: token, progress: 1 },
    });
    expect(asker.notifications('notifications/progress')).toHaveLength(1);
    expect(other.notifications()).toEqual([]);
  });
});

describe('admission at a backend', () => {
  it('holds a request over the limit until a slot frees, then sends it', async () => {
    const { h, transport, call, sentTags, depths } = await limited();
    const [one, two] = [h.client(), h.client()];
    void call(one, 'a');
    void call(two, 'b');
    const third = call(one, 'c');
    await settle();
    expect(sentTags()).toEqual(['a', 'b']);
    expect(depths).toEqual([1]);
    transport.answer(transport.sentRequest('tools/call').id, { result: { content: [] } });
    await settle();
    expect(sentTags()).toEqual(['a', 'b', 'c']);
    expect(depths).toEqual([1, 0]);
    const sent = transport.requests('tools/call')[2];
    if (sent) transport.answer(sent.id, { result: { content: [] } });
    expect(await third).toMatchObject({ id: 'c', result: { content: [] } });
  });

  it('refuses at once when the queue is full: queue_full, the server, a retry hint, counted', async () => {
    const { h, call, sentTags, refused } = await limited();
    for (const tag of ['a', 'b', 'c']) void call(h.client(), tag);
    const answer = await call(h.client(), 'd');
    expect(answer).toEqual({
      jsonrpc: '2.0',
      id: 'd',
      error: {
        code: ErrorCode.Overloaded,
        message:
          'Too many requests: backend "alpha" has 2 in flight and 1 waiting; retry after 1000 ms',
        data: { server: 'alpha', reason: 'queue_full', retryAfterMs: 1000 },
      },
    });
    expect(sentTags()).toEqual(['a', 'b']);
    expect(refused).toEqual([{ server: 'alpha', reason: 'queue_full' }]);
  });

  it('refuses a request that waited queueTimeoutMs on the clock: queue_timeout', async () => {
    const { h, call, sentTags, refused } = await limited({ queueTimeoutMs: 3_000 });
    void call(h.client(), 'a');
    void call(h.client(), 'b');
    const waiting = call(h.client(), 'c');
    await settle();
    h.clock.advance(3_000);
    expect(await waiting).toMatchObject({
      error: {
        code: ErrorCode.Overloaded,
        data: { server: 'alpha', reason: 'queue_timeout', retryAfterMs: 1000 },
      },
    });
    expect(sentTags()).toEqual(['a', 'b']);
    expect(refused).toEqual([{ server: 'alpha', reason: 'queue_timeout' }]);
  });

  it('takes a cancelled request out of the queue: never sent, never answered', async () => {
    const { h, transport, call, sentTags, depths } = await limited();
    const client = h.client();
    void call(h.client(), 'a');
    void call(h.client(), 'b');
    void call(client, 'c');
    await settle();
    client.notify('notifications/cancelled', { requestId: 'c', reason: 'changed my mind' });
    expect(depths).toEqual([1, 0]);
    transport.answer(transport.sentRequest('tools/call').id, { result: { content: [] } });
    await settle();
    expect(sentTags()).toEqual(['a', 'b']);
    expect(client.responsesTo('c')).toEqual([]);
    expect(transport.notifications('notifications/cancelled')).toEqual([]);
    // Nobody waits any more: the freed slot goes to the next request.
    void call(client, 'd');
    await settle();
    expect(sentTags()).toEqual(['a', 'b', 'd']);
  });

  it("empties a departing client's waiting requests from the queue", async () => {
    const { h, transport, call, sentTags } = await limited({ maxQueuedRequests: 5 });
    const leaving = h.client();
    void call(h.client(), 'a');
    void call(h.client(), 'b');
    void call(leaving, 'c');
    void call(leaving, 'd');
    void call(h.client(), 'e');
    await settle();
    await leaving.session.close();
    transport.answer(transport.sentRequest('tools/call').id, { result: { content: [] } });
    await settle();
    expect(sentTags()).toEqual(['a', 'b', 'e']);
  });

  it('holds one limit for every router given the same gates (the endpoints of one proxy)', async () => {
    const clock = new ManualClock();
    const gates = createBackendGates({
      maxInFlight: 1,
      maxPending: 5,
      queueTimeoutMs: 5_000,
      clock,
    });
    const h = await createHarness(
      [
        {
          name: 'alpha',
          handlers: { 'tools/call': () => undefined, 'tools/list': toolsNamed('x') },
        },
      ],
      { gates },
    );
    const other = createRouter({
      backends: h.directory,
      serverInfo: { name: 'switchyard', version: '0.1.0' },
      naming: { strategy: 'none' },
      clock: h.clock,
      gates,
    });
    void h.client().request('tools/call', { name: 'alpha__x' });
    void new TestClient(other).request('tools/call', { name: 'x' });
    await settle();
    expect(h.backend('alpha').transport.requests('tools/call')).toHaveLength(1);
    expect(gates.of('alpha').queued).toBe(1);
  });
});

describe('the exchange tap', () => {
  it('sees each crossing, may replace its params, and adds to the result _meta', async () => {
    const seen: Array<{ server: string; method: string; name: unknown; session: string }> = [];
    const outcomes: string[] = [];
    const h = await createHarness(
      [{ name: 'alpha', handlers: { 'tools/call': echoCall('alpha') } }],
      {
        tap: (event) => {
          seen.push({
            server: event.server,
            method: event.method,
            name: event.params.name,
            session: event.session.id,
          });
          return {
            params: { ...event.params, _meta: { traceparent: 'child' } },
            done: (outcome, result) => {
              outcomes.push(`${outcome.kind}:${JSON.stringify(result?.content)}`);
              return { 'example/unit': 'u1' };
            },
          };
        },
      },
    );
    const client = h.client();
    const answer = await client.request('tools/call', { name: 'alpha__x', arguments: {} });
    expect(answer).toMatchObject({
      result: {
        content: [{ type: 'text', text: 'alpha:x' }],
        _meta: { 'example/unit': 'u1' },
      },
    });
    expect(seen).toEqual([
      { server: 'alpha', method: 'tools/call', name: 'x', session: client.session.id },
    ]);
    expect(h.backend('alpha').transport.sentRequest('tools/call').params?._meta).toEqual({
      traceparent: 'child',
    });
    expect(outcomes).toEqual(['result:[{"type":"text","text":"alpha:x"}]']);
  });

  it('adds its _meta keys next to the backend’s own, and keeps every key of the result as its own', async () => {
    const result = JSON.parse(
      '{"content":[],"__proto__":{"x":1},"_meta":{"acme/k":2,"__proto__":{"y":3}}}',
    );
    const h = await createHarness(
      [{ name: 'alpha', handlers: { 'tools/call': () => ({ result }) } }],
      {
        tap: () => ({ done: () => ({ 'example/unit': 'u1' }) }),
      },
    );
    const answer = await h.client().request('tools/call', { name: 'alpha__x', arguments: {} });
    if (!('result' in answer)) throw new Error(JSON.stringify(answer));
    expect(Object.getPrototypeOf(answer.result)).toBe(Object.prototype);
    expect(JSON.stringify(answer.result)).toBe(
      '{"content":[],"__proto__":{"x":1},"_meta":{"acme/k":2,"__proto__":{"y":3},"example/unit":"u1"}}',
    );
  });
});
