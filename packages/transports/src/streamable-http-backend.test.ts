import { getEventListeners } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JsonRpcMessage } from '@switchyard/protocol';
import { ManualClock, until } from '@switchyard/protocol/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultHttpRequest } from './http-pool.js';
import {
  BACKEND_SESSION_EXPIRED,
  MAX_IDLE_RESUMPTIONS,
  StreamableHttpBackend,
} from './streamable-http-backend.js';

type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void;

/** A real HTTP server on 127.0.0.1 whose answers the test writes by hand. */
async function backend(handler: Handler) {
  const seen: Array<{ method: string; headers: IncomingMessage['headers']; body: string }> = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      seen.push({ method: request.method ?? '', headers: request.headers, body });
      handler(request, body, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  servers.push(server);
  return { url: `http://127.0.0.1:${port}/mcp`, seen };
}

const servers: ReturnType<typeof createServer>[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** The longest wait of the transport: before reopening the standalone stream. */
const LONGEST_WAIT_MS = 30_000;

/**
 * A transport whose delivered messages the test can await. Its waits (before resuming a stream,
 * before reopening the standalone one) are on a manual clock that moves on while the test waits,
 * so they pass without sleeping.
 */
function connect(url: string) {
  const clock = new ManualClock();
  const transport = new StreamableHttpBackend({ url, clock });
  const received: JsonRpcMessage[] = [];
  transport.onmessage = (message) => received.push(message);
  /** Resolves with everything received once `count` messages have arrived. */
  const arrived = (count: number) =>
    until(() => {
      clock.advance(LONGEST_WAIT_MS);
      return received.length >= count && received;
    }, `${count} messages`);
  return { transport, received, arrived };
}

const initialize = {
  jsonrpc: '2.0' as const,
  id: 0,
  method: 'initialize',
  params: {
    protocolVersion: '2025-11-25',
    capabilities: {},
    clientInfo: { name: 't', version: '1' },
  },
};

describe('Streamable HTTP backend transport', () => {
  it('has one abort listener per call in flight on its session signal, each removed when its call ends, and no leak warning', async () => {
    const held: Array<() => void> = [];
    const { url } = await backend((_request, body, response) => {
      const message = JSON.parse(body);
      const answer = () => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ jsonrpc: '2.0', id: message.id, result: {} }));
      };
      if (message.method === 'initialize') answer();
      else held.push(answer);
    });
    const signals = new Set<AbortSignal>();
    const transport = new StreamableHttpBackend({
      url,
      clock: new ManualClock(),
      request: (target, options) => {
        if (options.signal instanceof AbortSignal) signals.add(options.signal);
        return defaultHttpRequest(target, options);
      },
    });
    const received: JsonRpcMessage[] = [];
    transport.onmessage = (message) => received.push(message);
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      await transport.send(initialize);
      await until(() => received.length === 1, 'the initialize answer');
      const calls = Array.from({ length: 30 }, (_, i) =>
        transport.send({ jsonrpc: '2.0', id: i + 1, method: 'tools/call', params: { name: 'x' } }),
      );
      await until(() => held.length === 30, 'thirty calls at the backend');
      const [signal] = [...signals];
      expect(signals.size).toBe(1);
      expect(getEventListeners(signal as AbortSignal, 'abort')).toHaveLength(30);
      for (const answer of held) answer();
      await Promise.all(calls);
      await until(() => received.length === 31, 'thirty answers');
      await until(
        () => getEventListeners(signal as AbortSignal, 'abort').length === 0,
        'every listener removed',
      );
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
      await transport.close();
    }
  });

  it('sends the session id and negotiated revision on later requests; reads JSON answers', async () => {
    const { url, seen } = await backend((_request, body, response) => {
      const message = JSON.parse(body);
      response.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 's-1' });
      response.end(JSON.stringify({ jsonrpc: '2.0', id: message.id, result: { n: message.id } }));
    });
    const { transport, arrived } = connect(url);
    await transport.send(initialize);
    transport.setProtocolVersion('2025-06-18');
    await transport.send({ jsonrpc: '2.0', id: 1, method: 'ping' });
    expect(await arrived(2)).toEqual([
      { jsonrpc: '2.0', id: 0, result: { n: 0 } },
      { jsonrpc: '2.0', id: 1, result: { n: 1 } },
    ]);
    expect(seen[0]?.headers['mcp-session-id']).toBeUndefined();
    expect(seen[1]?.headers).toMatchObject({
      'mcp-session-id': 's-1',
      'mcp-protocol-version': '2025-06-18',
    });
  });

  it('resumes a stream cut before its answer with GET + Last-Event-ID', async () => {
    const { url, seen } = await backend((request, body, response) => {
      if (request.method === 'POST') {
        const { id } = JSON.parse(body);
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write('id: e-1\nretry: 5\ndata: \n\n');
        response.end(
          `id: e-2\ndata: ${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: id, progress: 1 } })}\n\n`,
        );
        return;
      }
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end(`id: e-3\ndata: ${JSON.stringify({ jsonrpc: '2.0', id: 7, result: {} })}\n\n`);
    });
    const { transport, arrived } = connect(url);
    await transport.send({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'x' } });
    const received = await arrived(2);
    expect(received[1]).toEqual({ jsonrpc: '2.0', id: 7, result: {} });
    const resume = seen.find((r) => r.method === 'GET');
    expect(resume?.headers['last-event-id']).toBe('e-2');
  });

  it('keeps polling a backend that cuts the resumed stream too, with the last event id it saw', async () => {
    let gets = 0;
    const { url, seen } = await backend((request, _body, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      if (request.method === 'POST') {
        // A priming event (an id, a retry hint, no data), then the stream is closed.
        response.end('id: e-1\nretry: 5\ndata: \n\n');
        return;
      }
      // The answer is not ready for the first two polls: each GET stream ends empty.
      if (++gets < 3) response.end();
      else
        response.end(`id: e-2\ndata: ${JSON.stringify({ jsonrpc: '2.0', id: 7, result: {} })}\n\n`);
    });
    const { transport, arrived } = connect(url);
    await transport.send({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'x' } });
    expect(await arrived(1)).toEqual([{ jsonrpc: '2.0', id: 7, result: {} }]);
    const resumes = seen.filter((r) => r.method === 'GET');
    expect(resumes.map((r) => r.headers['last-event-id'])).toEqual(['e-1', 'e-1', 'e-1']);
  });

  it('waits the retry hint on the injected clock before resuming', async () => {
    const { url, seen } = await backend((request, _body, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      if (request.method === 'POST') response.end('id: e-1\nretry: 3000\ndata: \n\n');
      else response.end(`data: ${JSON.stringify({ jsonrpc: '2.0', id: 7, result: {} })}\n\n`);
    });
    const clock = new ManualClock();
    const transport = new StreamableHttpBackend({ url, clock });
    const received: JsonRpcMessage[] = [];
    transport.onmessage = (message) => received.push(message);
    await transport.send({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'x' } });
    // The cut stream has been read: the wait before resuming is the one timer on the clock.
    await until(() => clock.pending === 1, 'the wait before resuming');
    clock.advance(2999);
    expect(clock.pending).toBe(1);
    expect(seen.map((r) => r.method)).toEqual(['POST']);
    clock.advance(1);
    await until(() => received.length === 1, 'the answer on the resumed stream');
    expect(seen.map((r) => r.method)).toEqual(['POST', 'GET']);
  });

  it('fails the request with a clear error when its stream ends with no event id to resume from', async () => {
    const { url, seen } = await backend((_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end(
        `data: ${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'working' } })}\n\n`,
      );
    });
    const { transport, arrived } = connect(url);
    await transport.send({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'x' } });
    const [, answer] = await arrived(2);
    expect(answer).toMatchObject({ jsonrpc: '2.0', id: 7, error: { code: -32000 } });
    expect(answer && 'error' in answer && answer.error.message).toMatch(
      /ended the stream of request 7 before answering it, with no event id to resume from/,
    );
    expect(seen.map((r) => r.method)).toEqual(['POST']);
  });

  it('fails the request with a clear error when the backend refuses to resume its stream', async () => {
    const { url } = await backend((request, _body, response) => {
      if (request.method === 'GET') {
        response.writeHead(405).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end('id: e-1\nretry: 5\ndata: \n\n');
    });
    const { transport, arrived } = connect(url);
    await transport.send({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'x' } });
    const [answer] = await arrived(1);
    expect(answer).toMatchObject({ id: 7, error: { code: -32000 } });
    expect(answer && 'error' in answer && answer.error.message).toMatch(
      /resuming it after event e-1 failed: it serves no GET streams \(405\)/,
    );
  });

  it(`gives up after ${MAX_IDLE_RESUMPTIONS} resumptions in a row that bring nothing new`, async () => {
    const { url, seen } = await backend((request, _body, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end(request.method === 'POST' ? 'id: e-1\nretry: 5\ndata: \n\n' : undefined);
    });
    const { transport, arrived } = connect(url);
    await transport.send({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'x' } });
    const [answer] = await arrived(1);
    expect(answer && 'error' in answer && answer.error.message).toMatch(
      new RegExp(`before answering it, ${MAX_IDLE_RESUMPTIONS} times in a row without sending`),
    );
    expect(seen.filter((r) => r.method === 'GET')).toHaveLength(MAX_IDLE_RESUMPTIONS);
  });

  it('lets go of a resumed stream once the answer is in, though the backend keeps it open', async () => {
    let released = false;
    const { url } = await backend((request, _body, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      if (request.method === 'POST') {
        response.end('id: e-1\nretry: 5\ndata: \n\n');
        return;
      }
      // Replays the answer, then stays open, as the SDK's server does with a replayed stream.
      response.write(`id: e-2\ndata: ${JSON.stringify({ jsonrpc: '2.0', id: 7, result: {} })}\n\n`);
      response.on('close', () => {
        released = true;
      });
    });
    const { transport, arrived } = connect(url);
    await transport.send({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'x' } });
    await arrived(1);
    await until(() => released, 'the resumed stream to be let go');
  });

  it('stops following a cancelled request: its open stream is let go and not resumed', async () => {
    let released = false;
    const { url, seen } = await backend((_request, body, response) => {
      const message = JSON.parse(body || '{}');
      if (message.method !== 'tools/call') {
        response.writeHead(message.id === undefined ? 202 : 200, {
          'content-type': 'application/json',
        });
        response.end(
          message.id === undefined
            ? undefined
            : JSON.stringify({ jsonrpc: '2.0', id: message.id, result: {} }),
        );
        return;
      }
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('id: e-1\nretry: 5\ndata: \n\n');
      response.on('close', () => {
        released = true;
      });
    });
    const clock = new ManualClock();
    const transport = new StreamableHttpBackend({ url, clock });
    const received: JsonRpcMessage[] = [];
    transport.onmessage = (message) => received.push(message);
    await transport.send({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'x' } });
    await transport.send({
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId: 7 },
    });
    await until(() => released, 'the stream of the cancelled request to be let go');
    await transport.send({ jsonrpc: '2.0', id: 8, method: 'ping' });
    await until(() => received.length === 1, 'the answer to a later request');
    // Nothing waits to resume the cancelled request's stream, and nothing answers it.
    expect(clock.pending).toBe(0);
    expect(received).toEqual([{ jsonrpc: '2.0', id: 8, result: {} }]);
    expect(seen.map((r) => r.method)).toEqual(['POST', 'POST', 'POST']);
  });

  it('splits a batch a 2025-03-26 backend sends', async () => {
    const { url } = await backend((_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify([
          { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info' } },
          { jsonrpc: '2.0', id: 1, result: {} },
        ]),
      );
    });
    const { transport, arrived } = connect(url);
    await transport.send({ jsonrpc: '2.0', id: 1, method: 'ping' });
    expect((await arrived(2)).map((m) => ('id' in m ? m.id : 'notification'))).toEqual([
      'notification',
      1,
    ]);
  });

  it('reports an expired session (404 once a session exists) and rejects the send', async () => {
    let calls = 0;
    const { url } = await backend((_request, body, response) => {
      if (calls++ === 0) {
        response.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 's-9' });
        response.end(JSON.stringify({ jsonrpc: '2.0', id: JSON.parse(body).id, result: {} }));
        return;
      }
      response.writeHead(404).end('Session not found');
    });
    const { transport, arrived } = connect(url);
    const closed: string[] = [];
    transport.onclose = (reason) => closed.push(reason);
    await transport.send(initialize);
    await arrived(1);
    await expect(transport.send({ jsonrpc: '2.0', id: 1, method: 'ping' })).rejects.toThrow(/404/);
    expect(closed).toEqual([BACKEND_SESSION_EXPIRED]);
  });

  it('opens the standalone GET stream after notifications/initialized, and ends the session on close', async () => {
    const { url, seen } = await backend((request, _body, response) => {
      if (request.method === 'GET') {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write(
          `data: ${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' })}\n\n`,
        );
        return;
      }
      response.writeHead(request.method === 'DELETE' ? 200 : 202, { 'mcp-session-id': 's-2' });
      response.end();
    });
    const { transport, arrived } = connect(url);
    await transport.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    expect(await arrived(1)).toEqual([
      { jsonrpc: '2.0', method: 'notifications/tools/list_changed' },
    ]);
    await transport.close();
    expect(seen.map((r) => r.method)).toEqual(['POST', 'GET', 'DELETE']);
  });

  it('reopens a dropped standalone stream after the last event it saw', async () => {
    let gets = 0;
    const { url, seen } = await backend((request, _body, response) => {
      if (request.method === 'GET') {
        gets++;
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        const method =
          gets === 1 ? 'notifications/tools/list_changed' : 'notifications/prompts/list_changed';
        response.write(`id: g-${gets}\ndata: ${JSON.stringify({ jsonrpc: '2.0', method })}\n\n`);
        // The first stream drops; the second stays open.
        if (gets === 1) response.end();
        return;
      }
      response.writeHead(202, { 'mcp-session-id': 's-3' });
      response.end();
    });
    const { transport, arrived } = connect(url);
    await transport.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    expect((await arrived(2)).map((m) => ('method' in m ? m.method : ''))).toEqual([
      'notifications/tools/list_changed',
      'notifications/prompts/list_changed',
    ]);
    const reopened = seen.filter((r) => r.method === 'GET')[1];
    expect(reopened?.headers['last-event-id']).toBe('g-1');
    await transport.close();
  });
});
