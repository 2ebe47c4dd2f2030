import {
  type Clock,
  ErrorCode,
  type JsonObject,
  type JsonRpcMessage,
  type JsonRpcRequest,
  type SessionSink,
} from '@switchyard/protocol';
import { ManualClock } from '@switchyard/protocol/testing';
import { describe, expect, it } from 'vitest';
import type { FrontSession } from './front-session.js';
import { createStreamableHttpFront } from './streamable-http-front.js';

const URL = 'http://127.0.0.1/mcp';
const BOTH = 'application/json, text/event-stream';

/**
 * A client session as the router would run it: `initialize` negotiates the asked revision, `hold`
 * is left for the test to answer, `work` reports progress before answering, anything else echoes.
 */
class FakeSession implements FrontSession {
  revision: string | undefined;
  readonly handled: JsonRpcMessage[] = [];
  readonly held: JsonRpcRequest[] = [];
  closed = false;

  constructor(
    readonly sink: SessionSink,
    readonly info: { transport: string; sessionId?: string },
  ) {}

  handle(message: JsonRpcMessage): void {
    this.handled.push(message);
    if (!('method' in message && 'id' in message)) return;
    const { id, method, params } = message;
    switch (method) {
      case 'initialize':
        this.revision = String(params?.protocolVersion);
        this.sink({ jsonrpc: '2.0', id, result: { protocolVersion: this.revision } }, id);
        return;
      case 'hold':
        this.held.push(message);
        return;
      case 'work': {
        const token = (params?._meta as JsonObject | undefined)?.progressToken;
        if (token !== undefined) {
          this.sink(
            {
              jsonrpc: '2.0',
              method: 'notifications/progress',
              params: { progressToken: token, progress: 1, total: 2 },
            },
            id,
          );
        }
        this.sink({ jsonrpc: '2.0', id, result: { done: true } }, id);
        return;
      }
      default:
        this.sink({ jsonrpc: '2.0', id, result: { echo: method } }, id);
    }
  }

  close(): void {
    this.closed = true;
  }
}

function setup(
  options: {
    maxMessageBytes?: number;
    maxStoredEvents?: number;
    sessionIdleMs?: number;
    streamResponses?: boolean;
    clock?: Clock;
  } = {},
) {
  const sessions: FakeSession[] = [];
  let counter = 0;
  const front = createStreamableHttpFront({
    ...options,
    generateSessionId: () => `session-${++counter}`,
    openSession: (sink, info) => {
      const session = new FakeSession(sink, info);
      sessions.push(session);
      return session;
    },
  });

  function post(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return front.handle(
      new Request(URL, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: BOTH, ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    );
  }

  /** Initializes a session at `revision`; returns its id and fake session. */
  async function initialize(revision = '2025-11-25') {
    const response = await post({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: {
        protocolVersion: revision,
        capabilities: {},
        clientInfo: { name: 't', version: '1' },
      },
    });
    const id = response.headers.get('mcp-session-id') ?? '';
    const session = sessions.find((s) => s.info.sessionId === id);
    if (!session) throw new Error('initialize opened no session');
    return { id, session, response };
  }

  return { front, sessions, post, initialize };
}

/** Reads a finished SSE body into its `message` events. */
async function sseMessages(response: Response): Promise<JsonRpcMessage[]> {
  return parseSse(await response.text());
}

interface SseEvent {
  event?: string;
  data: string;
  id?: string;
}

/** Splits SSE text into its complete events (a trailing partial event is left out). */
function sseEvents(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .slice(0, -1)
    .map((block) => {
      const event: SseEvent = { data: '' };
      for (const line of block.split('\n')) {
        const at = line.indexOf(': ');
        const field = at < 0 ? line.replace(/:$/, '') : line.slice(0, at);
        const value = at < 0 ? '' : line.slice(at + 2);
        if (field === 'event' || field === 'id' || field === 'data') event[field] = value;
      }
      return event;
    });
}

/** The JSON-RPC messages of SSE text; priming events (an id and no data) carry none. */
function parseSse(text: string): JsonRpcMessage[] {
  return sseEvents(text)
    .filter((event) => event.data !== '')
    .map((event) => {
      expect(event.event).toBe('message');
      return JSON.parse(event.data) as JsonRpcMessage;
    });
}

/** Reads from an open SSE stream until `parse` finds `count` items in what has arrived. */
async function readUntil<T>(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  count: number,
  parse: (text: string) => T[],
): Promise<T[]> {
  let text = '';
  const decoder = new TextDecoder();
  while (parse(text).length < count) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  return parse(text);
}

/** Reads from an open SSE stream until `count` message events have arrived. */
function nextEvents(reader: ReadableStreamDefaultReader<Uint8Array>, count: number) {
  return readUntil(reader, count, parseSse);
}

describe('initialize', () => {
  it('mints a session id, opens a session with it and answers with the id header', async () => {
    const t = setup();
    const { id, session, response } = await t.initialize();
    expect(id).toBe('session-1');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({
      jsonrpc: '2.0',
      id: 0,
      result: { protocolVersion: '2025-11-25' },
    });
    expect(session.info).toEqual({ transport: 'streamable-http', sessionId: 'session-1' });
    expect(t.front.sessionCount).toBe(1);
  });

  it('opens a new session for each initialize', async () => {
    const t = setup();
    const one = await t.initialize();
    const two = await t.initialize();
    expect(one.id).not.toBe(two.id);
    expect(t.front.sessionCount).toBe(2);
  });

  it('uses random session ids by default', async () => {
    const front = createStreamableHttpFront({
      openSession: (sink, info) => new FakeSession(sink, info),
    });
    const response = await front.handle(
      new Request(URL, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: BOTH },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} }),
      }),
    );
    expect(response.headers.get('mcp-session-id')).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('refuses an initialize that carries a session id, or comes in a batch', async () => {
    const t = setup();
    const init = { jsonrpc: '2.0', id: 1, method: 'initialize', params: {} };
    const withHeader = await t.post(init, { 'mcp-session-id': 'session-9' });
    expect(withHeader.status).toBe(400);
    const batched = await t.post([init]);
    expect(batched.status).toBe(400);
    expect(await batched.json()).toMatchObject({ error: { code: ErrorCode.InvalidRequest } });
    expect(t.sessions).toEqual([]);
  });
});

describe('POST', () => {
  it('takes a request without Mcp-Session-Id for a 2026-07-28 one, refused without its envelope (400)', async () => {
    const t = setup();
    await t.initialize();
    const response = await t.post({ jsonrpc: '2.0', id: 1, method: 'ping' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      jsonrpc: '2.0',
      id: 1,
      error: { code: ErrorCode.InvalidParams },
    });
  });

  it('needs the Mcp-Session-Id header for a legacy notification (400)', async () => {
    const t = setup();
    await t.initialize();
    const response = await t.post({ jsonrpc: '2.0', method: 'notifications/initialized' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      jsonrpc: '2.0',
      id: null,
      error: { code: ErrorCode.InvalidRequest },
    });
  });

  it('answers 404 for an unknown session', async () => {
    const t = setup();
    const response = await t.post(
      { jsonrpc: '2.0', id: 1, method: 'ping' },
      { 'mcp-session-id': 'no-such-session' },
    );
    expect(response.status).toBe(404);
  });

  it('accepts a notification with 202 and no body', async () => {
    const t = setup();
    const { id, session } = await t.initialize();
    const response = await t.post(
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { 'mcp-session-id': id },
    );
    expect(response.status).toBe(202);
    expect(response.headers.get('mcp-session-id')).toBe(id);
    expect(await response.text()).toBe('');
    expect(session.handled.at(-1)).toEqual({ jsonrpc: '2.0', method: 'notifications/initialized' });
  });

  it('accepts a client response with 202', async () => {
    const t = setup();
    const { id, session } = await t.initialize();
    const response = await t.post(
      { jsonrpc: '2.0', id: 's-1', result: {} },
      { 'mcp-session-id': id },
    );
    expect(response.status).toBe(202);
    expect(session.handled.at(-1)).toEqual({ jsonrpc: '2.0', id: 's-1', result: {} });
  });

  it('answers with JSON when the client accepts it and nothing needs streaming', async () => {
    const t = setup();
    const { id } = await t.initialize();
    const response = await t.post(
      { jsonrpc: '2.0', id: 7, method: 'tools/list' },
      { 'mcp-session-id': id },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('mcp-session-id')).toBe(id);
    expect(await response.json()).toEqual({
      jsonrpc: '2.0',
      id: 7,
      result: { echo: 'tools/list' },
    });
  });

  it('waits for an answer that comes later', async () => {
    const t = setup();
    const { id, session } = await t.initialize();
    let settled = false;
    const pending = t
      .post({ jsonrpc: '2.0', id: 'slow', method: 'hold' }, { 'mcp-session-id': id })
      .then((r) => {
        settled = true;
        return r;
      });
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    session.sink({ jsonrpc: '2.0', id: 'slow', result: { late: true } }, 'slow');
    expect(await (await pending).json()).toEqual({
      jsonrpc: '2.0',
      id: 'slow',
      result: { late: true },
    });
  });

  it('gives each of two concurrent POSTs its own answer', async () => {
    const t = setup();
    const { id, session } = await t.initialize();
    const a = t.post({ jsonrpc: '2.0', id: 'a', method: 'hold' }, { 'mcp-session-id': id });
    const b = t.post({ jsonrpc: '2.0', id: 'b', method: 'hold' }, { 'mcp-session-id': id });
    await new Promise((resolve) => setImmediate(resolve));
    session.sink({ jsonrpc: '2.0', id: 'b', result: { who: 'b' } }, 'b');
    session.sink({ jsonrpc: '2.0', id: 'a', result: { who: 'a' } }, 'a');
    expect(await (await a).json()).toMatchObject({ id: 'a', result: { who: 'a' } });
    expect(await (await b).json()).toMatchObject({ id: 'b', result: { who: 'b' } });
  });

  it('streams SSE when there is a progress token: progress first, then the response', async () => {
    const t = setup();
    const { id } = await t.initialize();
    const response = await t.post(
      { jsonrpc: '2.0', id: 3, method: 'work', params: { _meta: { progressToken: 'p-1' } } },
      { 'mcp-session-id': id },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(response.headers.get('mcp-session-id')).toBe(id);
    expect(await sseMessages(response)).toEqual([
      {
        jsonrpc: '2.0',
        method: 'notifications/progress',
        params: { progressToken: 'p-1', progress: 1, total: 2 },
      },
      { jsonrpc: '2.0', id: 3, result: { done: true } },
    ]);
  });

  it('switches to SSE when something belonging to the request arrives before its answer', async () => {
    const t = setup();
    const { id, session } = await t.initialize();
    const pending = t.post(
      { jsonrpc: '2.0', id: 'asks', method: 'hold' },
      { 'mcp-session-id': id },
    );
    await new Promise((resolve) => setImmediate(resolve));
    const log = {
      jsonrpc: '2.0' as const,
      method: 'notifications/message',
      params: { level: 'info', data: 'working' },
    };
    const sampling = {
      jsonrpc: '2.0' as const,
      id: 'switchyard-1',
      method: 'sampling/createMessage',
      params: { messages: [], maxTokens: 1 },
    };
    session.sink(log, 'asks');
    session.sink(sampling, 'asks');
    session.sink({ jsonrpc: '2.0', id: 'asks', result: { done: true } }, 'asks');
    const response = await pending;
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const text = await response.text();
    expect(text).toMatch(/^id: [^\n]+\nretry: \d+\ndata: \n\n/);
    expect(parseSse(text)).toEqual([
      log,
      sampling,
      { jsonrpc: '2.0', id: 'asks', result: { done: true } },
    ]);
  });

  it('answers with JSON despite a progress token when the client accepts only JSON', async () => {
    const t = setup();
    const { id } = await t.initialize();
    const response = await t.post(
      { jsonrpc: '2.0', id: 3, method: 'work', params: { _meta: { progressToken: 'p-1' } } },
      { 'mcp-session-id': id, accept: 'application/json' },
    );
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ jsonrpc: '2.0', id: 3, result: { done: true } });
  });

  it('streams every answer when configured to (streamResponses), priming event first', async () => {
    const t = setup({ streamResponses: true });
    const { id } = await t.initialize();
    const response = await t.post(
      { jsonrpc: '2.0', id: 5, method: 'ping' },
      { 'mcp-session-id': id },
    );
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const text = await response.text();
    expect(text).toMatch(/^id: [^\n]+\nretry: \d+\ndata: \n\n/);
    expect(parseSse(text)).toEqual([{ jsonrpc: '2.0', id: 5, result: { echo: 'ping' } }]);
  });

  it('streams SSE when the client accepts only SSE', async () => {
    const t = setup();
    const { id } = await t.initialize();
    const response = await t.post(
      { jsonrpc: '2.0', id: 4, method: 'ping' },
      { 'mcp-session-id': id, accept: 'text/event-stream' },
    );
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(await sseMessages(response)).toEqual([
      { jsonrpc: '2.0', id: 4, result: { echo: 'ping' } },
    ]);
  });

  it('answers 406 when the client accepts neither JSON nor SSE', async () => {
    const t = setup();
    const { id } = await t.initialize();
    const response = await t.post(
      { jsonrpc: '2.0', id: 1, method: 'ping' },
      { 'mcp-session-id': id, accept: 'text/html' },
    );
    expect(response.status).toBe(406);
  });

  it('answers 415 when the body is not declared as JSON', async () => {
    const t = setup();
    const { id } = await t.initialize();
    const response = await t.post('{"jsonrpc":"2.0","id":1,"method":"ping"}', {
      'mcp-session-id': id,
      'content-type': 'text/plain',
    });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({ error: { code: ErrorCode.InvalidRequest } });
  });

  it('accepts a JSON content type with parameters', async () => {
    const t = setup();
    const { id } = await t.initialize();
    const response = await t.post(
      { jsonrpc: '2.0', id: 1, method: 'ping' },
      { 'mcp-session-id': id, 'content-type': 'application/json; charset=utf-8' },
    );
    expect(response.status).toBe(200);
  });

  it('answers 400 with -32700 for a body that is not JSON', async () => {
    const t = setup();
    const { id } = await t.initialize();
    const response = await t.post('{"jsonrpc":', { 'mcp-session-id': id });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      id: null,
      error: { code: ErrorCode.ParseError },
    });
  });

  it('answers 400 for a message that is not JSON-RPC', async () => {
    const t = setup();
    const { id, session } = await t.initialize();
    const before = session.handled.length;
    const response = await t.post(
      { jsonrpc: '1.0', id: 1, method: 'ping' },
      { 'mcp-session-id': id },
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      id: 1,
      error: { code: ErrorCode.InvalidRequest },
    });
    expect(session.handled).toHaveLength(before);
  });

  it('answers 400 for an unsupported MCP-Protocol-Version header', async () => {
    const t = setup();
    const { id } = await t.initialize();
    const response = await t.post(
      { jsonrpc: '2.0', id: 1, method: 'ping' },
      { 'mcp-session-id': id, 'mcp-protocol-version': '2099-01-01' },
    );
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('2099-01-01');
  });

  it('answers 400 for an unsupported MCP-Protocol-Version on GET and DELETE too, leaving the session alone', async () => {
    const t = setup();
    const { id, session } = await t.initialize();
    const headers = { accept: BOTH, 'mcp-session-id': id, 'mcp-protocol-version': 'garbage' };
    for (const method of ['GET', 'DELETE']) {
      const response = await t.front.handle(new Request(URL, { method, headers }));
      expect(response.status, method).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: ErrorCode.InvalidRequest } });
    }
    expect(session.closed).toBe(false);
    expect(t.front.sessionCount).toBe(1);
  });

  it('accepts a supported MCP-Protocol-Version header', async () => {
    const t = setup();
    const { id } = await t.initialize();
    const response = await t.post(
      { jsonrpc: '2.0', id: 1, method: 'ping' },
      { 'mcp-session-id': id, 'mcp-protocol-version': '2025-06-18' },
    );
    expect(response.status).toBe(200);
  });

  it('answers 413 for a declared Content-Length over the limit, without reading the body', async () => {
    const t = setup({ maxMessageBytes: 1_024 });
    const { id } = await t.initialize();
    let pulls = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls++;
        controller.enqueue(new Uint8Array(512));
      },
    });
    const response = await t.front.handle(
      new Request(URL, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: BOTH,
          'mcp-session-id': id,
          'content-length': String(10 * 1024 * 1024),
        },
        body,
        duplex: 'half',
      } as RequestInit),
    );
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: ErrorCode.InvalidRequest } });
    expect(pulls).toBeLessThanOrEqual(1);
  });

  it('answers 413 for an undeclared body once it passes the limit, reading no further', async () => {
    const t = setup({ maxMessageBytes: 1_024 });
    const { id } = await t.initialize();
    let pulls = 0;
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls++;
        controller.enqueue(new Uint8Array(256).fill(0x20));
      },
      cancel() {
        cancelled = true;
      },
    });
    const response = await t.front.handle(
      new Request(URL, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: BOTH, 'mcp-session-id': id },
        body,
        duplex: 'half',
      } as RequestInit),
    );
    expect(response.status).toBe(413);
    expect(pulls).toBeLessThan(10);
    expect(cancelled).toBe(true);
  });

  it('accepts a body of exactly the limit', async () => {
    const t = setup({ maxMessageBytes: 200 });
    const { id } = await t.initialize();
    const message = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });
    const response = await t.post(message.padEnd(200, ' '), { 'mcp-session-id': id });
    expect(response.status).toBe(200);
  });
});

describe('batches', () => {
  it('are rejected with 400 unless the session negotiated 2025-03-26', async () => {
    const t = setup();
    for (const revision of ['2024-11-05', '2025-06-18', '2025-11-25']) {
      const { id, session } = await t.initialize(revision);
      const response = await t.post(
        [
          { jsonrpc: '2.0', id: 1, method: 'ping' },
          { jsonrpc: '2.0', id: 2, method: 'ping' },
        ],
        { 'mcp-session-id': id },
      );
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: ErrorCode.InvalidRequest } });
      expect(session.handled).toHaveLength(1);
    }
  });

  it('are answered as an array in order on a 2025-03-26 session', async () => {
    const t = setup();
    const { id, session } = await t.initialize('2025-03-26');
    const response = await t.post(
      [
        { jsonrpc: '2.0', id: 'first', method: 'tools/list' },
        { jsonrpc: '2.0', method: 'notifications/initialized' },
        { jsonrpc: '2.0', id: 'second', method: 'prompts/list' },
      ],
      { 'mcp-session-id': id },
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([
      { jsonrpc: '2.0', id: 'first', result: { echo: 'tools/list' } },
      { jsonrpc: '2.0', id: 'second', result: { echo: 'prompts/list' } },
    ]);
    expect(session.handled.slice(1).map((m) => ('method' in m ? m.method : ''))).toEqual([
      'tools/list',
      'notifications/initialized',
      'prompts/list',
    ]);
  });

  it('answer invalid items with their errors next to the valid ones', async () => {
    const t = setup();
    const { id } = await t.initialize('2025-03-26');
    const response = await t.post([{ jsonrpc: '2.0', id: 1, method: 'ping' }, { foo: 'bar' }], {
      'mcp-session-id': id,
    });
    const body = (await response.json()) as unknown[];
    expect(body).toHaveLength(2);
    expect(body).toContainEqual({ jsonrpc: '2.0', id: 1, result: { echo: 'ping' } });
    expect(body).toContainEqual(
      expect.objectContaining({
        id: null,
        error: expect.objectContaining({ code: ErrorCode.InvalidRequest }),
      }),
    );
  });

  it('of notifications only are accepted with 202', async () => {
    const t = setup();
    const { id } = await t.initialize('2025-03-26');
    const response = await t.post(
      [
        { jsonrpc: '2.0', method: 'notifications/initialized' },
        { jsonrpc: '2.0', method: 'notifications/roots/list_changed' },
      ],
      { 'mcp-session-id': id },
    );
    expect(response.status).toBe(202);
  });

  it('that are empty get -32600', async () => {
    const t = setup();
    const { id } = await t.initialize('2025-03-26');
    const response = await t.post([], { 'mcp-session-id': id });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: ErrorCode.InvalidRequest } });
  });
});

describe('GET', () => {
  it('opens the standalone stream for messages that belong to no request', async () => {
    const t = setup();
    const { id, session } = await t.initialize();
    const response = await t.front.handle(
      new Request(URL, {
        method: 'GET',
        headers: { accept: 'text/event-stream', 'mcp-session-id': id },
      }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const reader = response.body!.getReader();
    session.sink({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    expect(await nextEvents(reader, 1)).toEqual([
      { jsonrpc: '2.0', method: 'notifications/tools/list_changed' },
    ]);
    await reader.cancel();
  });

  it('keeps what came before the first GET, and delivers it when the stream opens', async () => {
    const t = setup();
    const { id, session } = await t.initialize();
    session.sink({ jsonrpc: '2.0', id: 'switchyard-1', method: 'roots/list' });
    session.sink({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    const response = await t.front.handle(
      new Request(URL, {
        method: 'GET',
        headers: { accept: 'text/event-stream', 'mcp-session-id': id },
      }),
    );
    const reader = response.body!.getReader();
    expect(await nextEvents(reader, 2)).toEqual([
      { jsonrpc: '2.0', id: 'switchyard-1', method: 'roots/list' },
      { jsonrpc: '2.0', method: 'notifications/tools/list_changed' },
    ]);
    await reader.cancel();
  });

  it('refuses a second GET stream on the same session with 409, until the first is gone', async () => {
    const t = setup();
    const { id } = await t.initialize();
    const get = () =>
      t.front.handle(
        new Request(URL, {
          method: 'GET',
          headers: { accept: 'text/event-stream', 'mcp-session-id': id },
        }),
      );
    const first = await get();
    expect(first.status).toBe(200);
    expect((await get()).status).toBe(409);
    await first.body!.cancel();
    const third = await get();
    expect(third.status).toBe(200);
    await third.body!.cancel();
  });

  it('needs Accept: text/event-stream (406) and a known session (400, 404)', async () => {
    const t = setup();
    const { id } = await t.initialize();
    const get = (headers: Record<string, string>) =>
      t.front.handle(new Request(URL, { method: 'GET', headers }));
    expect((await get({ accept: 'application/json', 'mcp-session-id': id })).status).toBe(406);
    expect((await get({ accept: 'text/event-stream' })).status).toBe(400);
    expect((await get({ accept: 'text/event-stream', 'mcp-session-id': 'nope' })).status).toBe(404);
  });
});

describe('DELETE', () => {
  it('ends the session: the FrontSession is closed and later requests get 404', async () => {
    const t = setup();
    const { id, session } = await t.initialize();
    const response = await t.front.handle(
      new Request(URL, { method: 'DELETE', headers: { 'mcp-session-id': id } }),
    );
    expect(response.status).toBe(200);
    expect(session.closed).toBe(true);
    expect(t.front.sessionCount).toBe(0);
    const after = await t.post({ jsonrpc: '2.0', id: 1, method: 'ping' }, { 'mcp-session-id': id });
    expect(after.status).toBe(404);
  });

  it('ends the standalone stream', async () => {
    const t = setup();
    const { id } = await t.initialize();
    const stream = await t.front.handle(
      new Request(URL, {
        method: 'GET',
        headers: { accept: 'text/event-stream', 'mcp-session-id': id },
      }),
    );
    await t.front.handle(new Request(URL, { method: 'DELETE', headers: { 'mcp-session-id': id } }));
    expect(parseSse(await stream.text())).toEqual([]);
  });

  it('ends POSTs still waiting for an answer', async () => {
    const t = setup();
    const { id } = await t.initialize();
    const json = t.post({ jsonrpc: '2.0', id: 'j', method: 'hold' }, { 'mcp-session-id': id });
    const sse = await t.post(
      { jsonrpc: '2.0', id: 's', method: 'hold' },
      { 'mcp-session-id': id, accept: 'text/event-stream' },
    );
    await new Promise((resolve) => setImmediate(resolve));
    await t.front.handle(new Request(URL, { method: 'DELETE', headers: { 'mcp-session-id': id } }));
    const outcome = await Promise.race([
      json.then((r) => r.status),
      new Promise((resolve) => setTimeout(() => resolve('still waiting'), 1_000)),
    ]);
    expect(outcome).toBe(404);
    expect(parseSse(await sse.text())).toEqual([]);
  });

  it('answers 400 without a session id and 404 for an unknown one', async () => {
    const t = setup();
    expect((await t.front.handle(new Request(URL, { method: 'DELETE' }))).status).toBe(400);
    const unknown = await t.front.handle(
      new Request(URL, { method: 'DELETE', headers: { 'mcp-session-id': 'nope' } }),
    );
    expect(unknown.status).toBe(404);
  });
});

describe('the endpoint', () => {
  it('answers other methods with 405 and an Allow header', async () => {
    const t = setup();
    const response = await t.front.handle(new Request(URL, { method: 'PUT', body: '{}' }));
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, POST, DELETE');
  });

  it('closes every session on close()', async () => {
    const t = setup();
    const one = await t.initialize();
    const two = await t.initialize();
    t.front.close();
    expect(t.front.sessionCount).toBe(0);
    expect(one.session.closed && two.session.closed).toBe(true);
  });
});

/** Reads from an open SSE stream until `count` events (priming ones included) have arrived. */
function nextRawEvents(reader: ReadableStreamDefaultReader<Uint8Array>, count: number) {
  return readUntil(reader, count, sseEvents);
}

describe('resumption', () => {
  const progress = (token: string, value: number): JsonRpcMessage => ({
    jsonrpc: '2.0',
    method: 'notifications/progress',
    params: { progressToken: token, progress: value },
  });

  /** A session with one `hold` call on an SSE stream that the client reads the priming event of. */
  async function heldCall(options: { maxStoredEvents?: number } = {}) {
    const t = setup(options);
    const { id, session } = await t.initialize();
    const response = await t.post(
      { jsonrpc: '2.0', id: 7, method: 'hold', params: { _meta: { progressToken: 'p' } } },
      { 'mcp-session-id': id },
    );
    const reader = response.body!.getReader();
    const [priming] = await nextRawEvents(reader, 1);
    const resume = (lastEventId: string) =>
      t.front.handle(
        new Request(URL, {
          method: 'GET',
          headers: {
            accept: 'text/event-stream',
            'mcp-session-id': id,
            'last-event-id': lastEventId,
          },
        }),
      );
    return { ...t, id, session, reader, primingId: priming?.id ?? '', resume };
  }

  it('gives every event an id that names its stream, after a priming event on 2025-11-25', async () => {
    const t = setup();
    const { id } = await t.initialize();
    const response = await t.post(
      { jsonrpc: '2.0', id: 3, method: 'work', params: { _meta: { progressToken: 'p-1' } } },
      { 'mcp-session-id': id },
    );
    const events = sseEvents(await response.text());
    expect(events.map((event) => event.id)).toEqual(['post-1_0', 'post-1_1', 'post-1_2']);
    expect(events[0]).toEqual({ id: 'post-1_0', data: '' });
  });

  it('sends no priming event to a client older than 2025-11-25, but still ids', async () => {
    const t = setup();
    const { id } = await t.initialize('2025-06-18');
    const response = await t.post(
      { jsonrpc: '2.0', id: 3, method: 'work', params: { _meta: { progressToken: 'p-1' } } },
      { 'mcp-session-id': id },
    );
    const events = sseEvents(await response.text());
    expect(events.map((event) => [event.event, event.id])).toEqual([
      ['message', 'post-1_0'],
      ['message', 'post-1_1'],
    ]);
  });

  it('ids the events of the standalone GET stream by that stream', async () => {
    const t = setup();
    const { id, session } = await t.initialize();
    const response = await t.front.handle(
      new Request(URL, {
        method: 'GET',
        headers: { accept: 'text/event-stream', 'mcp-session-id': id },
      }),
    );
    const reader = response.body!.getReader();
    session.sink({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    const events = await nextRawEvents(reader, 2);
    expect(events.map((event) => event.id)).toEqual(['get-1_0', 'get-1_1']);
    await reader.cancel();
  });

  it('keeps a cut POST stream going: GET with Last-Event-ID gets the missed events, then the live ones', async () => {
    const t = await heldCall();
    await t.reader.cancel();
    t.session.sink(progress('p', 1), 7);
    t.session.sink(progress('p', 2), 7);

    const resumed = await t.resume(t.primingId);
    expect(resumed.status).toBe(200);
    expect(resumed.headers.get('content-type')).toBe('text/event-stream');
    expect(resumed.headers.get('mcp-session-id')).toBe(t.id);
    const reader = resumed.body!.getReader();
    const missed = await nextRawEvents(reader, 2);
    expect(missed.map((event) => event.id)).toEqual(['post-1_1', 'post-1_2']);
    expect(missed.map((event) => JSON.parse(event.data))).toEqual([
      progress('p', 1),
      progress('p', 2),
    ]);

    t.session.sink(progress('p', 3), 7);
    t.session.sink({ jsonrpc: '2.0', id: 7, result: { late: true } }, 7);
    expect(await nextEvents(reader, 2)).toEqual([
      progress('p', 3),
      { jsonrpc: '2.0', id: 7, result: { late: true } },
    ]);
    expect((await reader.read()).done).toBe(true);
  });

  it('resumes from the middle of a stream with only the events after that id', async () => {
    const t = await heldCall();
    t.session.sink(progress('p', 1), 7);
    const [seen] = await nextRawEvents(t.reader, 1);
    await t.reader.cancel();
    t.session.sink({ jsonrpc: '2.0', id: 7, result: {} }, 7);
    const resumed = await t.resume(seen?.id ?? '');
    expect(await sseMessages(resumed)).toEqual([{ jsonrpc: '2.0', id: 7, result: {} }]);
  });

  it('replays a stream that ended while the client was away, then closes', async () => {
    const t = await heldCall();
    await t.reader.cancel();
    t.session.sink({ jsonrpc: '2.0', id: 7, result: { done: true } }, 7);
    const resumed = await t.resume(t.primingId);
    expect(await sseMessages(resumed)).toEqual([{ jsonrpc: '2.0', id: 7, result: { done: true } }]);
  });

  it('moves a stream to the newest connection, closing one still attached', async () => {
    const t = await heldCall();
    const resumed = await t.resume(t.primingId);
    expect((await t.reader.read()).done).toBe(true);
    t.session.sink({ jsonrpc: '2.0', id: 7, result: {} }, 7);
    expect(await sseMessages(resumed)).toEqual([{ jsonrpc: '2.0', id: 7, result: {} }]);
  });

  it('answers 400 with a JSON-RPC error for an unknown or malformed Last-Event-ID', async () => {
    const t = await heldCall();
    for (const bad of ['nope', 'post-9_1', 'get-1_0', 'post-1_99', '_1', '']) {
      const response = await t.resume(bad);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        jsonrpc: '2.0',
        id: null,
        error: {
          code: ErrorCode.InvalidRequest,
          message: expect.stringContaining('Last-Event-ID'),
        },
      });
    }
  });

  it('never replays the events of another session', async () => {
    const t = await heldCall();
    const other = await t.initialize();
    const response = await t.front.handle(
      new Request(URL, {
        method: 'GET',
        headers: {
          accept: 'text/event-stream',
          'mcp-session-id': other.id,
          'last-event-id': t.primingId,
        },
      }),
    );
    expect(response.status).toBe(400);
  });

  it('drops the oldest events beyond maxStoredEvents, so their ids can no longer resume', async () => {
    const t = await heldCall({ maxStoredEvents: 3 });
    await t.reader.cancel();
    for (const value of [1, 2, 3, 4]) t.session.sink(progress('p', value), 7);
    expect((await t.resume(t.primingId)).status).toBe(400);
    expect((await t.resume('post-1_1')).status).toBe(400);
    const resumed = await t.resume('post-1_2');
    t.session.sink({ jsonrpc: '2.0', id: 7, result: {} }, 7);
    expect(await sseMessages(resumed)).toEqual([
      progress('p', 3),
      progress('p', 4),
      { jsonrpc: '2.0', id: 7, result: {} },
    ]);
  });

  it('records the standalone stream while it is cut, and resumes it', async () => {
    const t = setup();
    const { id, session } = await t.initialize();
    const get = (headers: Record<string, string> = {}) =>
      t.front.handle(
        new Request(URL, {
          method: 'GET',
          headers: { accept: 'text/event-stream', 'mcp-session-id': id, ...headers },
        }),
      );
    const first = (await get()).body!.getReader();
    const [priming] = await nextRawEvents(first, 1);
    await first.cancel();
    session.sink({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    const resumed = (await get({ 'last-event-id': priming?.id ?? '' })).body!.getReader();
    expect(await nextEvents(resumed, 1)).toEqual([
      { jsonrpc: '2.0', method: 'notifications/tools/list_changed' },
    ]);
    expect((await get()).status).toBe(409);
    await resumed.cancel();
  });

  it('answers 404 to a resume on a session that has ended', async () => {
    const t = await heldCall();
    await t.front.handle(
      new Request(URL, { method: 'DELETE', headers: { 'mcp-session-id': t.id } }),
    );
    expect((await t.resume(t.primingId)).status).toBe(404);
  });
});

describe('idle sessions', () => {
  it('ends a session left idle, and its next request gets 404', async () => {
    const clock = new ManualClock();
    const { front, post, initialize } = setup({ sessionIdleMs: 1000, clock });
    const { id, session } = await initialize();
    clock.advance(900);
    const ping = await post({ jsonrpc: '2.0', id: 1, method: 'ping' }, { 'mcp-session-id': id });
    expect(ping.status).toBe(200);
    clock.advance(900);
    expect(front.sessionCount).toBe(1);
    clock.advance(100);
    expect(front.sessionCount).toBe(0);
    expect(session.closed).toBe(true);
    const after = await post({ jsonrpc: '2.0', id: 2, method: 'ping' }, { 'mcp-session-id': id });
    expect(after.status).toBe(404);
  });

  it('keeps a session whose GET stream is open', async () => {
    const clock = new ManualClock();
    const { front, initialize } = setup({ sessionIdleMs: 1000, clock });
    const { id } = await initialize();
    const stream = await front.handle(
      new Request(URL, {
        method: 'GET',
        headers: { accept: 'text/event-stream', 'mcp-session-id': id },
      }),
    );
    expect(stream.status).toBe(200);
    clock.advance(5000);
    expect(front.sessionCount).toBe(1);
    await stream.body?.cancel();
  });
});
