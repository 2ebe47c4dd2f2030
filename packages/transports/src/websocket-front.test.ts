import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCode, type JsonRpcMessage } from '@switchyard/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { EchoSession } from './__fixtures__/echo-session.js';
import { createWebSocketFront, type WebSocketFront } from './websocket-front.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A real HTTP server on loopback whose upgrades go to a WebSocket front. */
async function setup(options: { maxMessageBytes?: number } = {}) {
  const sessions: EchoSession[] = [];
  const front: WebSocketFront = createWebSocketFront({
    ...options,
    openSession: (sink, info) => {
      const session = new EchoSession(sink, info);
      sessions.push(session);
      return session;
    },
  });
  const server: Server = createServer((_, response) => response.writeHead(404).end());
  server.on('upgrade', (request, socket, head) => front.handleUpgrade(request, socket, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`;
  cleanups.push(async () => {
    front.close();
    await new Promise((resolve) => server.close(resolve));
  });

  /** Connects with `protocols` and waits until the socket is open. */
  async function connect(protocols: string[] = ['mcp']) {
    const socket = new WebSocket(url, protocols);
    cleanups.push(async () => socket.terminate());
    await new Promise<void>((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    return socket;
  }

  return { front, sessions, url, connect };
}

function nextMessage(socket: WebSocket): Promise<JsonRpcMessage> {
  return new Promise((resolve) => {
    socket.once('message', (data) => resolve(JSON.parse(String(data)) as JsonRpcMessage));
  });
}

function closed(socket: WebSocket): Promise<number> {
  return new Promise((resolve) => socket.once('close', (code) => resolve(code)));
}

const ping = { jsonrpc: '2.0', id: 1, method: 'ping' };

describe('WebSocket front', () => {
  it('opens one websocket session per connection, on the mcp subprotocol', async () => {
    const t = await setup();
    const one = await t.connect();
    await t.connect();
    expect(one.protocol).toBe('mcp');
    expect(t.sessions.map((s) => s.info)).toEqual([
      { transport: 'websocket' },
      { transport: 'websocket' },
    ]);
    expect(t.front.sessionCount).toBe(2);
  });

  it('hands each text frame to the session and sends its messages back as frames', async () => {
    const t = await setup();
    const socket = await t.connect();
    const answer = nextMessage(socket);
    socket.send(JSON.stringify(ping));
    expect(await answer).toEqual({ jsonrpc: '2.0', id: 1, result: { echo: 'ping' } });
    expect(t.sessions[0]?.handled).toEqual([ping]);
  });

  it('answers invalid JSON with a -32700 error frame and keeps the connection', async () => {
    const t = await setup();
    const socket = await t.connect();
    const error = nextMessage(socket);
    socket.send('{not json');
    expect(await error).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: ErrorCode.ParseError, message: 'Parse error: invalid JSON' },
    });
    const answer = nextMessage(socket);
    socket.send(JSON.stringify(ping));
    expect(await answer).toMatchObject({ id: 1 });
  });

  it('answers a batch with -32600 without handling its items', async () => {
    const t = await setup();
    const socket = await t.connect();
    const error = nextMessage(socket);
    socket.send(JSON.stringify([ping]));
    expect(await error).toMatchObject({ id: null, error: { code: ErrorCode.InvalidRequest } });
    expect(t.sessions[0]?.handled).toEqual([]);
  });

  it('refuses clients that do not offer the mcp subprotocol (400)', async () => {
    const t = await setup();
    for (const protocols of [['graphql-ws'], []]) {
      const status = await new Promise<number>((resolve) => {
        const socket = new WebSocket(t.url, protocols);
        socket.once('unexpected-response', (_, response) => resolve(response.statusCode ?? 0));
        socket.once('error', () => resolve(-1));
      });
      expect(status).toBe(400);
    }
    expect(t.sessions).toEqual([]);
  });

  it('closes the connection with 1009 on a frame over the limit, and ends the session', async () => {
    const t = await setup({ maxMessageBytes: 64 });
    const socket = await t.connect();
    const code = closed(socket);
    socket.send(JSON.stringify({ ...ping, params: { padding: 'x'.repeat(100) } }));
    expect(await code).toBe(1009);
    await expect.poll(() => t.sessions[0]?.closed).toBe(true);
    expect(t.front.sessionCount).toBe(0);
  });

  it('closes the connection with 1003 on a binary frame', async () => {
    const t = await setup();
    const socket = await t.connect();
    const code = closed(socket);
    socket.send(Buffer.from(JSON.stringify(ping)), { binary: true });
    expect(await code).toBe(1003);
    expect(t.sessions[0]?.handled).toEqual([]);
  });

  it('closes the session when the client closes the socket', async () => {
    const t = await setup();
    const socket = await t.connect();
    socket.close();
    await expect.poll(() => t.sessions[0]?.closed).toBe(true);
    expect(t.front.sessionCount).toBe(0);
  });

  it('closes every connection with 1001 on close, and refuses new ones (503)', async () => {
    const t = await setup();
    const socket = await t.connect();
    const code = closed(socket);
    t.front.close();
    expect(t.sessions[0]?.closed).toBe(true);
    expect(await code).toBe(1001);
    const status = await new Promise<number>((resolve) => {
      const late = new WebSocket(t.url, ['mcp']);
      late.once('unexpected-response', (_, response) => resolve(response.statusCode ?? 0));
      late.once('error', () => resolve(-1));
    });
    expect(status).toBe(503);
  });
});
