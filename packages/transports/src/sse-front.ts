import { type Clock, parseFrame, systemClock } from '@switchyard/protocol';
import type { FrontSession, OpenSession } from './front-session.js';
import { accepts } from './internal/accepts.js';
import {
  failureResponse,
  invalidFrameResponse,
  methodNotAllowed,
} from './internal/http-response.js';
import { type BodySource, notJson, readBody } from './internal/read-limited.js';
import { newSessionId } from './internal/session-id.js';
import { SseStream } from './internal/sse-stream.js';

export interface SseFrontOptions {
  openSession: OpenSession;
  /** Largest POST body accepted (default 4 MiB); larger bodies get 413 unread. */
  maxMessageBytes?: number;
  /**
   * Mints session ids: the proxy's own, never a backend's (docs/transports.md, "Backend side");
   * by default 128 random bits, as MCP 2025-11-25, Basic: Security Best Practices, Session
   * Hijacking asks.
   */
  generateSessionId?: () => string;
  /**
   * Path of the POST endpoint announced in the `endpoint` event (default `/messages`). It is sent
   * as a relative URI so that the client resolves it against the SSE URL: same origin, which
   * clients such as the SDK's `SSEClientTransport` insist on (docs/transports.md, "Client side").
   */
  messagesPath?: string;
  /** Interval of `: keepalive` comments on each stream (default 25 s; 0 disables them). */
  keepAliveMs?: number;
  /** The keep-alive timers' clock. */
  clock?: Clock;
}

/**
 * The legacy HTTP+SSE transport (MCP 2024-11-05, Transports: HTTP with SSE) as web-standard
 * handlers: `GET /sse` opens the stream, `POST /messages?sessionId=…` carries client messages.
 */
export interface SseFront {
  /**
   * `GET` on the SSE endpoint: opens a session and its stream, bound to `principal` (who sends
   * the request, as the embedding's authentication decides; docs/security.md, "Session binding").
   */
  handleStream(request: Request, principal?: string): Response;
  /**
   * `POST` on the messages endpoint: one client message, answered on the session's stream; `body`,
   * when given, is read instead of the web request's body. A session opened by another principal
   * gets 404, as an unknown one does.
   */
  handleMessage(request: Request, body?: BodySource, principal?: string): Promise<Response>;
  /** Ends every session and its stream (shutdown). */
  close(): void;
  readonly sessionCount: number;
}

interface SseSession {
  readonly stream: SseStream;
  readonly front: FrontSession;
  readonly principal: string | undefined;
}

/**
 * Creates the HTTP+SSE front. The stream's first event is `endpoint`, whose data is the
 * POST URI; every message for the session then goes out as `event: message`. A POST answers only
 * whether the message was accepted (202): its response travels on the stream. Batches get -32600,
 * since 2024-11-05 has none. The session ends when the client drops the stream. An unknown session
 * gets 404 with the same JSON-RPC code as on the Streamable HTTP front (`session_not_found`).
 */
export function createSseFront(options: SseFrontOptions): SseFront {
  const sessions = new Map<string, SseSession>();
  const maxBytes = options.maxMessageBytes ?? 4 * 1024 * 1024;
  const newId = options.generateSessionId ?? newSessionId;
  const messagesPath = options.messagesPath ?? '/messages';
  const keepAliveMs = options.keepAliveMs ?? 25_000;
  const clock = options.clock ?? systemClock;

  function end(id: string): void {
    const session = sessions.get(id);
    if (!session) return;
    sessions.delete(id);
    session.stream.end();
    session.front.close();
  }

  function handleStream(request: Request, principal?: string): Response {
    if (request.method !== 'GET') return methodNotAllowed('GET');
    if (!accepts(request).sse) {
      return failureResponse(
        'not_acceptable',
        'Not Acceptable: the SSE endpoint needs Accept: text/event-stream',
      );
    }
    const id = newId();
    const stream = new SseStream({
      headers: { 'x-accel-buffering': 'no' },
      onCancel: () => end(id),
      keepAliveMs,
      clock,
    });
    stream.event('endpoint', `${messagesPath}?sessionId=${encodeURIComponent(id)}`);
    const front = options.openSession((message) => stream.push(message), {
      transport: 'sse',
      sessionId: id,
      ...(principal === undefined ? {} : { principal }),
    });
    sessions.set(id, { stream, front, principal });
    return stream.response;
  }

  async function handleMessage(
    request: Request,
    source?: BodySource,
    principal?: string,
  ): Promise<Response> {
    if (request.method !== 'POST') return methodNotAllowed('POST');
    const id = new URL(request.url).searchParams.get('sessionId');
    if (!id) {
      return failureResponse(
        'invalid_request',
        'Bad Request: the sessionId query parameter is required',
      );
    }
    const session = sessions.get(id);
    // Another principal's session answers as an unknown one (MCP 2025-11-25, Basic: Security
    // Best Practices, Session Hijacking).
    if (!session || session.principal !== principal) {
      return failureResponse('session_not_found', 'Session not found: open a new SSE stream');
    }
    const refused = notJson(request);
    if (refused) return refused;
    const body = await readBody(request, maxBytes, source);
    if (body instanceof Response) return body;
    // The stream may have been dropped while the body was read.
    if (!sessions.has(id)) {
      return failureResponse('session_not_found', 'Session not found: the stream was closed');
    }
    const frame = parseFrame(body);
    if (!frame.ok) return invalidFrameResponse(frame.error);
    if (frame.batch) {
      return failureResponse(
        'invalid_request',
        'Invalid Request: batches are not supported on HTTP+SSE',
      );
    }
    session.front.handle(frame.message);
    return new Response('Accepted', { status: 202 });
  }

  return {
    handleStream,
    handleMessage,
    close() {
      for (const id of [...sessions.keys()]) end(id);
    },
    get sessionCount() {
      return sessions.size;
    },
  };
}
