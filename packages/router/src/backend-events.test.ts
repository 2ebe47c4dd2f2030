import { ErrorCode } from '@switchyard/protocol';
import { until } from '@switchyard/protocol/testing';
import { describe, expect, it } from 'vitest';
import { TEST_CLIENT_INFO } from './__fixtures__/fake-backend.js';
import {
  createHarness,
  echoCall,
  listing,
  resultOf,
  TestClient,
  toolsNamed,
} from './__fixtures__/router-harness.js';
import { createRouter } from './router.js';

type Harness = Awaited<ReturnType<typeof createHarness>>;

describe('backend notifications', () => {
  it('debounces a burst of list_changed into one notification per method and session', async () => {
    const h = await createHarness([{ name: 'alpha' }, { name: 'beta' }], {
      listChangedDebounceMs: 100,
    });
    const one = await h.initializedClient();
    const two = await h.initializedClient();
    const alpha = h.backend('alpha').transport;
    const beta = h.backend('beta').transport;
    alpha?.deliver({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    beta?.deliver({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    h.clock.advance(50);
    alpha?.deliver({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    beta?.deliver({ jsonrpc: '2.0', method: 'notifications/prompts/list_changed' });
    expect(one.notifications()).toEqual([]);

    h.clock.advance(50);
    for (const client of [one, two]) {
      expect(client.notifications().map((n) => n.method)).toEqual([
        'notifications/tools/list_changed',
        'notifications/prompts/list_changed',
      ]);
    }

    alpha?.deliver({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    h.clock.advance(100);
    expect(one.notifications('notifications/tools/list_changed')).toHaveLength(2);
  });

  it('does not send list_changed to a session that has not finished initializing', async () => {
    const h = await createHarness([{ name: 'alpha' }]);
    const client = h.client();
    h.backend('alpha').transport.deliver({
      jsonrpc: '2.0',
      method: 'notifications/tools/list_changed',
    });
    h.clock.advance(1_000);
    expect(client.notifications()).toEqual([]);
  });

  it('forgets what a backend listed when its list changes', async () => {
    const h = await createHarness(
      [
        {
          name: 'alpha',
          handlers: { 'tools/list': toolsNamed('a'), 'tools/call': echoCall('alpha') },
        },
      ],
      { naming: { strategy: 'none' } },
    );
    const client = h.client();
    await client.request('tools/list');
    h.backend('alpha').transport.deliver({
      jsonrpc: '2.0',
      method: 'notifications/tools/list_changed',
    });
    expect(resultOf(await client.request('tools/call', { name: 'a' }))).toBeDefined();
    expect(h.backend('alpha').transport.requests('tools/list')).toHaveLength(2);
  });

  it('announces every list as changed when a backend comes or goes', async () => {
    const h = await createHarness([{ name: 'alpha' }]);
    const client = await h.initializedClient();
    h.router.backendsChanged('alpha');
    h.clock.advance(50);
    expect(client.notifications().map((n) => n.method)).toEqual([
      'notifications/tools/list_changed',
      'notifications/prompts/list_changed',
      'notifications/resources/list_changed',
    ]);
  });

  it('relays log messages with the backend named as the logger', async () => {
    const h = await createHarness([{ name: 'db' }]);
    const client = await h.initializedClient();
    const transport = h.backend('db').transport;
    transport.deliver({
      jsonrpc: '2.0',
      method: 'notifications/message',
      params: { level: 'info', logger: 'pool', data: 'connected' },
    });
    transport.deliver({
      jsonrpc: '2.0',
      method: 'notifications/message',
      params: { level: 'error', data: { detail: 'slow query' } },
    });
    expect(client.notifications('notifications/message').map((n) => n.params)).toEqual([
      { level: 'info', logger: 'db/pool', data: 'connected' },
      { level: 'error', logger: 'db', data: { detail: 'slow query' } },
    ]);
  });

  it('sends resources/updated only to the sessions subscribed to that URI', async () => {
    const h = await createHarness([
      {
        name: 'fs',
        capabilities: { resources: { subscribe: true } },
        handlers: {
          'resources/list': listing('resources', [{ uri: 'file:///watched' }]),
          'resources/subscribe': () => ({ result: {} }),
          'resources/unsubscribe': () => ({ result: {} }),
        },
      },
    ]);
    const subscriber = await h.initializedClient();
    const bystander = await h.initializedClient();
    resultOf(await subscriber.request('resources/subscribe', { uri: 'file:///watched' }));
    expect(h.backend('fs').transport.sentRequest('resources/subscribe').params).toEqual({
      uri: 'file:///watched',
    });
    const updated = {
      jsonrpc: '2.0' as const,
      method: 'notifications/resources/updated',
      params: { uri: 'file:///watched' },
    };
    h.backend('fs').transport.deliver(updated);
    h.backend('fs').transport.deliver({ ...updated, params: { uri: 'file:///other' } });
    expect(subscriber.notifications('notifications/resources/updated')).toEqual([updated]);
    expect(bystander.notifications()).toEqual([]);

    resultOf(await subscriber.request('resources/unsubscribe', { uri: 'file:///watched' }));
    h.backend('fs').transport.deliver(updated);
    expect(subscriber.notifications('notifications/resources/updated')).toHaveLength(1);
  });

  it('stops sending resources/updated to a closed session', async () => {
    const h = await createHarness([
      {
        name: 'fs',
        capabilities: { resources: { subscribe: true } },
        handlers: {
          'resources/list': listing('resources', [{ uri: 'file:///w' }]),
          'resources/subscribe': () => ({ result: {} }),
        },
      },
    ]);
    const client = await h.initializedClient();
    await client.request('resources/subscribe', { uri: 'file:///w' });
    client.session.close();
    h.backend('fs').transport.deliver({
      jsonrpc: '2.0',
      method: 'notifications/resources/updated',
      params: { uri: 'file:///w' },
    });
    expect(client.notifications()).toEqual([]);
  });

  it('does not relay notifications it does not know', async () => {
    const h = await createHarness([{ name: 'alpha' }]);
    const client = await h.initializedClient();
    h.backend('alpha').transport.deliver({ jsonrpc: '2.0', method: 'notifications/custom' });
    h.clock.advance(1_000);
    expect(client.notifications()).toEqual([]);
  });
});

describe('the backend hub', () => {
  /** A second router over one backend of the harness, as a per-server endpoint is. */
  function ownRouter(h: Harness, name: string) {
    return createRouter({
      hub: h.hub,
      clock: h.clock,
      serverInfo: TEST_CLIENT_INFO,
      naming: { strategy: 'none' },
      backends: {
        list: () => h.directory.list().filter((e) => e.name === name),
        covers: (backend) => backend === name,
      },
    });
  }

  it("delivers a backend's events to every router that covers it, and to no other", async () => {
    const h = await createHarness([{ name: 'alpha' }, { name: 'beta' }], {
      listChangedDebounceMs: 10,
    });
    const aggregate = await h.initializedClient();
    const alphaOnly = new TestClient(ownRouter(h, 'alpha'));
    await alphaOnly.initialize();
    const log = (text: string) => ({
      jsonrpc: '2.0' as const,
      method: 'notifications/message',
      params: { level: 'info', data: text },
    });
    h.backend('alpha').transport.deliver(log('from alpha'));
    h.backend('beta').transport.deliver(log('from beta'));
    const loggers = (client: TestClient) =>
      client.notifications('notifications/message').map((n) => n.params?.logger);
    expect(loggers(aggregate)).toEqual(['alpha', 'beta']);
    expect(loggers(alphaOnly)).toEqual(['alpha']);
  });

  it('answers a backend request that no client waits on with an error naming the backend', async () => {
    const h = await createHarness([{ name: 'alpha' }]);
    const outcome = await h.hub.request(h.backend('alpha').session, {
      jsonrpc: '2.0',
      id: 1,
      method: 'sampling/createMessage',
      params: {},
    });
    expect(outcome).toMatchObject({
      kind: 'error',
      error: { code: ErrorCode.InternalError, message: expect.stringContaining('"alpha"') },
    });
  });

  it('stops delivering to a router once it has closed', async () => {
    const h = await createHarness([{ name: 'alpha' }], { listChangedDebounceMs: 10 });
    const own = ownRouter(h, 'alpha');
    const client = new TestClient(own);
    await client.initialize();
    await own.close();
    h.hub.changed('alpha');
    h.clock.advance(100);
    expect(client.notifications()).toEqual([]);
    const aggregate = await h.initializedClient();
    h.hub.changed('alpha');
    h.clock.advance(100);
    expect(aggregate.notifications('notifications/tools/list_changed')).toHaveLength(1);
  });
});

describe('backend requests to clients', () => {
  /** A client that can be asked for sampling, with a call in flight at `alpha` (never answered). */
  async function sampler(h: Harness) {
    const client = new TestClient(h.router);
    await client.request('initialize', {
      protocolVersion: '2025-11-25',
      capabilities: { sampling: {} },
      clientInfo: { name: 'sampler', version: '1.0.0' },
    });
    client.notify('notifications/initialized');
    void client.request('tools/call', { name: 'alpha__x' });
    return client;
  }
  const sampling = (id: number) => ({
    jsonrpc: '2.0' as const,
    id,
    method: 'sampling/createMessage',
    params: { messages: [], maxTokens: 5 },
  });
  const asked = (client: TestClient) =>
    client.received.filter(({ message }) => 'method' in message && 'id' in message);
  const withAlpha = () =>
    createHarness([
      { name: 'alpha', answerUnhandled: false, handlers: { 'tools/list': toolsNamed('x') } },
    ]);
  const callsAtAlpha = (h: Harness, n: number) =>
    until(() => h.backend('alpha').transport.requests('tools/call').length === n);
  const askFromAlpha = (h: Harness, id: number) =>
    h.hub.request(h.backend('alpha').session, sampling(id));

  /**
   * A first client with a call at `alpha` that has been asked once, then a second client with a
   * call in flight; the clock is moved past the first request's batch window. `answer` is the
   * backend's wait for the first client's answer.
   */
  async function askedThenAnother(h: Harness) {
    const first = await sampler(h);
    await callsAtAlpha(h, 1);
    const answer = askFromAlpha(h, 1);
    await until(() => asked(first).length === 1);
    const second = await sampler(h);
    await callsAtAlpha(h, 2);
    h.clock.advance(1000); // not part of the first request's batch
    return { first, second, answer };
  }

  it('relays to the waiting client that is not already being asked something', async () => {
    const h = await withAlpha();
    // The first client does not answer (a modern client that never retries).
    const { first, second } = await askedThenAnother(h);
    void askFromAlpha(h, 2);
    await until(() => asked(second).length === 1);
    expect(asked(first)).toHaveLength(1);
  });

  it('sends the requests a backend sends together to the same call', async () => {
    const h = await withAlpha();
    const { first: held, second: batching } = await askedThenAnother(h);
    // Three requests at once (a tool asking for several inputs): once the first is out, both
    // calls are being asked, and the other two follow the first.
    for (const id of [2, 3, 4]) void askFromAlpha(h, id);
    await until(() => asked(batching).length === 3, 'the batch at one client');
    expect(asked(held)).toHaveLength(1);
  });

  it("sends a backend's request right after an answer to the call that was answered", async () => {
    const h = await withAlpha();
    const { first: stepping, second: other, answer } = await askedThenAnother(h);
    const question = asked(stepping)[0]?.message as { id: string };
    stepping.session.handle({ jsonrpc: '2.0', id: question.id, result: { role: 'assistant' } });
    await answer;
    // Both calls are free now: the next step of the call just answered goes to it.
    void askFromAlpha(h, 2);
    await until(() => asked(stepping).length === 2, 'the next step at the answered call');
    expect(asked(other)).toEqual([]);
  });

  it('refuses when several clients wait on a shared backend and none is being asked', async () => {
    const h = await withAlpha();
    await sampler(h);
    await sampler(h);
    await callsAtAlpha(h, 2);
    const outcome = await askFromAlpha(h, 1);
    expect(outcome).toMatchObject({
      kind: 'error',
      error: { message: expect.stringContaining('several clients') },
    });
  });
});
