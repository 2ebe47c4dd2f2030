import { randomUUID } from 'node:crypto';
import {
  ErrorCode,
  errorResponse,
  featuresOf,
  isRequest,
  isResponse,
  type JsonRpcFailure,
  type JsonRpcId,
  type JsonRpcMessage,
  type JsonRpcResponse,
  type MessageCheck,
  Method,
  parseValue,
  resolveRevision,
} from '@switchyard/protocol';
import type { FrontSession, OpenSession } from './transport.js';

export interface StreamableHttpFrontOptions {
  openSession: OpenSession;
  /** Largest request body accepted (spec T5, default 4 MiB); larger bodies get 413 unread. */
  maxMessageBytes?: number;
  /** Mints session ids; the proxy's own, never a backend's (protocol.md §4.3). */
  generateSessionId?: () => string;
}

/** The MCP Streamable HTTP endpoint as a web-standard handler, mountable in Hono or any server. */
export interface StreamableHttpFront {
  handle(request: Request): Promise<Response>;
  /** Ends every session (shutdown). */
  close(): void;
  readonly sessionCount: number;
}

const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
};
const encoder = new TextEncoder();

function json(body: unknown, status: number, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

function failure(status: number, code: number, message: string): Response {
  return json(errorResponse(null, code, message), status);
}

/** One open SSE response: a stream of `message` events. */
class SseStream {
  private controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  private done = false;
  readonly response: Response;

  constructor(headers: Record<string, string>, onCancel: () => void) {
    const stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.controller = controller;
      },
      cancel: () => {
        this.done = true;
        onCancel();
      },
    });
    this.response = new Response(stream, { status: 200, headers: { ...SSE_HEADERS, ...headers } });
  }

  push(message: JsonRpcMessage): void {
    if (this.done) return;
    this.controller?.enqueue(
      encoder.encode(`event: message\ndata: ${JSON.stringify(message)}\n\n`),
    );
  }

  end(): void {
    if (this.done) return;
    this.done = true;
    this.controller?.close();
  }
}

/**
 * The messages one POST is waiting for: the responses to its requests, plus (in SSE mode) what
 * belongs to them, such as progress notifications.
 */
class PostChannel {
  private readonly pending: Set<JsonRpcId>;
  private readonly collected: JsonRpcResponse[] = [];
  private resolveJson: ((response: Response) => void) | undefined;

  constructor(
    private readonly order: JsonRpcId[],
    private readonly early: JsonRpcFailure[],
    private readonly batch: boolean,
    private readonly sse: SseStream | undefined,
    private readonly headers: Record<string, string>,
    private readonly release: (channel: PostChannel) => void,
  ) {
    this.pending = new Set(order);
    for (const error of early) sse?.push(error);
  }

  /** The response to return for this POST: the SSE stream at once, or the JSON body when complete. */
  response(): Promise<Response> {
    if (this.sse) return Promise.resolve(this.sse.response);
    return new Promise((resolve) => {
      this.resolveJson = resolve;
    });
  }

  deliver(message: JsonRpcMessage): boolean {
    if (isResponse(message)) {
      if (message.id === null || !this.pending.delete(message.id)) return false;
      if (this.sse) this.sse.push(message);
      else this.collected.push(message);
      if (this.pending.size === 0) this.complete();
      return true;
    }
    if (!this.sse) return false;
    this.sse.push(message);
    return true;
  }

  /** The session ended first: its cancelled requests will never be answered, so stop waiting. */
  abort(): void {
    this.release(this);
    if (this.sse) {
      this.sse.end();
      return;
    }
    this.resolveJson?.(
      failure(404, ErrorCode.RequestTimeout, 'Session not found: the session was terminated'),
    );
  }

  private complete(): void {
    this.release(this);
    if (this.sse) {
      this.sse.end();
      return;
    }
    // A batch is answered in the order of its requests, whatever order the backends answered in.
    const rank = (id: JsonRpcId | null) => (id === null ? -1 : this.order.indexOf(id));
    this.collected.sort((a, b) => rank(a.id) - rank(b.id));
    const all = [...this.early, ...this.collected];
    this.resolveJson?.(json(this.batch ? all : all[0], 200, this.headers));
  }
}

/** The proxy-side state of one Streamable HTTP session. */
class HttpSession {
  readonly channels = new Map<JsonRpcId, PostChannel>();
  standalone: SseStream | undefined;
  front!: FrontSession;

  constructor(readonly id: string) {}

  route(message: JsonRpcMessage, related: JsonRpcId | undefined): void {
    const key = isResponse(message) ? message.id : related;
    const channel = key === undefined || key === null ? undefined : this.channels.get(key);
    if (channel?.deliver(message)) return;
    // Not tied to an open POST (list_changed, log messages): the standalone GET stream, if any.
    if (!isResponse(message)) this.standalone?.push(message);
  }
}

/** Reads a body up to `limit` bytes; undefined when it is larger (the rest is never read). */
async function readLimited(request: Request, limit: number): Promise<string | undefined> {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) return undefined;
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function accepts(request: Request): { json: boolean; sse: boolean } {
  const accept = request.headers.get('accept');
  if (!accept || accept.includes('*/*')) return { json: true, sse: true };
  return { json: accept.includes('application/json'), sse: accept.includes('text/event-stream') };
}

function hasProgressToken(message: JsonRpcMessage): boolean {
  if (!isRequest(message)) return false;
  const meta = message.params?._meta;
  return typeof meta === 'object' && meta !== null && 'progressToken' in meta;
}

/**
 * Creates the Streamable HTTP front (spec T2): POST carries client messages, GET opens the
 * standalone stream for server-initiated messages, DELETE ends the session. Responses are JSON
 * when the client accepts it and nothing needs streaming (cheaper, and what most clients prefer);
 * SSE when the client asked for progress or accepts only SSE.
 */
export function createStreamableHttpFront(
  options: StreamableHttpFrontOptions,
): StreamableHttpFront {
  const sessions = new Map<string, HttpSession>();
  const maxBytes = options.maxMessageBytes ?? 4 * 1024 * 1024;
  const newId = options.generateSessionId ?? randomUUID;

  function lookup(request: Request): HttpSession | Response {
    const id = request.headers.get('mcp-session-id');
    if (!id)
      return failure(
        400,
        ErrorCode.InvalidRequest,
        'Bad Request: Mcp-Session-Id header is required',
      );
    const session = sessions.get(id);
    if (!session)
      return failure(404, ErrorCode.RequestTimeout, 'Session not found: initialize a new session');
    return session;
  }

  function open(): HttpSession {
    const session = new HttpSession(newId());
    session.front = options.openSession((message, related) => session.route(message, related), {
      transport: 'streamable-http',
      sessionId: session.id,
    });
    sessions.set(session.id, session);
    return session;
  }

  function end(session: HttpSession): void {
    sessions.delete(session.id);
    for (const channel of new Set(session.channels.values())) channel.abort();
    session.standalone?.end();
    session.front.close();
  }

  async function post(request: Request): Promise<Response> {
    const type = request.headers.get('content-type') ?? '';
    if (!type.includes('application/json')) {
      return failure(
        415,
        ErrorCode.InvalidRequest,
        'Unsupported Media Type: Content-Type must be application/json',
      );
    }
    const accept = accepts(request);
    if (!accept.json && !accept.sse) {
      return failure(
        406,
        ErrorCode.InvalidRequest,
        'Not Acceptable: accept application/json or text/event-stream',
      );
    }
    const version = request.headers.get('mcp-protocol-version');
    if (version !== null && !resolveRevision(version)) {
      return failure(
        400,
        ErrorCode.InvalidRequest,
        `Bad Request: unsupported MCP-Protocol-Version ${version}`,
      );
    }
    const body = await readLimited(request, maxBytes);
    if (body === undefined) {
      return failure(
        413,
        ErrorCode.InvalidRequest,
        `Payload Too Large: the limit is ${maxBytes} bytes`,
      );
    }
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch {
      return failure(400, ErrorCode.ParseError, 'Parse error: invalid JSON');
    }
    const frame = parseValue(value);
    if (!frame.ok) return json(frame.error, 400);
    const items: MessageCheck[] = frame.batch
      ? frame.items
      : [{ ok: true, message: frame.message }];
    const initialize = items.find(
      (item) => item.ok && isRequest(item.message) && item.message.method === Method.Initialize,
    );

    let session: HttpSession;
    if (initialize) {
      if (frame.batch)
        return failure(
          400,
          ErrorCode.InvalidRequest,
          'Invalid Request: initialize must not be batched',
        );
      if (request.headers.has('mcp-session-id')) {
        return failure(
          400,
          ErrorCode.InvalidRequest,
          'Bad Request: initialize must not carry an Mcp-Session-Id',
        );
      }
      session = open();
    } else {
      const found = lookup(request);
      if (found instanceof Response) return found;
      session = found;
      const revision = resolveRevision(session.front.revision);
      if (frame.batch && !(revision && featuresOf(revision).batches)) {
        return failure(
          400,
          ErrorCode.InvalidRequest,
          `Invalid Request: batches are not allowed in revision ${revision ?? 'unknown'}`,
        );
      }
    }

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
      return json(frame.batch ? early : early[0], 400, headers);
    }
    const useSse = accept.sse && (!accept.json || requests.some(hasProgressToken));
    const release = (done: PostChannel) => {
      for (const r of requests)
        if (session.channels.get(r.id) === done) session.channels.delete(r.id);
    };
    const sse = useSse ? new SseStream(headers, () => release(channel)) : undefined;
    const channel = new PostChannel(
      requests.map((r) => r.id),
      early,
      frame.batch,
      sse,
      headers,
      release,
    );
    for (const r of requests) session.channels.set(r.id, channel);
    const response = channel.response();
    for (const message of messages) session.front.handle(message);
    return response;
  }

  function get(request: Request): Response {
    if (!accepts(request).sse) {
      return failure(
        406,
        ErrorCode.InvalidRequest,
        'Not Acceptable: GET needs Accept: text/event-stream',
      );
    }
    const found = lookup(request);
    if (found instanceof Response) return found;
    if (found.standalone)
      return failure(
        409,
        ErrorCode.InvalidRequest,
        'Conflict: this session already has a GET stream',
      );
    const stream = new SseStream({ 'mcp-session-id': found.id }, () => {
      if (found.standalone === stream) found.standalone = undefined;
    });
    found.standalone = stream;
    return stream.response;
  }

  function remove(request: Request): Response {
    const found = lookup(request);
    if (found instanceof Response) return found;
    end(found);
    return new Response(null, { status: 200 });
  }

  return {
    async handle(request) {
      switch (request.method) {
        case 'POST':
          return post(request);
        case 'GET':
          return get(request);
        case 'DELETE':
          return remove(request);
        default:
          return new Response(null, { status: 405, headers: { allow: 'GET, POST, DELETE' } });
      }
    },
    close() {
      for (const session of [...sessions.values()]) end(session);
    },
    get sessionCount() {
      return sessions.size;
    },
  };
}
