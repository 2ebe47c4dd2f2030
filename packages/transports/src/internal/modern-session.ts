import {
  canonicalJson,
  isJsonObject,
  type JsonObject,
  type JsonRpcId,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type JsonRpcResponse,
  Method,
  MODERN_RELAYED_CAPABILITIES,
  type ModernEnvelope,
  relayedCapabilities,
} from '@switchyard/protocol';
import type { FrontSession } from '../front-session.js';

/** One modern request, as a front hands it over. */
export interface ModernCall {
  request: JsonRpcRequest;
  envelope: ModernEnvelope;
  principal?: string | undefined;
  /** Notifications that belong to the request (progress, logs it asked for), in order. */
  notify?: (notification: JsonRpcNotification) => void;
  /** Tells when the client gives up on the request (its HTTP request closed, or cancelled). */
  cancelled?: Cancellation;
}

/**
 * How a front tells the bridge that its client gave up on a request: the listener runs once when
 * it does (at once if it already has), and the function returned stops listening. A function
 * rather than an `AbortSignal`: the HTTP front would otherwise make an `AbortController` and an
 * event listener or two for every call, which docs/performance.md ("Eras") found among what made
 * a modern call dearer than a legacy one.
 */
export type Cancellation = (listener: () => void) => () => void;

const keepListening = () => {};

/** The cancellation an `AbortSignal` tells. */
export function signalCancellation(signal: AbortSignal): Cancellation {
  return (listener) => {
    if (signal.aborted) {
      listener();
      return keepListening;
    }
    signal.addEventListener('abort', listener, { once: true });
    return () => signal.removeEventListener('abort', listener);
  };
}

/**
 * The cancellation of a request over HTTP/1.1 from its connection: the connection closes before
 * the answer is written (a client cancels a fetch by closing its connection). One request at a
 * time uses a connection, and each stops listening when it is answered.
 */
export function connectionCancellation(connection: CancellableConnection): Cancellation {
  return (listener) => {
    if (connection.destroyed) {
      listener();
      return keepListening;
    }
    connection.once('close', listener);
    return () => {
      connection.off('close', listener);
    };
  };
}

/** What {@link connectionCancellation} needs of a `net.Socket`. */
export interface CancellableConnection {
  readonly destroyed: boolean;
  once(event: 'close', listener: () => void): unknown;
  off(event: 'close', listener: () => void): unknown;
}

/** A cancellation its owner triggers (`cancel`), e.g. when an SSE answer's reader goes away. */
export function ownCancellation(): { cancel: () => void; cancelled: Cancellation } {
  let done = false;
  const listeners = new Set<() => void>();
  return {
    cancel() {
      if (done) return;
      done = true;
      for (const listener of [...listeners]) listener();
      listeners.clear();
    },
    cancelled(listener) {
      if (done) {
        listener();
        return keepListening;
      }
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}

/** One request in flight on an internal session, by the id the bridge gave it. */
export interface Waiting {
  clientId: JsonRpcId;
  settle: (answer: JsonRpcResponse) => void;
  /** Where the request's own notifications (progress, logs) go, if anywhere. */
  notify: ((notification: JsonRpcNotification) => void) | undefined;
  /** The log level the request asked for (`_meta["io.modelcontextprotocol/logLevel"]`). */
  logLevel: string | undefined;
  /** For a call that may take input (MRTR): where the backend's requests during it go. */
  ask?: (request: JsonRpcRequest) => void;
}

/** A legacy-canonical client session of the router that serves modern requests. */
export interface InternalSession {
  key: string;
  front: FrontSession;
  /** The router's answer to the synthetic `initialize`: its result, or why it failed. */
  ready: Promise<JsonRpcResponse>;
  /** That answer, once it has come. */
  answered?: JsonRpcResponse;
  waiting: Map<JsonRpcId, Waiting>;
  idleTimer: unknown;
  /** When it last had nothing in flight (on the bridge's clock). */
  quietSince: number;
  /** Where notifications that belong to no request go: the listen stream this session serves. */
  listener?: ((notification: JsonRpcNotification) => void) | undefined;
}

/**
 * What a modern client cannot be given (MCP 2026-07-28 has no server requests outside MRTR and
 * no session-wide logs; docs/protocol-versions.md, "The modern era (2026-07-28)"):
 * - `request_outside_call`: a backend request related to no call the bridge is serving;
 * - `request_without_mrtr`: one during a method that cannot return `input_required`;
 * - `log_not_requested`: a log message for no request that asked for logs (`…/logLevel`);
 * - `log_below_level`: one below the level its request asked for.
 */
export type ModernDropReason =
  | 'request_outside_call'
  | 'request_without_mrtr'
  | 'log_not_requested'
  | 'log_below_level';

/** One message the bridge could not deliver to a modern client, and its method. */
export interface ModernDrop {
  reason: ModernDropReason;
  method: string;
}

/**
 * A principal's modern clients reached {@link MAX_CLIENT_SESSIONS} programs with sessions of their
 * own, and a session shared by the further ones opened: `clientInfo` is the envelope's of the
 * request that opened it (the first program past the limit), as the client sent it.
 */
export interface ModernShared {
  principal: string | undefined;
  clientInfo: JsonObject | undefined;
  limit: number;
}

/**
 * Gives up on the internal request `id`: forgets it and tells the router
 * (`notifications/cancelled`), which cancels it at its backend. False when it had already ended.
 */
export function cancelInternal(session: InternalSession, id: string, reason: string): boolean {
  if (!session.waiting.delete(id)) return false;
  session.front.handle({
    jsonrpc: '2.0',
    method: Method.Cancelled,
    params: { requestId: id, reason },
  });
  return true;
}

/**
 * The request the bridge sends on an internal session, under its own id. Built key by key: an
 * object spread here cost a few µs per call (docs/performance.md, "Eras").
 */
export function requestOf(
  id: string,
  message: Omit<JsonRpcRequest, 'jsonrpc' | 'id'>,
): JsonRpcRequest {
  const request: JsonRpcRequest = { jsonrpc: '2.0', id, method: message.method };
  if (message.params !== undefined) request.params = message.params;
  return request;
}

/** One principal's tool list: being read, and its schemas once read. */
export interface ToolList {
  reading: Promise<Map<string, JsonObject> | undefined>;
  schemas?: Map<string, JsonObject>;
}

/**
 * Which client an internal session serves: the `name` and `version` of the envelope's
 * `clientInfo` (MCP 2026-07-28, Basic: `_meta`), or `''` when it names none. Modern requests of
 * one principal and profile but of different client programs go through sessions of their own, so
 * that the router's sessions, the backends' `initialize` and context tracing's responses (one per
 * client session: docs/tracing.md, "Modern clients") tell them apart.
 */
export function clientOf(clientInfo: JsonObject | undefined): string {
  if (!clientInfo) return '';
  const { name, version } = clientInfo;
  // Ends in a NUL, so that no client's key ends like a shared session's (SHARED).
  return typeof name === 'string'
    ? `${name}\u0000${typeof version === 'string' ? version : ''}\u0000`
    : '';
}

/**
 * Internal sessions one principal may hold for distinct client programs; the requests of any
 * further one share a session of their profile (`clientInfo` is the client's to choose, so it
 * must not open sessions without bound).
 */
export const MAX_CLIENT_SESSIONS = 32;

/**
 * The key of the internal session that serves `call` among `sessions`: its principal, profile and
 * {@link clientOf}; past {@link MAX_CLIENT_SESSIONS} of the principal, the key of a session its
 * profile shares, which ends in {@link SHARED} (open it with {@link sharedCall}).
 */
export function internalKeyOf(sessions: ReadonlyMap<string, unknown>, call: ModernCall): string {
  const shared = `${call.principal ?? ''}\n${profileOf(call.envelope.capabilities)}\n`;
  const key = shared + clientOf(call.envelope.clientInfo);
  if (sessions.has(key)) return key;
  const prefix = `${call.principal ?? ''}\n`;
  let held = 0;
  for (const other of sessions.keys()) if (other.startsWith(prefix)) held++;
  return held < MAX_CLIENT_SESSIONS ? key : shared + SHARED;
}

/** What the key of a session shared by the clients of a profile ends in. */
export const SHARED = '*';

/** The call a shared session is opened with: as no client in particular. */
export function sharedCall(call: ModernCall): ModernCall {
  return { ...call, envelope: { ...call.envelope, clientInfo: undefined } };
}

/**
 * The capability profile an internal session is shared by: the relayed capabilities as stable
 * JSON. A client that declares none of them (most calls of most clients) costs no JSON.
 */
export function profileOf(capabilities: JsonObject): string {
  for (const key of MODERN_RELAYED_CAPABILITIES) {
    if (key in capabilities) return canonicalJson(relayedCapabilities(capabilities));
  }
  return '{}';
}

/**
 * The `inputSchema` of every tool, by name, from every page of `tools/list` served to `call`'s
 * principal through `request`; undefined when a page fails.
 */
export async function listToolSchemas(
  request: (call: ModernCall) => Promise<JsonRpcResponse>,
  call: ModernCall,
): Promise<Map<string, JsonObject> | undefined> {
  const schemas = new Map<string, JsonObject>();
  let cursor: unknown;
  for (let page = 0; page < 100; page++) {
    const params = typeof cursor === 'string' ? { cursor } : {};
    const list = { jsonrpc: '2.0' as const, id: call.request.id, method: Method.ToolsList, params };
    const answer = await request({ ...call, request: list });
    if (!('result' in answer) || !Array.isArray(answer.result.tools)) return undefined;
    for (const tool of answer.result.tools) {
      if (isJsonObject(tool) && typeof tool.name === 'string' && isJsonObject(tool.inputSchema))
        schemas.set(tool.name, tool.inputSchema);
    }
    cursor = answer.result.nextCursor;
    if (typeof cursor !== 'string') break;
  }
  return schemas;
}
