import type { JsonRpcId, JsonRpcMessage } from '@switchyard/protocol';

/**
 * One shape for every backend transport, the SDK's: `start`, `send`, `close` and callbacks.
 * Messages are already parsed and checked JSON-RPC; framing and size limits are the transport's job.
 */
export interface MessageTransport {
  start(): Promise<void>;
  send(message: JsonRpcMessage): Promise<void>;
  close(): Promise<void>;
  onmessage?: (message: JsonRpcMessage) => void;
  onerror?: (error: Error) => void;
  onclose?: (reason: string) => void;
  /**
   * Called once the handshake settled the revision, for transports that state it on every
   * request (the `MCP-Protocol-Version` header of Streamable HTTP, protocol.md §3).
   */
  setProtocolVersion?(revision: string): void;
}

/**
 * Where a front transport delivers what the proxy sends to one client session. `relatedRequestId`
 * names the client request a message belongs to (a progress notification, the response itself),
 * so an HTTP front can put it on that request's stream.
 */
export type SessionSink = (message: JsonRpcMessage, relatedRequestId?: JsonRpcId) => void;

/** The client-session side a front transport talks to (the router implements it). */
export interface FrontSession {
  /** Delivers one valid client message; answers go through the session's sink. */
  handle(message: JsonRpcMessage): void;
  /** The client went away: cancel its in-flight requests and forget its state. */
  close(): void;
  /** The revision negotiated with the client, once `initialize` has been answered. */
  readonly revision?: string | undefined;
}

/** What every front transport describes itself as, for session bookkeeping and metrics. */
export type FrontKind = 'stdio' | 'streamable-http' | 'sse' | 'websocket';

/** Opens a client session for a front transport. */
export type OpenSession = (
  sink: SessionSink,
  info: { transport: FrontKind; sessionId?: string },
) => FrontSession;

/** Transport-level failures, with a string code (style: typed errors). */
export class TransportError extends Error {
  constructor(
    readonly code: 'SPAWN_FAILED' | 'NOT_STARTED' | 'CLOSED' | 'MESSAGE_TOO_LARGE' | 'HTTP_STATUS',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TransportError';
  }
}
