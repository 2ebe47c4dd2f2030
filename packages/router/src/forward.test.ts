import { ErrorCode, type JsonObject } from '@switchyard/protocol';
import { describe, expect, it } from 'vitest';
import { settle } from './__fixtures__/fake-backend.js';
import { createHarness, echoCall } from './__fixtures__/router-harness.js';

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
