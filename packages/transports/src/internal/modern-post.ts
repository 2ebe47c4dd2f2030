import {
  type Clock,
  checkEnvelope,
  checkParamHeaders,
  checkRoutingHeaders,
  ERRORS,
  failure,
  hasValidParamHeaders,
  httpStatusOf,
  isJsonObject,
  isNotification,
  isRefusal,
  isRequest,
  type JsonObject,
  type JsonRpcId,
  type JsonRpcMessage,
  type JsonRpcNotification,
  type JsonRpcResponse,
  LISTEN_METHOD,
  Method,
  type ModernRefusal,
  readEnvelope,
  readParamHeaders,
  requestedLogLevel,
  serializeMessage,
  systemClock,
} from '@switchyard/protocol';
import type { ModernBridge, ModernCall } from '../modern-bridge.js';
import { jsonResponse } from './http-response.js';
import {
  type CancellableConnection,
  connectionCancellation,
  ownCancellation,
  signalCancellation,
} from './modern-session.js';

/** The HTTP answer refusing a modern request: the status the error table gives its error. */
export function refusalResponse(id: JsonRpcId | null, refusal: ModernRefusal): Response {
  return jsonResponse(
    failure(id, refusal.name, refusal.message, refusal.data),
    httpStatusOf(refusal.name),
  );
}

/**
 * Serves one admitted modern request: `server/discover` and `subscriptions/listen` by the bridge
 * itself, the rest through the router.
 */
export function serveModern(bridge: ModernBridge, call: ModernCall): Promise<JsonRpcResponse> {
  if (call.request.method === 'server/discover') return bridge.discover(call);
  if (call.request.method === LISTEN_METHOD) return bridge.listen(call);
  return bridge.request(call);
}

/** How the modern HTTP front runs its streams. */
export interface ModernPostOptions {
  /** Schedules the keep-alive comments of `subscriptions/listen` streams. */
  clock: Clock;
  /** How often a listen stream gets a `: keep-alive` comment (default 15 s). */
  keepAliveMs?: number;
  /**
   * The connection the request came on, when the front has it: its closing cancels the request,
   * without the web `Request`'s `AbortSignal` (made on first use, for every request).
   */
  connection?: CancellableConnection | null | undefined;
}

/**
 * The keep-alive period of a listen stream: under the idle timeouts of common intermediaries
 * (nginx's 60 s `proxy_read_timeout`) and the SDK's own default (MCP 2026-07-28, Transports:
 * Streamable HTTP, Receiving Messages, which recommends SSE comments as keep-alives).
 */
export const KEEP_ALIVE_MS = 15_000;

/**
 * Errors an answer may carry that MCP 2026-07-28 gives an HTTP status of their own (Transports:
 * Streamable HTTP, Backward Compatibility: 400 for a missing client capability, an unsupported
 * version or a header mismatch), whoever raised them: the proxy, or a backend behind it.
 */
const ERROR_STATUS = new Map<number, number>(
  (['missing_client_capability', 'unsupported_protocol_version', 'header_mismatch'] as const).map(
    (name) => [ERRORS[name].jsonRpc, ERRORS[name].http],
  ),
);

/**
 * Checks the `Mcp-Param-*` headers of a `tools/call` against the `x-mcp-header` declarations of
 * the tool as its principal lists it (MCP 2026-07-28, Transports: Streamable HTTP, Server
 * Behavior for Custom Headers). A tool with invalid declarations is not listed to modern HTTP
 * clients, and one the aggregate does not have is refused by the router: neither is checked.
 */
function paramHeaderMismatch(
  bridge: ModernBridge,
  call: ModernCall,
  request: Request,
): ModernRefusal | undefined | Promise<ModernRefusal | undefined> {
  const params = call.request.params;
  if (!isJsonObject(params) || typeof params.name !== 'string') return undefined;
  const check = (schema: JsonObject | undefined) => {
    const declared = readParamHeaders(schema);
    if (!declared.valid) return undefined;
    return checkParamHeaders(
      (name) => request.headers.get(name),
      declared.headers,
      params.arguments,
    );
  };
  // The tool list is read once per principal: after that the check needs no turn of its own.
  const schema = bridge.toolInputSchema(call, params.name);
  return schema instanceof Promise ? schema.then(check) : check(schema);
}

/**
 * Serves a request for an HTTP client: `tools/list` leaves out tools whose `x-mcp-header`
 * declarations are invalid, which a client on Streamable HTTP must not use (MCP 2026-07-28,
 * Transports: Streamable HTTP, Schema Extension); valid declarations stay in the schemas.
 */
function serveHttp(bridge: ModernBridge, call: ModernCall): Promise<JsonRpcResponse> {
  const answer = serveModern(bridge, call);
  if (call.request.method !== Method.ToolsList) return answer;
  return answer.then((listed) => {
    if (!('result' in listed) || !Array.isArray(listed.result.tools)) return listed;
    const tools = listed.result.tools.filter(hasValidParamHeaders);
    return { ...listed, result: { ...listed.result, tools } };
  });
}

/**
 * Whether a request asks for progress or log messages (`…/logLevel`, MCP 2026-07-28, Server
 * Utilities: Logging), which only an SSE answer can carry.
 */
function wantsProgress(params: unknown): boolean {
  if (!isJsonObject(params) || !isJsonObject(params._meta)) return false;
  return 'progressToken' in params._meta || requestedLogLevel(params) !== undefined;
}

/**
 * Answers a modern POST (MCP 2026-07-28, Transports: Streamable HTTP): no session, no event ids.
 * A notification gets 202 (`notifications/cancelled`, which HTTP clients need not send: closing
 * the response is the cancellation) or 404 for one the era does not have; a request is checked
 * (envelope, method, routing headers) and answered as JSON, or as SSE when it asked for progress
 * and the client accepts SSE; `subscriptions/listen` is always a stream, open until the client
 * closes it.
 */
export async function modernPost(
  bridge: ModernBridge,
  request: Request,
  message: JsonRpcMessage,
  principal: string | undefined,
  sse: boolean,
  options: ModernPostOptions = { clock: systemClock },
): Promise<Response> {
  if (!isRequest(message)) {
    if (!isNotification(message) || message.method === Method.Cancelled) {
      return new Response(null, { status: 202 });
    }
    return refusalResponse(null, {
      name: 'method_not_found',
      message: `Method not found: ${message.method}`,
    });
  }
  // The envelope's shape, then the headers against the body, then its version and method: a
  // header that disagrees with the body is a mismatch whatever the version (MCP 2026-07-28,
  // Transports: Streamable HTTP, Request Headers).
  const declared = readEnvelope(message.params);
  if (isRefusal(declared)) return refusalResponse(message.id, declared);
  const mismatch = checkRoutingHeaders(
    (name) => request.headers.get(name),
    message.method,
    message.params,
    declared.version,
  );
  if (mismatch) return refusalResponse(message.id, mismatch);
  const envelope = checkEnvelope(message.method, message.params, declared);
  if (isRefusal(envelope)) return refusalResponse(message.id, envelope);
  const cancelled = options.connection
    ? connectionCancellation(options.connection)
    : signalCancellation(request.signal);
  const call: ModernCall = { request: message, envelope, principal, cancelled };
  if (message.method === Method.ToolsCall) {
    const checked = paramHeaderMismatch(bridge, call, request);
    const mismatch = checked instanceof Promise ? await checked : checked;
    if (mismatch) return refusalResponse(message.id, mismatch);
  }
  if (message.method === LISTEN_METHOD) {
    if (sse) return sseAnswer(bridge, call, options);
    return refusalResponse(message.id, {
      name: 'not_acceptable',
      message: 'Not Acceptable: subscriptions/listen is answered as text/event-stream',
    });
  }
  if (!(sse && wantsProgress(message.params))) {
    const answer = await serveHttp(bridge, call);
    const status = 'error' in answer ? ERROR_STATUS.get(answer.error.code) : undefined;
    return jsonResponse(answer, status ?? 200);
  }
  return sseAnswer(bridge, call, options);
}

/**
 * An SSE answer: the request's progress as it comes, then its answer; closing it cancels. A
 * `subscriptions/listen` stream, quiet for long stretches, also gets a `: keep-alive` comment
 * every `keepAliveMs`, which clients ignore (MCP 2026-07-28, Transports: Streamable HTTP,
 * Receiving Messages).
 */
function sseAnswer(bridge: ModernBridge, call: ModernCall, options: ModernPostOptions): Response {
  const encoder = new TextEncoder();
  // Cancelled when the client goes away or stops reading the stream, whichever comes first.
  const own = ownCancellation();
  const stopListening = call.cancelled?.(own.cancel);
  const { clock } = options;
  let open = true;
  let keepAlive: unknown;
  const finish = () => {
    open = false;
    clock.clearInterval(keepAlive);
  };
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (m: JsonRpcNotification | JsonRpcResponse) => {
        if (open)
          controller.enqueue(encoder.encode(`event: message\ndata: ${serializeMessage(m)}\n\n`));
      };
      if (call.request.method === LISTEN_METHOD) {
        keepAlive = clock.setInterval(() => {
          if (open) controller.enqueue(encoder.encode(': keep-alive\n\n'));
        }, options.keepAliveMs ?? KEEP_ALIVE_MS);
      }
      void serveHttp(bridge, { ...call, notify: send, cancelled: own.cancelled }).then((answer) => {
        stopListening?.();
        send(answer);
        if (open) controller.close();
        finish();
      });
    },
    cancel() {
      finish();
      own.cancel();
    },
  });
  return new Response(stream, {
    status: 200,
    headers: {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
    },
  });
}
