import {
  type Clock,
  featuresOf,
  hasModernEnvelope,
  httpStatusOf,
  isRequest,
  isResponse,
  type JsonRpcFailure,
  type JsonRpcMessage,
  type MessageCheck,
  Method,
  parseValue,
  resolveRevision,
  systemClock,
} from '@switchyard/protocol';
import { createMemoryEventStore, type EventStore } from './event-store.js';
import type { OpenSession } from './front-session.js';
import { accepts } from './internal/accepts.js';
import {
  failureResponse,
  invalidFrameResponse,
  jsonResponse,
  methodNotAllowed,
} from './internal/http-response.js';
import type { HttpSession } from './internal/http-session.js';
import { HttpSessions } from './internal/http-sessions.js';
import { modernPost } from './internal/modern-post.js';
import { PostChannel } from './internal/post-channel.js';
import { type BodySource, notJson, readBody } from './internal/read-limited.js';
import { replayEnded } from './internal/resumable-sse.js';
import { newSessionId } from './internal/session-id.js';
import { ModernBridge, type ModernDrop, type ModernShared } from './modern-bridge.js';

export interface StreamableHttpFrontOptions {
  openSession: OpenSession;
  /** Largest request body accepted (default 4 MiB); larger bodies get 413 unread. */
  maxMessageBytes?: number;
  /**
   * Mints session ids: the proxy's own, never a backend's (docs/transports.md, "Backend side");
   * by default 128 random bits, as MCP 2025-11-25, Basic: Security Best Practices, Session
   * Hijacking asks.
   */
  generateSessionId?: () => string;
  /**
   * Records every SSE event so a cut stream can be resumed with GET + `Last-Event-ID` (MCP
   * 2025-11-25, Transports: Streamable HTTP, Resumability and Redelivery). Default: an in-memory
   * store per front, bounded per session by `maxStoredEvents` and 4 MiB.
   */
  eventStore?: EventStore;
  /** Events the default store keeps per session, oldest dropped first (default 1,000). */
  maxStoredEvents?: number;
  /**
   * A session with no request, no open stream and nothing in flight for this long is ended, so
   * clients that vanish without DELETE do not hold memory forever (default 30 min; 0: never).
   * Its next request gets 404, which tells the client to initialize again.
   */
  sessionIdleMs?: number;
  /**
   * Answer every request with an SSE stream when the client accepts one, as the reference SDK
   * does (resumable from its first event). Default false: JSON unless something must be streamed.
   */
  streamResponses?: boolean;
  /**
   * How long the internal session serving modern (2026-07-28) requests of one principal and
   * capability profile lives without a request (default 5 min; docs/protocol-versions.md).
   */
  modernIdleMs?: number;
  /** Hears what a modern client could not be given (docs/protocol-versions.md). */
  onModernDropped?: (drop: ModernDrop) => void;
  /** Hears when a principal's further modern client programs share one session. */
  onModernShared?: (shared: ModernShared) => void;
  clock?: Clock;
}

/** The MCP Streamable HTTP endpoint as a web-standard handler, mountable in Hono or any server. */
export interface StreamableHttpFront {
  /**
   * Answers one request; `body`, when given, is read instead of the web request's body.
   * `principal` names who sends it (the embedding's authentication decides): a session is bound
   * to the principal that opened it, and any other gets 404 for it (docs/security.md, "Session
   * binding"). Without one, only sessions opened without one are reachable.
   */
  handle(request: Request, body?: BodySource, principal?: string): Promise<Response>;
  /** Ends every session (shutdown). */
  close(): void;
  readonly sessionCount: number;
}

/** Whether a request asks for progress, which only an SSE answer can carry. */
function hasProgressToken(message: JsonRpcMessage): boolean {
  if (!isRequest(message)) return false;
  const meta = message.params?._meta;
  return typeof meta === 'object' && meta !== null && 'progressToken' in meta;
}

/**
 * The 400 for an `MCP-Protocol-Version` header naming no revision Switchyard speaks, on any method
 * (MCP 2025-11-25, Transports: Streamable HTTP, Protocol Version Header); none without the header.
 */
function unsupportedVersion(request: Request): Response | undefined {
  const version = request.headers.get('mcp-protocol-version');
  if (version === null || resolveRevision(version)) return undefined;
  return failureResponse(
    'invalid_request',
    `Bad Request: unsupported MCP-Protocol-Version ${version}`,
  );
}

/**
 * The one message of a POST when it is of the modern era (MCP 2026-07-28; classification as in
 * docs/protocol-versions.md, "The modern era (2026-07-28)"): a request or notification carrying the
 * modern envelope (even `initialize`, which the modern era refuses), or a request other than
 * `initialize` without an `Mcp-Session-Id`. Batches, responses, `initialize` without the envelope
 * and whatever names a session without it are legacy.
 */
function modernMessage(request: Request, post: PostBody): JsonRpcMessage | undefined {
  const item = post.items[0];
  if (post.batch || !item?.ok) return undefined;
  const message = item.message;
  if (isResponse(message)) return undefined;
  if (hasModernEnvelope(message)) return message;
  if (message.method === Method.Initialize) return undefined;
  return isRequest(message) && !request.headers.has('mcp-session-id') ? message : undefined;
}

/** A POST's parsed body: its messages (or their errors), and which answers the client accepts. */
interface PostBody {
  /** Whether the body was a batch (an array), even of one. */
  batch: boolean;
  items: MessageCheck[];
  accept: { json: boolean; sse: boolean };
}

/**
 * Checks a POST's headers and reads and parses its body, or answers it: 415 without a JSON body,
 * 406 when the client accepts neither JSON nor SSE, 413 over the size limit, and the parse error
 * for a body that is not a valid message.
 */
async function readPost(
  request: Request,
  maxBytes: number,
  source: BodySource | undefined,
): Promise<PostBody | Response> {
  const refused = notJson(request);
  if (refused) return refused;
  const accept = accepts(request);
  if (!accept.json && !accept.sse) {
    return failureResponse(
      'not_acceptable',
      'Not Acceptable: accept application/json or text/event-stream',
    );
  }
  const body = await readBody(request, maxBytes, source);
  if (body instanceof Response) return body;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return failureResponse('parse_error', 'Parse error: invalid JSON');
  }
  const frame = parseValue(value);
  if (!frame.ok) return invalidFrameResponse(frame.error);
  const items: MessageCheck[] = frame.batch ? frame.items : [{ ok: true, message: frame.message }];
  return { batch: frame.batch, items, accept };
}

/**
 * Hands a POST's messages to its session and answers it: 202 when it carries no request, else the
 * response of a channel that waits for the answers to its requests.
 */
function dispatch(
  session: HttpSession,
  post: PostBody,
  streamResponses: boolean,
): Promise<Response> | Response {
  const { batch, items, accept } = post;
  const messages: JsonRpcMessage[] = [];
  const early: JsonRpcFailure[] = [];
  for (const item of items) {
    if (item.ok) messages.push(item.message);
    else early.push(item.error);
  }
  const requests = messages.filter(isRequest);
  const headers = { 'mcp-session-id': session.id };
  if (requests.length === 0) {
    for (const message of messages) session.front.handle(message);
    if (early.length === 0) return new Response(null, { status: 202, headers });
    if (!batch) return invalidFrameResponse(early[0] as JsonRpcFailure, headers);
    return jsonResponse(early, httpStatusOf('invalid_request'), headers);
  }
  const streamAtOnce =
    accept.sse && (streamResponses || !accept.json || requests.some(hasProgressToken));
  const release = (done: PostChannel) => {
    for (const r of requests)
      if (session.channels.get(r.id) === done) session.channels.delete(r.id);
  };
  // A cut SSE connection does not release the channel: its messages are still recorded, for a
  // GET with Last-Event-ID to pick up.
  const channel = new PostChannel(
    requests.map((r) => r.id),
    early,
    batch,
    accept.sse ? () => session.openStream('post') : undefined,
    streamAtOnce,
    headers,
    release,
    session.primes,
  );
  for (const r of requests) session.channels.set(r.id, channel);
  const response = channel.response();
  for (const message of messages) session.front.handle(message);
  return response;
}

/**
 * Creates the Streamable HTTP front (MCP 2025-11-25, Transports: Streamable HTTP; what this one
 * adds is in docs/transports.md, "Client side"): POST carries client messages, GET opens the
 * standalone stream for server-initiated messages, DELETE ends the session. Responses are JSON when
 * the client accepts it and nothing needs streaming (cheaper, and what most clients prefer); SSE
 * when the client asked for progress or accepts only SSE, or from the moment anything else
 * belonging to the POST arrives (a log message, a sampling request). Every SSE event has an id
 * naming its stream and is recorded in the event store; a cut stream keeps collecting until its
 * requests are answered, and GET + `Last-Event-ID` resumes it (that section's Resumability and
 * Redelivery). A POST of the modern era (MCP 2026-07-28, no session) is served by a
 * {@link ModernBridge} on the same endpoint (docs/protocol-versions.md, "The modern era").
 */
export function createStreamableHttpFront(
  options: StreamableHttpFrontOptions,
): StreamableHttpFront {
  const maxBytes = options.maxMessageBytes ?? 4 * 1024 * 1024;
  const store =
    options.eventStore ??
    createMemoryEventStore(
      options.maxStoredEvents === undefined ? {} : { maxEvents: options.maxStoredEvents },
    );
  const sessions = new HttpSessions({
    openSession: options.openSession,
    newId: options.generateSessionId ?? newSessionId,
    store,
    idleMs: options.sessionIdleMs ?? 30 * 60_000,
    clock: options.clock ?? systemClock,
  });
  const modern = new ModernBridge({
    openSession: options.openSession,
    transport: 'streamable-http',
    clock: options.clock ?? systemClock,
    ...(options.modernIdleMs === undefined ? {} : { idleMs: options.modernIdleMs }),
    ...(options.onModernDropped ? { onDropped: options.onModernDropped } : {}),
    ...(options.onModernShared ? { onShared: options.onModernShared } : {}),
  });

  async function post(
    request: Request,
    source: BodySource | undefined,
    principal: string | undefined,
  ): Promise<Response> {
    const body = await readPost(request, maxBytes, source);
    if (body instanceof Response) return body;
    const message = modernMessage(request, body);
    if (message) {
      const how = { clock: options.clock ?? systemClock, connection: source?.socket };
      return modernPost(modern, request, message, principal, body.accept.sse, how);
    }
    const refusedVersion = unsupportedVersion(request);
    if (refusedVersion) return refusedVersion;
    const { batch, items } = body;
    const initialize = items.find(
      (item) => item.ok && isRequest(item.message) && item.message.method === Method.Initialize,
    );
    let session: HttpSession;
    if (initialize) {
      if (batch) {
        return failureResponse(
          'invalid_request',
          'Invalid Request: initialize must not be batched',
        );
      }
      if (request.headers.has('mcp-session-id')) {
        return failureResponse(
          'invalid_request',
          'Bad Request: initialize must not carry an Mcp-Session-Id',
        );
      }
      session = sessions.open(principal);
    } else {
      const found = sessions.lookup(request, principal);
      if (found instanceof Response) return found;
      session = found;
      const revision = resolveRevision(session.front.revision);
      if (batch && !(revision && featuresOf(revision).batches)) {
        return failureResponse(
          'invalid_request',
          `Invalid Request: batches are not allowed in revision ${revision ?? 'unknown'}`,
        );
      }
    }
    return dispatch(session, body, options.streamResponses === true);
  }

  function get(request: Request, principal: string | undefined): Response {
    if (!accepts(request).sse) {
      return failureResponse(
        'not_acceptable',
        'Not Acceptable: GET needs Accept: text/event-stream',
      );
    }
    const refusedVersion = unsupportedVersion(request);
    if (refusedVersion) return refusedVersion;
    const found = sessions.lookup(request, principal);
    if (found instanceof Response) return found;
    const lastEventId = request.headers.get('last-event-id');
    if (lastEventId !== null) return resume(found, lastEventId);
    if (found.standalone?.attached) {
      return failureResponse('conflict', 'Conflict: this session already has a GET stream');
    }
    // A new standalone stream replaces one whose client left without resuming it.
    found.standalone?.end();
    const stream = found.openStream('get');
    found.standalone = stream;
    const response = stream.open(found.primes);
    for (const message of found.early.splice(0)) stream.send(message);
    return response;
  }

  /**
   * GET + `Last-Event-ID` (MCP 2025-11-25, Transports: Streamable HTTP, Resumability and
   * Redelivery): the events of that id's stream recorded after it, then, if the stream is still
   * open, its live events until it ends. An id the store does not hold (unknown, or evicted by the
   * capacity bound) gets 400, not 404, because 404 on this endpoint tells the client its session is
   * gone.
   */
  function resume(session: HttpSession, lastEventId: string): Response {
    const replay = store.replayAfter(session.id, lastEventId);
    if (!replay) {
      return failureResponse(
        'invalid_request',
        'Bad Request: unknown Last-Event-ID, or its events are no longer stored',
      );
    }
    const live = session.streams.get(replay.streamId);
    if (live) return live.resume(replay.events);
    return replayEnded(replay.events, session.headers);
  }

  function remove(request: Request, principal: string | undefined): Response {
    const refusedVersion = unsupportedVersion(request);
    if (refusedVersion) return refusedVersion;
    const found = sessions.lookup(request, principal);
    if (found instanceof Response) return found;
    sessions.end(found);
    return new Response(null, { status: 200 });
  }

  return {
    async handle(request, body, principal) {
      switch (request.method) {
        case 'POST':
          return post(request, body, principal);
        case 'GET':
          return get(request, principal);
        case 'DELETE':
          return remove(request, principal);
        default:
          return methodNotAllowed('GET, POST, DELETE');
      }
    },
    close() {
      sessions.endAll();
      modern.close();
    },
    get sessionCount() {
      return sessions.size;
    },
  };
}
