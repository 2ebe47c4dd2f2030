import {
  type Clock,
  ErrorCode,
  failure,
  type HeaderDeclarations,
  headerDeclarations,
  isJsonObject,
  isModernParams,
  isNotification,
  isRequest,
  isResponse,
  type JsonRpcId,
  type JsonRpcMessage,
  type JsonRpcRequest,
  type MessageTransport,
  Method,
  modernRoutingHeaders,
  parseFrame,
  SwitchyardError,
  serializeMessage,
  sleep,
  systemClock,
} from '@switchyard/protocol';
import type { Dispatcher } from 'undici';
import { defaultHttpRequest, type HttpRequest, sessionAbort } from './http-pool.js';
import { SseParser } from './internal/sse-parser.js';

/**
 * The close reason of a Streamable HTTP backend that answered 404 for our session: it restarted or
 * expired the session, so the right move is to initialize a new one at once (MCP 2025-11-25,
 * Transports: Streamable HTTP, Session Management).
 */
export const BACKEND_SESSION_EXPIRED = 'backend session expired';

export interface StreamableHttpBackendOptions {
  url: string;
  /** Sent with every request (API keys, `Authorization`). */
  headers?: Readonly<Record<string, string>>;
  /** The shared keep-alive pool's requests; undici's global dispatcher otherwise. */
  request?: HttpRequest;
  /** Waits before resuming a stream or reopening the GET stream. */
  clock?: Clock;
}

/** How long to wait before resuming a cut stream when the server gave no `retry` hint. */
const DEFAULT_RETRY_MS = 1000;
/**
 * A request's stream is resumed as often as the backend cuts it, as long as each connection brings
 * something new (an event id not seen before); after this many in a row that bring nothing, the
 * request fails instead of polling forever.
 */
export const MAX_IDLE_RESUMPTIONS = 10;
/** The standalone GET stream is reopened with backoff, up to this delay between attempts. */
const MAX_RECONNECT_MS = 30_000;

/**
 * A Streamable HTTP backend (MCP 2025-11-25, Transports: Streamable HTTP), spoken directly rather
 * than through the SDK's client transport: one POST per message, a JSON or SSE answer read as it
 * arrives, the session id and negotiated `MCP-Protocol-Version` on every request, a cut SSE stream
 * resumed with GET + `Last-Event-ID` until its request is answered (the server may close a stream
 * early and have the client poll: Resumability and Redelivery), and the standalone GET stream for
 * what the backend sends on its own. Nothing is validated beyond JSON-RPC framing, so
 * every field survives; the SDK's per-message schema parse was most of its cost per call.
 */
export class StreamableHttpBackend implements MessageTransport {
  onmessage?: (message: JsonRpcMessage) => void;
  onerror?: (error: Error) => void;
  onclose?: (reason: string) => void;
  private readonly url: URL;
  private readonly request: HttpRequest;
  private readonly clock: Clock;
  private readonly abort = sessionAbort();
  private sessionId: string | undefined;
  private protocolVersion: string | undefined;
  private closed = false;
  private standaloneOpen = false;
  /** Requests answered with an SSE stream, until their response arrives or they are cancelled. */
  private readonly followed = new Map<JsonRpcId, Followed>();
  /** Modern requests in flight, each cancelled by aborting its own POST (MCP 2026-07-28). */
  private readonly modern = new Map<JsonRpcId, AbortController>();
  /** Modern `tools/list` requests in flight, whose answers declare `x-mcp-header` arguments. */
  private readonly toolLists = new Set<JsonRpcId>();
  /** The `x-mcp-header` declarations of the modern backend's tools, by tool name. */
  private readonly toolHeaders = new Map<string, HeaderDeclarations>();

  constructor(private readonly options: StreamableHttpBackendOptions) {
    this.url = new URL(options.url);
    this.request = options.request ?? defaultHttpRequest;
    this.clock = options.clock ?? systemClock;
  }

  async start(): Promise<void> {}

  setProtocolVersion(revision: string): void {
    this.protocolVersion = revision;
  }

  async send(message: JsonRpcMessage): Promise<void> {
    if (this.closed)
      throw new SwitchyardError('connection_closed', 'the backend connection is closed');
    // A cancelled (or timed-out) request is no longer waited for: its stream is not resumed again.
    if (isNotification(message) && message.method === Method.Cancelled) {
      const requestId = isJsonObject(message.params) ? message.params.requestId : undefined;
      const followed = this.followed.get(requestId as JsonRpcId);
      if (followed) {
        followed.cancelled = true;
        followed.body?.destroy();
      }
      // Closing a modern request's POST is its cancellation; no notification is sent (MCP
      // 2026-07-28, Transports: Streamable HTTP, Cancellation).
      const modern = this.modern.get(requestId as JsonRpcId);
      if (modern) {
        this.modern.delete(requestId as JsonRpcId);
        modern.abort();
        return;
      }
    }
    if (isRequest(message) && isModernParams(message.params)) return this.sendModern(message);
    const response = await this.request(this.url, {
      method: 'POST',
      headers: this.headers({
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      }),
      body: serializeMessage(message),
      signal: this.abort.signal,
    });
    const session = header(response, 'mcp-session-id');
    if (session) this.sessionId = session;
    if (!isOk(response)) {
      await this.refused(response, isRequest(message) && message.method === Method.Initialize);
      return;
    }
    const type = header(response, 'content-type') ?? '';
    if (type.includes('text/event-stream')) {
      if (isRequest(message)) void this.follow(response, message.id);
      else void this.readStream(response, new SseParser());
      return;
    }
    if (response.statusCode === 202 || !type.includes('json')) {
      await response.body.dump();
      if ('method' in message && message.method === Method.Initialized) this.openStandalone(0);
      return;
    }
    const text = await response.body.text();
    if (text.trim()) this.deliver(text);
  }

  /**
   * A modern POST (MCP 2026-07-28, Transports: Streamable HTTP): the routing headers computed from
   * the body (with `Mcp-Param-*` for the tool's `x-mcp-header` arguments), no session id, its own
   * abort signal, and a 4xx whose body is a JSON-RPC error delivered as that request's answer, so
   * a modern refusal (-32022, -32020) reaches the session rather than failing the transport.
   */
  private async sendModern(message: JsonRpcRequest): Promise<void> {
    const { id, method, params } = message;
    const name = isJsonObject(params) && typeof params.name === 'string' ? params.name : '';
    const declarations = method === 'tools/call' ? this.toolHeaders.get(name) : undefined;
    const controller = new AbortController();
    this.modern.set(id, controller);
    if (method === 'tools/list') this.toolLists.add(id);
    const headers: Record<string, string> = {
      ...this.options.headers,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...modernRoutingHeaders(method, params, declarations),
    };
    const response = await this.request(this.url, {
      method: 'POST',
      headers,
      body: serializeMessage(message),
      signal: AbortSignal.any([this.abort.signal, controller.signal]),
    });
    const type = header(response, 'content-type') ?? '';
    if (!isOk(response)) {
      const text = await response.body.text().catch(() => '');
      const frame = type.includes('json') ? parseFrame(text) : undefined;
      if (frame?.ok && !frame.batch && isFailureMessage(frame.message)) {
        this.deliver(JSON.stringify({ ...frame.message, id }));
        return;
      }
      this.modern.delete(id);
      this.toolLists.delete(id);
      throw new SwitchyardError(
        'backend_unavailable',
        `${this.url.origin} answered HTTP ${response.statusCode}${text ? `: ${text.slice(0, 300)}` : ''}`,
        { status: response.statusCode },
      );
    }
    if (type.includes('text/event-stream')) {
      void this.follow(response, id);
      return;
    }
    const text = await response.body.text();
    if (text.trim()) this.deliver(text);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.sessionId !== undefined) {
      // End the backend's session (DELETE) rather than leave it to expire.
      await this.request(this.url, { method: 'DELETE', headers: this.headers({}) }).then(
        (response) => response.body.dump(),
        () => {},
      );
    }
    this.abort.abort();
    this.onclose?.(`connection to ${this.url.origin} closed`);
  }

  private headers(extra: Record<string, string>): Record<string, string> {
    const headers: Record<string, string> = { ...this.options.headers, ...extra };
    if (this.sessionId !== undefined) headers['mcp-session-id'] = this.sessionId;
    if (this.protocolVersion !== undefined) headers['mcp-protocol-version'] = this.protocolVersion;
    return headers;
  }

  /**
   * A non-2xx answer, thrown as `backend_unavailable` with the status in `data`. Once a session
   * exists, 404 (the specification's answer) means the backend forgot it; so does a 400 that names
   * the session (what the reference server-everything answers). Before a session exists, either is
   * a wrong URL or request, not an expiry.
   */
  private async refused(response: Dispatcher.ResponseData, initializing: boolean): Promise<never> {
    const text = (await response.body.text().catch(() => '')).slice(0, 300);
    const status = response.statusCode;
    const forgotten = status === 404 || (status === 400 && /session/i.test(text));
    if (forgotten && this.sessionId !== undefined && !initializing) {
      this.onclose?.(BACKEND_SESSION_EXPIRED);
    }
    // Redirects are never followed (docs/security.md, "Backend-supplied URLs"): the configured
    // URL is the only one this transport sends to, so a backend cannot point it elsewhere.
    const location = status >= 300 && status < 400 ? header(response, 'location') : undefined;
    throw new SwitchyardError(
      'backend_unavailable',
      location !== undefined
        ? `${this.url.origin} answered HTTP ${status}: redirect to ${location} not followed`
        : `${this.url.origin} answered HTTP ${status}${text ? `: ${text}` : ''}`,
      { status },
    );
  }

  /** Hands on what one frame holds; returns the messages delivered. */
  private deliver(data: string): JsonRpcMessage[] {
    const frame = parseFrame(data);
    if (!frame.ok) {
      this.onerror?.(
        new SwitchyardError(
          frame.error.error.code === ErrorCode.ParseError ? 'parse_error' : 'invalid_request',
          `the backend sent a malformed message: ${frame.error.error.message}`,
        ),
      );
      return [];
    }
    // A 2025-03-26 backend may batch what it sends; each message goes on alone.
    const messages = frame.batch
      ? frame.items.flatMap((item) => (item.ok ? [item.message] : []))
      : [frame.message];
    for (const message of messages) {
      if (isResponse(message) && message.id !== null) {
        const followed = this.followed.get(message.id);
        if (followed) followed.answered = true;
        this.modern.delete(message.id);
        if (this.toolLists.delete(message.id) && 'result' in message) this.remember(message.result);
      }
      this.onmessage?.(message);
    }
    return messages;
  }

  /**
   * Keeps the `x-mcp-header` declarations of a modern `tools/list` page, for the `Mcp-Param-*`
   * headers of later calls (tools with invalid declarations are not listed: the session drops
   * them, so they are never called).
   */
  private remember(result: unknown): void {
    const tools = isJsonObject(result) && Array.isArray(result.tools) ? result.tools : [];
    for (const tool of tools) {
      const declarations = headerDeclarations(tool);
      if (declarations && isJsonObject(tool) && typeof tool.name === 'string') {
        if (declarations.length > 0) this.toolHeaders.set(tool.name, declarations);
        else this.toolHeaders.delete(tool.name);
      }
    }
  }

  /**
   * Follows the SSE stream of request `id` until its response arrives: when the stream ends first
   * (the backend cut it on purpose and expects the client to poll, or the connection broke), it
   * is resumed with GET + `Last-Event-ID` after the backend's `retry` hint, as often as needed
   * (MCP 2025-11-25, Transports: Streamable HTTP, Resumability and Redelivery). A stream that
   * cannot be resumed (no event id, a refused GET, {@link MAX_IDLE_RESUMPTIONS} resumptions in a
   * row that bring nothing) fails the request with `connection_closed` rather than leave it
   * waiting. A cancelled request's stream is let go at once.
   */
  private async follow(first: Dispatcher.ResponseData, id: JsonRpcId): Promise<void> {
    const state: Followed = { answered: false, cancelled: false };
    this.followed.set(id, state);
    const waiting = () => !this.closed && !state.answered && !state.cancelled;
    let parser = new SseParser();
    let response: Dispatcher.ResponseData | undefined = first;
    let idle = 0;
    // The POST's own stream is read to its end, which the backend marks; a resumed one is let go
    // once the answer is in, since a backend may keep a replayed stream open after replaying it.
    let resumed = false;
    try {
      for (;;) {
        const before = parser.lastEventId;
        state.body = response.body;
        await this.readStream(
          response,
          parser,
          resumed ? () => !waiting() : () => this.closed || state.cancelled,
        );
        if (!waiting()) return;
        const lastEventId = parser.lastEventId;
        if (lastEventId === undefined) return this.fail(id, 'with no event id to resume from');
        idle = resumed && lastEventId === before ? idle + 1 : 0;
        if (idle >= MAX_IDLE_RESUMPTIONS) {
          return this.fail(id, `${idle} times in a row without sending anything new`);
        }
        await sleep(this.clock, parser.retryMs ?? DEFAULT_RETRY_MS);
        if (!waiting()) return;
        let refusal = 'it serves no GET streams (405)';
        response = await this.get(lastEventId).catch((error: unknown) => {
          refusal = error instanceof Error ? error.message : String(error);
          return undefined;
        });
        if (!waiting()) {
          response?.body.destroy();
          return;
        }
        if (!response) {
          return this.fail(id, `and resuming it after event ${lastEventId} failed: ${refusal}`);
        }
        parser = SseParser.resuming(parser);
        resumed = true;
      }
    } finally {
      this.followed.delete(id);
    }
  }

  /** Answers request `id` with `connection_closed`: its stream ended for good without a response. */
  private fail(id: JsonRpcId, why: string): void {
    this.modern.delete(id);
    this.onmessage?.(
      failure(
        id,
        'connection_closed',
        `${this.url.origin} ended the stream of request ${String(id)} before answering it, ${why}`,
      ),
    );
  }

  /**
   * Reads one SSE stream, delivering every message, until it ends or `done()` holds; a broken
   * connection counts as an end (reported unless `done()` explains it). What resumption needs
   * (the last event id, the `retry` hint) stays in `parser`, whose last event id is returned.
   */
  private async readStream(
    response: Dispatcher.ResponseData,
    parser: SseParser,
    done?: () => boolean,
  ): Promise<string | undefined> {
    try {
      for await (const value of response.body) {
        for (const data of parser.push(value as Buffer)) this.deliver(data);
        // Leaving the loop destroys the body, which frees its connection.
        if (done?.()) break;
      }
    } catch (error) {
      if (!this.closed && !done?.()) {
        this.onerror?.(error instanceof Error ? error : new Error(String(error)));
      }
    }
    return parser.lastEventId;
  }

  /** A GET stream: the standalone one, or a resumption after `lastEventId`. */
  private async get(lastEventId?: string): Promise<Dispatcher.ResponseData | undefined> {
    const headers = this.headers({ accept: 'text/event-stream' });
    if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
    const response = await this.request(this.url, {
      method: 'GET',
      headers,
      signal: this.abort.signal,
    });
    // 405: the backend has no GET streams, which the specification allows.
    if (response.statusCode === 405) {
      await response.body.dump();
      return undefined;
    }
    if (!isOk(response)) await this.refused(response, false);
    return response;
  }

  /**
   * Opens (and keeps open) the standalone GET stream, where the backend sends what belongs to no
   * request: `list_changed`, log messages, its own requests. Reopened with backoff when it drops.
   */
  private openStandalone(attempt: number, lastEventId?: string): void {
    if (this.closed || this.standaloneOpen) return;
    this.standaloneOpen = true;
    void (async () => {
      let next = attempt;
      let resumeAfter = lastEventId;
      try {
        // Reopened after the last event seen, so what the backend sent meanwhile is replayed.
        const response = await this.get(resumeAfter);
        if (!response) return;
        next = 0;
        resumeAfter = (await this.readStream(response, new SseParser())) ?? resumeAfter;
      } catch (error) {
        if (!this.closed) this.onerror?.(error instanceof Error ? error : new Error(String(error)));
        // The backend may not know that event any more: start afresh next time.
        resumeAfter = undefined;
      } finally {
        this.standaloneOpen = false;
      }
      if (this.closed) return;
      await sleep(this.clock, Math.min(MAX_RECONNECT_MS, DEFAULT_RETRY_MS * 2 ** next));
      this.openStandalone(next + 1, resumeAfter);
    })();
  }
}

/** What the transport knows of one request answered with an SSE stream. */
interface Followed {
  answered: boolean;
  cancelled: boolean;
  /** The body being read now, destroyed when the request is cancelled. */
  body?: Dispatcher.ResponseData['body'];
}

function isFailureMessage(message: JsonRpcMessage): boolean {
  return 'error' in message && isJsonObject(message.error);
}

function isOk(response: Dispatcher.ResponseData): boolean {
  return response.statusCode >= 200 && response.statusCode < 300;
}

/** One response header as a string (undici gives repeated headers as arrays). */
function header(response: Dispatcher.ResponseData, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
