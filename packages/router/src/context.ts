import type { Logger } from '@switchyard/logging';
import type {
  Clock,
  JsonObject,
  JsonRpcId,
  JsonRpcMessage,
  JsonRpcNotification,
  JsonRpcRequest,
  LegacyRevision,
  ListMethod,
  SessionInfo,
  TranslationEvent,
} from '@switchyard/protocol';
import type { BackendGates, GateLimits, Refusal } from './admission.js';
import type { BackendSession } from './backend-session.js';
import type { Target } from './catalog.js';
import type { BackendEntry, SessionOwner } from './directory.js';
import type { Outcome } from './outcome.js';
import type { RateLimit } from './rate-limit.js';

/** What operators see of one client session (the admin API's `/api/sessions`). */
export interface SessionView {
  /** The router's own label, unique in the process; never the transport's session id. */
  readonly id: string;
  readonly info: SessionInfo;
  readonly openedAt: number;
  readonly revision: string | undefined;
  readonly clientInfo: JsonObject | undefined;
  /** Requests of this session being handled now. */
  readonly inFlight: number;
}

/** One client request about to cross to a backend (see {@link ExchangeTap}). */
export interface ExchangeEvent {
  readonly session: SessionView;
  readonly server: string;
  readonly method: string;
  /** The client's JSON-RPC id. */
  readonly requestId: JsonRpcId;
  /** The params as the backend will get them, before translation (its own names: tool, prompt). */
  readonly params: JsonObject;
  /** The params as the client sent them (the names it called: namespaced). */
  readonly clientParams: JsonObject | undefined;
}

/** What a tap does with one exchange: other params to send, and what to do with its outcome. */
export interface ExchangeHandle {
  /** Sent to the backend instead (e.g. `_meta.traceparent` naming the proxy's span as parent). */
  params?: JsonObject;
  /**
   * The exchange ended: `result` is what the client will get (in its revision). Returns entries
   * to add to that result's `_meta` (e.g. the context unit it became), or nothing.
   */
  done?(outcome: Outcome, result: JsonObject | undefined): JsonObject | undefined;
}

/**
 * Sees every request that crosses to a backend and its outcome (tracing and spans): called on the
 * request path, so it must be cheap; undefined when nothing is tapped.
 */
export type ExchangeTap = (event: ExchangeEvent) => ExchangeHandle | undefined;

/** Hooks for metrics and tracing; the router calls them and never depends on who listens. */
export interface RouterObserver {
  /**
   * A client request was answered (or cancelled): once per request, from receipt to reply.
   * `server` is the backend it was routed to, or `''` when the proxy answered it alone
   * (`initialize`, `ping`, merged lists, `logging/setLevel`, refusals before routing).
   */
  requestCompleted?(record: {
    server: string;
    method: string;
    status: 'ok' | 'error' | 'timeout' | 'cancelled';
    durationSeconds: number;
  }): void;
  /**
   * A request was refused a slot (docs/operations.md, "Admission"): at a backend's gate (`server`
   * names it) or at its client session's own (`server` is `''`).
   */
  requestRefused?(record: { server: string; reason: Refusal | 'rate_limited' }): void;
  /** Requests now waiting in a backend's queue (reported by the router's own gates only). */
  queueDepth?(record: { server: string; depth: number }): void;
  sessionOpened?(transport: string, session: SessionView): void;
  /** The client said who it is and which revision it speaks (`initialize`). */
  sessionInitialized?(session: SessionView): void;
  /** Something one hop could not carry as it was, converted or dropped (docs/protocol-versions.md). */
  translation?(event: TranslationEvent): void;
  sessionClosed?(transport: string, session: SessionView): void;
  /**
   * A backend listed a tool: its definition as the backend sent it (its own name), before the
   * router decides whether clients see it (docs/operations.md, "Tool pinning").
   */
  toolListed?(server: string, tool: JsonObject): void;
  /**
   * A `tools/call` routed to a backend's tool has ended (the audit log, docs/operations.md):
   * who called it in which session, with which arguments, how it ended and how long it took.
   */
  toolCalled?(record: {
    server: string;
    tool: string;
    principal: string | undefined;
    sessionId: string | undefined;
    arguments: unknown;
    status: 'ok' | 'error' | 'timeout' | 'cancelled';
    durationSeconds: number;
  }): void;
}

/** Whether clients may see and call one backend's tool; why not, when they may not. */
export type ToolVerdict = { show: true } | { show: false; message: string; data: JsonObject };

/**
 * Decides per tool, by the backend's own tool name, whether it is listed and callable
 * (docs/operations.md, "Tool pinning"). The router keeps no files or config of its own for it.
 */
export type ToolPolicy = (server: string, tool: string) => ToolVerdict;

/** A running backend with a live session, as lists and fan-outs see it. */
export interface LiveBackend {
  entry: BackendEntry;
  session: BackendSession;
  /** Its position in config order. */
  order: number;
}

/** The session that serves one backend for a request, or the error the client gets instead. */
export type SessionLookup =
  | { session: BackendSession; openPrivate?: BackendEntry['openPrivate'] }
  | { error: Outcome };

/** The router's view of which backends are up (the directory, waited on and woken as needed). */
export interface LiveBackends {
  /**
   * Running backends that declare `capability`, in config order, after waiting (bounded) for those
   * starting; `wake` also starts on-demand ones (a list needs them, a handshake does not).
   */
  live(capability?: string, wake?: boolean): Promise<LiveBackend[]>;
  /** The session of one backend, or the error naming the server and its state. */
  sessionOf(name: string): Promise<SessionLookup>;
  /** The configured entries, in config order. */
  entries(): readonly BackendEntry[];
}

/** What the backend-event fan-out needs of a client session. */
export interface SessionEndpoint {
  /** Sends a notification that belongs to no request (list_changed, log messages). */
  notify(message: JsonRpcNotification): void;
  /** This session's requests in flight at `backend`. */
  waitingOn(backend: BackendSession): JsonRpcId[];
  /** Whether this session was asked something for its request `id` and has not answered yet. */
  asking(id: JsonRpcId): boolean;
  /** Relays a backend's request to this client; its answer is the outcome. */
  relay(
    request: JsonRpcRequest,
    related: JsonRpcId | undefined,
    backend: BackendSession,
  ): Promise<Outcome>;
  /** Closes this client's own session with `backend`, if it has one (the server is `state`). */
  closeOwn(backend: string, state: string): void;
}

/** Who hears which backend event: subscriptions by URI, URL-mode elicitations by id. */
export interface Audience {
  subscribe(uri: string, session: SessionEndpoint): void;
  unsubscribe(uri: string, session: SessionEndpoint): void;
  /** `notifications/elicitation/complete` for `elicitationId` goes to `session` alone. */
  asked(elicitationId: string, session: SessionEndpoint): void;
  /** The session left: it hears nothing more. */
  forget(session: SessionEndpoint): void;
  /** A notification of a backend session that belongs to `only` (`sessions: per-client`). */
  notification(backend: string, notification: JsonRpcNotification, only: SessionEndpoint): void;
}

/** The limits a client session applies (docs/operations.md, "Limits" and "Admission"). */
export interface Limits {
  /** The client session's own gate: its requests in flight, waiting, and how long they wait. */
  session: GateLimits;
  /** The client session's request rate (docs/operations.md, "Rate limits"); none when absent. */
  sessionRate?: RateLimit | undefined;
  /** Progress may extend a request's timeout up to this much in all. */
  maxRequestTimeoutMs?: number | undefined;
  /** The request timeout toward one backend. */
  timeoutFor(backend: string): number;
}

/**
 * All a client session sees of the router: the live backends, merged lists, name and URI
 * resolution, limits, the observer, and who hears which backend event. Built by `createRouter`.
 */
export interface RouterContext {
  readonly clock: Clock;
  readonly logger: Logger | undefined;
  /** Who the proxy says it is in `initialize`. */
  readonly serverInfo: { name: string; version: string };
  readonly limits: Limits;
  /** The gates in front of the backends, shared by every router of the proxy. */
  readonly gates: BackendGates;
  readonly observer: RouterObserver;
  /** Whether a backend's tool may be listed and called now. */
  readonly toolPolicy: ToolPolicy;
  /** Tracing and spans over each crossing to a backend, when configured. */
  readonly tap: ExchangeTap | undefined;
  /** Logs (debug) and reports one translation loss or conversion. */
  reportTranslation(event: TranslationEvent): void;
  readonly backends: LiveBackends;
  /** One page of a merged list, in the canonical revision. */
  list(method: ListMethod, params: JsonObject | undefined): Promise<Outcome>;
  /** The backend and original name behind an exposed tool or prompt name. */
  resolveName(kind: 'tools' | 'prompts', exposed: string): Promise<Target | undefined>;
  /** The backend that owns a resource URI. */
  resolveUri(uri: string): Promise<string | undefined>;
  readonly audience: Audience;
  /** Counts a client request in (for draining); the returned function counts it out. */
  begin(): () => void;
  /** The session has closed: the router forgets it. */
  closed(session: SessionEndpoint, transport: string): void;
}

/** What a client-method handler and `forward` see of the client session they serve. */
export interface ClientScope {
  /** The revision this client negotiated (the canonical one until it has). */
  readonly revision: LegacyRevision;
  /** The capabilities the client declared in `initialize`. */
  readonly capabilities: JsonObject;
  /** How the client connected: front, session id and principal. */
  readonly info: SessionInfo;
  /** The session as backend events address it (subscriptions), and as operators see it. */
  readonly endpoint: SessionEndpoint & SessionView;
  /** Delivers a message to the client; `related` names the client request it belongs to. */
  send(message: JsonRpcMessage, related?: JsonRpcId): void;
  /** This client's own session with a `sessions: per-client` backend, opened on first use. */
  own(
    backend: string,
    open: (owner: SessionOwner) => Promise<BackendSession>,
  ): Promise<{ session: BackendSession } | { error: Outcome }>;
  /** The own backend sessions opened so far, by backend name. */
  ownSessions(): Array<{ name: string; session: BackendSession }>;
  /** A client request is in flight at a backend (for cancellation); the function ends that. */
  track(id: JsonRpcId, session: BackendSession, backendId: number): () => void;
  /** The client request `id` goes to `backend`: it is counted under that server. */
  routedTo(id: JsonRpcId, backend: string): void;
  /**
   * The client request `id` waits in a backend's queue: cancelling it, or the client leaving,
   * calls `withdraw`; the function returned forgets it once the wait is over.
   */
  queued(id: JsonRpcId, withdraw: () => void): () => void;
  /** Records what the client said in `initialize`. */
  negotiated(
    revision: LegacyRevision,
    capabilities: JsonObject,
    clientInfo: JsonObject | undefined,
  ): void;
}

export type { SessionOwner };
