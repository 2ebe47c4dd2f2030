import {
  checkEnvelope,
  checkRoutingHeaders,
  failure,
  httpStatusOf,
  isJsonObject,
  isNotification,
  isRefusal,
  isRequest,
  type JsonRpcId,
  type JsonRpcMessage,
  type JsonRpcNotification,
  type JsonRpcResponse,
  LISTEN_METHOD,
  Method,
  type ModernRefusal,
  readEnvelope,
  serializeMessage,
} from '@switchyard/protocol';
import type { ModernBridge, ModernCall } from '../modern-bridge.js';
import { jsonResponse } from './http-response.js';

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

/** Whether a request asks for progress, which only an SSE answer can carry. */
function wantsProgress(params: unknown): boolean {
  return isJsonObject(params) && isJsonObject(params._meta) && 'progressToken' in params._meta;
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
  const envelope = checkEnvelope(message.method, message.params);
  if (isRefusal(envelope)) return refusalResponse(message.id, envelope);
  const call: ModernCall = { request: message, envelope, principal, signal: request.signal };
  if (message.method === LISTEN_METHOD) {
    if (sse) return sseAnswer(bridge, call);
    return refusalResponse(message.id, {
      name: 'not_acceptable',
      message: 'Not Acceptable: subscriptions/listen is answered as text/event-stream',
    });
  }
  if (!(sse && wantsProgress(message.params))) {
    return jsonResponse(await serveModern(bridge, call), 200);
  }
  return sseAnswer(bridge, call);
}

/** An SSE answer: the request's progress as it comes, then its answer; closing it cancels. */
function sseAnswer(bridge: ModernBridge, call: ModernCall): Response {
  const encoder = new TextEncoder();
  const abort = new AbortController();
  call.signal?.addEventListener('abort', () => abort.abort());
  let open = true;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (m: JsonRpcNotification | JsonRpcResponse) => {
        if (open)
          controller.enqueue(encoder.encode(`event: message\ndata: ${serializeMessage(m)}\n\n`));
      };
      void serveModern(bridge, { ...call, notify: send, signal: abort.signal }).then((answer) => {
        send(answer);
        if (open) controller.close();
        open = false;
      });
    },
    cancel() {
      open = false;
      abort.abort();
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
