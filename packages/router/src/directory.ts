import type {
  BackendState,
  JsonObject,
  JsonRpcNotification,
  JsonRpcRequest,
} from '@switchyard/protocol';
import type { BackendSession } from './backend-session.js';
import type { Outcome } from './outcome.js';

/** What the router needs to know about one configured backend. */
export interface BackendEntry {
  readonly name: string;
  /**
   * The router routes to `running` backends only, waits a bounded time for `starting` ones, and
   * answers for the rest with an error naming the state.
   */
  readonly state: BackendState;
  /** Namespace prefix (default: the name). */
  readonly prefix: string;
  /** Higher wins a name collision under the `none` naming strategy; ties go to config order. */
  readonly priority: number;
  /** Why the backend is not running (exit code, spawn error), shown to clients in errors. */
  readonly reason?: string | undefined;
  readonly session?: BackendSession | undefined;
  /** Stopped, but started when a request needs it (lazy start and idle stop: docs/operations.md). */
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
 * The client session a private backend session belongs to (docs/architecture.md, "Backend sessions
 * per client"): what to declare to the backend, and where its requests and notifications go.
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
  /**
   * The entry of one backend, as `list()` has it. Optional, but a directory of many backends
   * should have it: every call looks up its backend, and building the whole list for that costs
   * an entry per configured backend on each call.
   */
  entry?(name: string): BackendEntry | undefined;
  /** Starts an `onDemand` backend; settles when it is up or has failed. */
  wake?(name: string): Promise<void>;
  /** A request is going to this backend (resets its idle timer). */
  touch?(name: string): void;
  /**
   * Whether events of `backend` concern routers over this directory (`RouterOptions.hub`).
   * Default: every backend's do; a per-server endpoint's directory covers its own backend only.
   */
  covers?(backend: string): boolean;
}
