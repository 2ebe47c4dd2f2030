import type { JsonRpcId, JsonRpcMessage } from './jsonrpc.js';

/**
 * The one transport shape of Switchyard (the SDK's `Transport`): every backend and front
 * transport implements it, and the router drives any object of it.
 */
export interface MessageTransport {
  start(): Promise<void>;
  send(message: JsonRpcMessage): Promise<void>;
  close(): Promise<void>;
  onmessage?: (message: JsonRpcMessage) => void;
  onerror?: (error: Error) => void;
  onclose?: (reason: string) => void;
  /**
   * Called once the handshake settled the revision, for transports that state it on every request
   * (the `MCP-Protocol-Version` header: MCP 2025-11-25, Transports: Streamable HTTP, Protocol
   * Version Header).
   */
  setProtocolVersion?(revision: string): void;
}

/**
 * Where a front transport delivers what the proxy sends to one client session. `related` names
 * the client request a message belongs to (a progress notification, the response itself), so an
 * HTTP front can put it on that request's stream.
 */
export type SessionSink = (message: JsonRpcMessage, related?: JsonRpcId) => void;

/** What every front transport describes itself as, for session bookkeeping and metrics. */
export type FrontKind = 'stdio' | 'streamable-http' | 'sse' | 'websocket';

/** Which front a client session came through. */
export interface SessionInfo {
  transport: FrontKind | (string & {});
  sessionId?: string;
  /**
   * Who opened the session, when the front was told (the hash of the client's key, or an
   * anonymous principal when no key is needed): see docs/security.md, "Session binding".
   */
  principal?: string;
}

/**
 * Every backend lifecycle state, in the order a dashboard lists them. See docs/operations.md,
 * "Backend states": `degraded` is running but failing health checks, `backoff` waits to restart
 * after a failure, `failed` has given up (crash loop, or restarts disabled) until started by hand.
 */
export const BACKEND_STATES = [
  'stopped',
  'starting',
  'running',
  'degraded',
  'backoff',
  'failed',
  'stopping',
] as const;

/** A backend's lifecycle state; exactly one is current per server. */
export type BackendState = (typeof BACKEND_STATES)[number];
