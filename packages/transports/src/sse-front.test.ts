import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { ERRORS, ErrorCode, type JsonRpcMessage } from '@switchyard/protocol';
import { describe, expect, it } from 'vitest';
import { EchoSession } from './__fixtures__/echo-session.js';
import { createSseFront, type SseFrontOptions } from './sse-front.js';

const ORIGIN = 'http://127.0.0.1';

interface SseEvent {
  event: string;
  data: string;
}

/** Reads an open SSE body event by event; comments are kept as `{ event: ':' }`. */
class EventReader {
  private text = '';
  private readonly decoder = new TextDecoder();
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;

  constructor(response: Response) {
    if (!response.body) throw new Error('the response has no body');
    this.reader = response.body.getReader();
  }

  async next(): Promise<SseEvent> {
    for (;;) {
      const end = this.text.indexOf('\n\n');
      if (end >= 0) {
        const block = this.text.slice(0, end);
        this.text = this.text.slice(end + 2);
        if (block.startsWith(':')) return { event: ':', data: block.slice(1).trim() };
        const field = (name: string) =>
          block
            .split('\n')
            .find((line) => line.startsWith(`${name}: `))
            ?.slice(name.length + 2) ?? '';
        return { event: field('event'), data: field('data') };
      }
      const { done, value } = await this.reader.read();
      if (done) throw new Error('the stream ended');
      this.text += this.decoder.decode(value, { stream: true });
    }
  }

  async message(): Promise<JsonRpcMessage> {
    const { event, data } = await this.next();
    expect(event).toBe('message');
    return JSON.parse(data) as JsonRpcMessage;
  }

  cancel(): Promise<void> {
    return this.reader.cancel();
  }

  /** Resolves true when the server ends the stream. */
  async ended(): Promise<boolean> {
    for (;;) {
      const { done } = await this.reader.read();
      if (done) return true;
    }
  }
}

function setup(options: Partial<SseFrontOptions> = {}) {
  const sessions: EchoSession[] = [];
  let counter = 0;
  const front = createSseFront({
    keepAliveMs: 0,
    generateSessionId: () => `session-${++counter}`,
    ...options,
    openSession: (sink, info) => {
      const session = new EchoSession(sink, info, '2024-11-05');
      sessions.push(session);
      return session;
    },
  });

  /** Opens a stream and reads its `endpoint` event. */
  async function connect() {
    const response = front.handleStream(
      new Request(`${ORIGIN}/sse`, { headers: { accept: 'text/event-stream' } }),
    );
    const events = new EventReader(response);
    const endpoint = await events.next();
    const session = sessions.at(-1);
    if (!session) throw new Error('the stream opened no session');
    return { response, events, endpoint, session };
  }

  function post(
    path: string,
    body: unknown,
    headers: Record<string, string> = { 'content-type': 'application/json' },
  ): Promise<Response> {
    return front.handleMessage(
      new Request(`${ORIGIN}${path}`, {
        method: 'POST',
        headers,
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    );
  }

  return { front, sessions, connect, post };
}

const ping = { jsonrpc: '2.0', id: 1, method: 'ping' };

describe('GET (the SSE stream)', () => {
  it('opens an sse session and announces the POST endpoint as the first event', async () => {
    const t = setup();
    const { response, endpoint, session } = await t.connect();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(endpoint).toEqual({ event: 'endpoint', data: '/messages?sessionId=session-1' });
    expect(session.info).toEqual({ transport: 'sse', sessionId: 'session-1' });
    expect(t.front.sessionCount).toBe(1);
  });

  it('announces a configured messages path', async () => {
    const t = setup({ messagesPath: '/proxy/messages' });
    const { endpoint } = await t.connect();
    expect(endpoint.data).toBe('/proxy/messages?sessionId=session-1');
  });

  it('uses random session ids by default', async () => {
    const front = createSseFront({
      keepAliveMs: 0,
      openSession: (sink, info) => new EchoSession(sink, info, '2024-11-05'),
    });
    const events = new EventReader(front.handleStream(new Request(`${ORIGIN}/sse`)));
    expect((await events.next()).data).toMatch(/^\/messages\?sessionId=[A-Za-z0-9_-]{22}$/);
    front.close();
  });

  it('refuses a client that does not accept text/event-stream (406)', () => {
    const t = setup();
    const response = t.front.handleStream(
      new Request(`${ORIGIN}/sse`, { headers: { accept: 'application/json' } }),
    );
    expect(response.status).toBe(406);
    expect(t.sessions).toEqual([]);
  });

  it('sends keep-alive comments while idle', async () => {
    const t = setup({ keepAliveMs: 10 });
    const { events } = await t.connect();
    expect(await events.next()).toEqual({ event: ':', data: 'keepalive' });
    t.front.close();
  });

  it('closes the session when the client drops the stream', async () => {
    const t = setup();
    const { events, session } = await t.connect();
    await events.cancel();
    expect(session.closed).toBe(true);
    expect(t.front.sessionCount).toBe(0);
    expect((await t.post('/messages?sessionId=session-1', ping)).status).toBe(404);
  });
});

describe('POST (client messages)', () => {
  it('hands a message to the session, answers 202 and streams the response as a message event', async () => {
    const t = setup();
    const { events, session } = await t.connect();
    const response = await t.post('/messages?sessionId=session-1', ping);
    expect(response.status).toBe(202);
    expect(session.handled).toEqual([ping]);
    expect(await events.message()).toEqual({ jsonrpc: '2.0', id: 1, result: { echo: 'ping' } });
  });

  it('keeps sessions apart', async () => {
    const t = setup();
    const one = await t.connect();
    const two = await t.connect();
    await t.post('/messages?sessionId=session-2', ping);
    expect(one.session.handled).toEqual([]);
    expect(two.session.handled).toEqual([ping]);
  });

  it('needs the sessionId query parameter (400)', async () => {
    const t = setup();
    await t.connect();
    const response = await t.post('/messages', ping);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      id: null,
      error: { code: ErrorCode.InvalidRequest },
    });
  });

  it('answers 404 for an unknown session, with the code of every front', async () => {
    const t = setup();
    const response = await t.post('/messages?sessionId=nope', ping);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({
      id: null,
      error: { code: ERRORS.session_not_found.jsonRpc },
    });
  });

  it('needs a JSON content type (415)', async () => {
    const t = setup();
    const { session } = await t.connect();
    const response = await t.post('/messages?sessionId=session-1', ping, {
      'content-type': 'text/plain',
    });
    expect(response.status).toBe(415);
    expect(session.handled).toEqual([]);
  });

  it('refuses a body over the limit (413), whether declared or streamed', async () => {
    const t = setup({ maxMessageBytes: 64 });
    const { session } = await t.connect();
    const big = { ...ping, params: { padding: 'x'.repeat(100) } };
    expect((await t.post('/messages?sessionId=session-1', big)).status).toBe(413);
    const chunks = [new TextEncoder().encode(JSON.stringify(big))];
    const streamed = await t.front.handleMessage(
      new Request(`${ORIGIN}/messages?sessionId=session-1`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: new ReadableStream({
          pull(controller) {
            const chunk = chunks.shift();
            if (chunk) controller.enqueue(chunk);
            else controller.close();
          },
        }),
        duplex: 'half',
      } as RequestInit),
    );
    expect(streamed.status).toBe(413);
    expect(session.handled).toEqual([]);
  });

  it('answers invalid JSON with the -32700 error body and 400', async () => {
    const t = setup();
    await t.connect();
    const response = await t.post('/messages?sessionId=session-1', '{not json');
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: ErrorCode.ParseError, message: 'Parse error: invalid JSON' },
    });
  });

  it('answers a message that is not JSON-RPC with -32600 and 400', async () => {
    const t = setup();
    const { session } = await t.connect();
    const response = await t.post('/messages?sessionId=session-1', { id: 1, method: 'ping' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      id: 1,
      error: { code: ErrorCode.InvalidRequest },
    });
    expect(session.handled).toEqual([]);
  });

  it('refuses batches with -32600, as 2024-11-05 has none', async () => {
    const t = setup();
    const { session } = await t.connect();
    const response = await t.post('/messages?sessionId=session-1', [ping]);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      id: null,
      error: { code: ErrorCode.InvalidRequest },
    });
    expect(session.handled).toEqual([]);
  });

  it('answers other methods with 405', async () => {
    const t = setup();
    const response = await t.front.handleMessage(
      new Request(`${ORIGIN}/messages?sessionId=session-1`),
    );
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });
});

describe('close', () => {
  it('ends every stream and session', async () => {
    const t = setup();
    const one = await t.connect();
    const two = await t.connect();
    t.front.close();
    expect(t.front.sessionCount).toBe(0);
    expect([one.session.closed, two.session.closed]).toEqual([true, true]);
    expect(await one.events.ended()).toBe(true);
  });
});

/** Adapts a Node request to a web-standard one; bodies are small here, so they are buffered. */
async function toRequest(incoming: IncomingMessage, origin: string): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (typeof value === 'string') headers.set(name, value);
  }
  return new Request(new URL(incoming.url ?? '/', origin), {
    method: incoming.method ?? 'GET',
    headers,
    body: chunks.length > 0 ? Buffer.concat(chunks) : null,
  });
}

/** Streams a web-standard response out; the body is cancelled when the client disconnects. */
async function writeResponse(response: Response, outgoing: ServerResponse): Promise<void> {
  outgoing.writeHead(response.status, Object.fromEntries(response.headers));
  if (!response.body) {
    outgoing.end();
    return;
  }
  const reader = response.body.getReader();
  outgoing.on('close', () => void reader.cancel());
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    outgoing.write(value);
  }
  outgoing.end();
}

/** Answers what the SDK client sends with results its schemas accept. */
class SdkPeerSession extends EchoSession {
  override handle(message: JsonRpcMessage): void {
    this.handled.push(message);
    if (!('method' in message && 'id' in message)) return;
    const result =
      message.method === 'initialize'
        ? {
            protocolVersion: '2024-11-05',
            capabilities: { tools: {} },
            serverInfo: { name: 'fake', version: '1.0.0' },
          }
        : { tools: [] };
    this.sink({ jsonrpc: '2.0', id: message.id, result });
  }
}

describe('with the SDK SSEClientTransport over real HTTP', () => {
  it('connects, initializes, lists tools and closes the session on disconnect', async () => {
    const sessions: EchoSession[] = [];
    const front = createSseFront({
      keepAliveMs: 0,
      openSession: (sink, info) => {
        const session = new SdkPeerSession(sink, info);
        sessions.push(session);
        return session;
      },
    });
    const server = createServer(async (incoming, outgoing) => {
      const request = await toRequest(incoming, 'http://127.0.0.1');
      const path = new URL(request.url).pathname;
      const response =
        path === '/sse'
          ? front.handleStream(request)
          : path === '/messages'
            ? await front.handleMessage(request)
            : new Response(null, { status: 404 });
      await writeResponse(response, outgoing);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const client = new Client({ name: 'test', version: '1.0.0' });
    try {
      await client.connect(new SSEClientTransport(new URL(`http://127.0.0.1:${port}/sse`)));
      expect(client.getServerVersion()).toEqual({ name: 'fake', version: '1.0.0' });
      expect(await client.listTools()).toEqual({ tools: [] });
      expect(sessions[0]?.handled.map((m) => ('method' in m ? m.method : ''))).toEqual([
        'initialize',
        'notifications/initialized',
        'tools/list',
      ]);
      await client.close();
      await expect.poll(() => sessions[0]?.closed).toBe(true);
      expect(front.sessionCount).toBe(0);
    } finally {
      front.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
