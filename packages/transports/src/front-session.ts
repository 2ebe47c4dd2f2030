import type { JsonRpcMessage, SessionInfo, SessionSink } from '@switchyard/protocol';

/** The client-session side a front transport talks to (the router implements it). */
export interface FrontSession {
  /** Delivers one valid client message; answers go through the session's sink. */
  handle(message: JsonRpcMessage): void;
  /** The client went away: cancel its in-flight requests and forget its state. */
  close(): void;
  /** The revision negotiated with the client, once `initialize` has been answered. */
  readonly revision?: string | undefined;
}

/** Opens a client session for a front transport, which says which front it is. */
export type OpenSession = (sink: SessionSink, info: SessionInfo) => FrontSession;
