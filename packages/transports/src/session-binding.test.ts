import { ERRORS } from '@switchyard/protocol';
import { initializeMessage, ManualClock } from '@switchyard/protocol/testing';
import { describe, expect, it } from 'vitest';
import { EchoSession } from './__fixtures__/echo-session.js';
import { createMemoryEventStore } from './event-store.js';
import { HttpSessions } from './internal/http-sessions.js';
import { newSessionId } from './internal/session-id.js';
import { createSseFront } from './sse-front.js';
import { createStreamableHttpFront } from './streamable-http-front.js';

const A = 'sha256:aaaa';
const B = 'sha256:bbbb';

function table(opened: EchoSession[] = []): HttpSessions {
  return new HttpSessions({
    openSession: (sink, info) => {
      const session = new EchoSession(sink, info);
      opened.push(session);
      return session;
    },
    newId: newSessionId,
    store: createMemoryEventStore(),
    idleMs: 0,
    clock: new ManualClock(),
  });
}

const named = (id: string) =>
  new Request('http://127.0.0.1/mcp', { headers: { 'mcp-session-id': id } });

describe('the session table binds each session to its principal', () => {
  it('finds a session only for the principal that opened it', async () => {
    const opened: EchoSession[] = [];
    const sessions = table(opened);
    const session = sessions.open(A);
    expect(opened[0]?.info).toEqual({
      transport: 'streamable-http',
      sessionId: session.id,
      principal: A,
    });
    expect(sessions.lookup(named(session.id), A)).toBe(session);
    for (const other of [B, undefined]) {
      const refused = sessions.lookup(named(session.id), other);
      expect(refused).toBeInstanceOf(Response);
      expect((refused as Response).status).toBe(404);
    }
  });

  it('answers another principal exactly as it answers an unknown id', async () => {
    const sessions = table();
    const session = sessions.open(A);
    const stolen = sessions.lookup(named(session.id), B) as Response;
    const unknown = sessions.lookup(named(newSessionId()), B) as Response;
    expect(stolen.status).toBe(unknown.status);
    expect(await stolen.json()).toEqual(await unknown.json());
    expect(stolen.headers.get('mcp-session-id')).toBeNull();
  });

  it('keeps a session opened without a principal for requests without one', () => {
    const sessions = table();
    const session = sessions.open();
    expect(sessions.lookup(named(session.id))).toBe(session);
    expect(sessions.lookup(named(session.id), A)).toBeInstanceOf(Response);
  });
});

describe('session ids', () => {
  it('carry 128 random bits as 22 visible ASCII characters, never repeating', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 10_000; i += 1) {
      const id = newSessionId();
      expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(Buffer.from(id, 'base64url')).toHaveLength(16);
      ids.add(id);
    }
    expect(ids.size).toBe(10_000);
  });
});

const initialize = initializeMessage();

function post(body: unknown, sessionId?: string): Request {
  return new Request('http://127.0.0.1/mcp', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(sessionId ? { 'mcp-session-id': sessionId } : {}),
    },
    body: JSON.stringify(body),
  });
}

describe('the Streamable HTTP front serves a session only to its principal', () => {
  it('answers POST, GET and DELETE from another principal with 404 and leaves the session alone', async () => {
    const opened: EchoSession[] = [];
    const front = createStreamableHttpFront({
      openSession: (sink, info) => {
        const session = new EchoSession(sink, info, '2025-06-18');
        opened.push(session);
        return session;
      },
      sessionIdleMs: 0,
    });
    const open = await front.handle(post(initialize), undefined, A);
    const id = open.headers.get('mcp-session-id') ?? '';
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(opened[0]?.info.principal).toBe(A);
    const ping = { jsonrpc: '2.0', id: 2, method: 'ping' };

    const stolenPost = await front.handle(post(ping, id), undefined, B);
    expect(stolenPost.status).toBe(404);
    expect(await stolenPost.json()).toMatchObject({
      error: { code: ERRORS.session_not_found.jsonRpc },
    });
    const get = new Request('http://127.0.0.1/mcp', {
      headers: { accept: 'text/event-stream', 'mcp-session-id': id },
    });
    expect((await front.handle(get, undefined, B)).status).toBe(404);
    const del = new Request('http://127.0.0.1/mcp', {
      method: 'DELETE',
      headers: { 'mcp-session-id': id },
    });
    expect((await front.handle(del, undefined, B)).status).toBe(404);
    expect((await front.handle(post(ping, id))).status).toBe(404);
    expect(opened[0]?.handled.map((m) => ('method' in m ? m.method : ''))).toEqual(['initialize']);

    const own = await front.handle(post(ping, id), undefined, A);
    expect(own.status).toBe(200);
    expect(front.sessionCount).toBe(1);
    front.close();
  });
});

describe('the HTTP+SSE front serves a session only to its principal', () => {
  it('answers a POST from another principal with 404, as for an unknown session', async () => {
    const opened: EchoSession[] = [];
    const front = createSseFront({
      openSession: (sink, info) => {
        const session = new EchoSession(sink, info);
        opened.push(session);
        return session;
      },
      keepAliveMs: 0,
    });
    const stream = front.handleStream(
      new Request('http://127.0.0.1/sse', { headers: { accept: 'text/event-stream' } }),
      A,
    );
    expect(stream.status).toBe(200);
    const id = opened[0]?.info.sessionId ?? '';
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(opened[0]?.info.principal).toBe(A);
    const message = () =>
      new Request(`http://127.0.0.1/messages?sessionId=${id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }),
      });
    for (const other of [B, undefined]) {
      const refused = await front.handleMessage(message(), undefined, other);
      expect(refused.status).toBe(404);
      expect(await refused.json()).toMatchObject({
        error: { code: ERRORS.session_not_found.jsonRpc },
      });
    }
    expect(opened[0]?.handled).toEqual([]);
    expect((await front.handleMessage(message(), undefined, A)).status).toBe(202);
    expect(opened[0]?.handled).toHaveLength(1);
    front.close();
  });
});
