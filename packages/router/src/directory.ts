import type { JsonObject, JsonRpcNotification, JsonRpcRequest } from '@switchyard/protocol';
import type { BackendSession, Outcome } from './backend-session.js';

/**
 * A backend's lifecycle state (spec S1). The router routes to `running` backends only, waits a
 * bounded time for `starting` ones, and answers for the rest with an error naming the state.
 */
export type BackendState =
  | 'stopped'
  | 'starting'
  | 'running'
  | 'degraded'
  | 'backoff'
  | 'failed'
  | 'stopping';

/** What the router needs to know about one configured backend. */
export interface BackendEntry {
  readonly name: string;
  /** Namespace prefix (default: the name). */
  readonly prefix: string;
  /** Higher wins a name collision under the `none` naming strategy; ties go to config order. */
  readonly priority: number;
  readonly state: BackendState;
  /** Why the backend is not running (exit code, spawn error), shown to clients in errors (R8). */
  readonly reason?: string | undefined;
  readonly session?: BackendSession | undefined;
  /** Stopped, but started when a request needs it (lazy start, idle stop: spec S5). */
  readonly onDemand?: boolean | undefined;
  /** While starting: settles when the backend is up or has failed. */
  readonly ready?: Promise<unknown> | undefined;
  /**
   * Present for backends with a session per client (`sessions: per-client`): opens a backend
   * session that belongs to one client session alone. Calls go there; `session` above still
   * serves lists, health checks and supervision.
   */
  readonly openPrivate?: ((owner: SessionOwner) => Promise<BackendSession>) | undefined;
}

/**
 * The client session a private backend session belongs to (spec R5, protocol.md §4.3 a): what to
 * declare to the backend, and where its requests and notifications go.
 */
export interface SessionOwner {
  /** The client capabilities to declare to the backend (the owner's, where they can be relayed). */
  readonly capabilities: JsonObject;
  onRequest(session: BackendSession, request: JsonRpcRequest): Promise<Outcome>;
  onNotification(notification: JsonRpcNotification): void;
  /** The backend session ended (process exit, transport closed, client gone). */
  onClose(session: BackendSession, reason: string): void;
}

/**
 * The router's view of the backends, in config order. Implemented by whoever owns backend
 * lifecycles (the proxy app, the supervisor): the router never starts or stops a backend.
 */
export interface BackendDirectory {
  list(): readonly BackendEntry[];
  /** Starts an `onDemand` backend; settles when it is up or has failed (spec S5). */
  wake?(name: string): Promise<void>;
  /** A request is going to this backend (resets its idle timer, spec S5). */
  touch?(name: string): void;
}
