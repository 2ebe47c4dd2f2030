import type { Logger } from '@switchyard/logging';
import {
  type Clock,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type SessionInfo,
  type SessionSink,
  systemClock,
  type TranslationEvent,
} from '@switchyard/protocol';
import { type BackendGates, createBackendGates, type GateLimits } from './admission.js';
import { type BackendHub, createBackendEvents } from './backend-events.js';
import type { BackendSession } from './backend-session.js';
import { Catalog } from './catalog.js';
import { ClientSession } from './client-session.js';
import type {
  ExchangeTap,
  RouterContext,
  RouterObserver,
  SessionView,
  ToolPolicy,
  ToolVerdict,
} from './context.js';
import type { BackendDirectory } from './directory.js';
import { createLiveBackends } from './live-backends.js';
import { createMergedLists } from './merged-lists.js';
import type { NamingOptions } from './naming.js';
import type { Outcome } from './outcome.js';
import type { RateLimit } from './rate-limit.js';
import { createResolution } from './resolution.js';

export interface RouterOptions {
  backends: BackendDirectory;
  /** Who the proxy says it is in `initialize`. */
  serverInfo: { name: string; version: string };
  naming?: NamingOptions;
  /** Where backend events arrive; the router joins it and leaves on {@link Router.close}. */
  hub?: BackendHub;
  /** Default request timeout toward backends (docs/operations.md, "Limits"). Default 60 s. */
  requestTimeoutMs?: number;
  /**
   * Most requests in flight per client session and per backend (docs/operations.md, "Admission");
   * more wait in a queue. Default: no limit.
   */
  maxConcurrentRequests?: number;
  /** Most requests waiting for a slot, per client session and per backend. Default 1000. */
  maxQueuedRequests?: number;
  /** How long a request waits for a slot before it is refused. Default 30 s. */
  queueTimeoutMs?: number;
  /**
   * Each client session's request rate, a token bucket on {@link clock}: a request over it is
   * refused `rate_limited` with `data.retryAfterMs` (docs/operations.md, "Rate limits"). Default:
   * no rate limit.
   */
  rateLimitPerSession?: RateLimit;
  /**
   * The gates in front of the backends, to share one set among the routers of a proxy. Default: a
   * set of this router's own, with the limits above, reporting depth to `observer.queueDepth`.
   */
  gates?: BackendGates;
  /** Progress may extend a request's timeout up to this much in all. */
  maxRequestTimeoutMs?: number;
  /** Per-backend overrides of {@link requestTimeoutMs}. */
  requestTimeoutFor?: (backend: string) => number | undefined;
  /** How long a request waits for a backend that is still starting before going on without it. */
  startupWaitMs?: number;
  /** `list_changed` notifications arriving within this window reach clients once. */
  listChangedDebounceMs?: number;
  logger?: Logger;
  clock?: Clock;
  observer?: RouterObserver;
  /**
   * Holds back tools clients may not see or call (docs/operations.md, "Tool pinning"): a held
   * tool is left out of `tools/list` and a call to it is refused `tool_not_approved`. Default:
   * every tool is shown.
   */
  toolPolicy?: ToolPolicy;
  /** Sees each request that crosses to a backend and its outcome (tracing, spans). */
  tap?: ExchangeTap;
}

/** The aggregated MCP server every front transport talks to. */
export interface Router {
  /** Opens a client session; its shape fits the transports' `OpenSession`. */
  openSession(sink: SessionSink, info: SessionInfo): ClientSession;
  /** A notification from a backend (list_changed, message, resources/updated...). */
  backendNotification(backend: string, notification: JsonRpcNotification): void;
  /**
   * A backend's request to a client (sampling, elicitation, roots), relayed to the one client
   * session with a request in flight at that backend. Undefined when no session of this router is
   * waiting on it; an error when several are (a shared backend cannot say whose it is).
   */
  backendRequest(backend: BackendSession, request: JsonRpcRequest): Promise<Outcome> | undefined;
  /** A backend came up or went away: its catalog entries are dropped and clients told. */
  backendsChanged(backend?: string): void;
  readonly sessionCount: number;
  /** The client sessions open now, as operators see them. */
  sessions(): SessionView[];
  /** Client requests being handled right now. */
  readonly inflight: number;
  /**
   * Waits until no client request is in flight, at most `deadlineMs` (graceful shutdown,
   * docs/operations.md, "Shutdown"); true when everything finished in time.
   */
  drain(deadlineMs: number): Promise<boolean>;
  /** Ends every client session; settles when their own backend sessions have closed too. */
  close(): Promise<void>;
}

/** Counts client requests in flight and lets shutdown wait for them. */
function createDrain(clock: Clock) {
  let active = 0;
  let idle: Array<() => void> = [];
  return {
    get active() {
      return active;
    },
    begin(): () => void {
      active++;
      return () => {
        active--;
        if (active > 0) return;
        const waiters = idle;
        idle = [];
        for (const resolve of waiters) resolve();
      };
    },
    wait(deadlineMs: number): Promise<boolean> {
      if (active === 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = clock.setTimeout(() => resolve(false), deadlineMs);
        idle.push(() => {
          clock.clearTimeout(timer);
          resolve(true);
        });
      });
    },
  };
}

/**
 * Creates the router: it merges what the backends offer, routes each request to its owner with
 * ids, progress tokens and cancellations mapped per hop, and keeps serving from the backends that
 * are up when others are not. docs/architecture.md draws the files a request crosses.
 */
export function createRouter(options: RouterOptions): Router {
  const clock = options.clock ?? systemClock;
  const logger = options.logger;
  const naming = options.naming ?? { strategy: 'prefix' };
  const observer = options.observer ?? {};
  const shown: ToolVerdict = { show: true };
  const toolPolicy: ToolPolicy = options.toolPolicy ?? (() => shown);
  const directory = options.backends;
  const catalog = new Catalog();
  const sessions = new Set<ClientSession>();
  const drain = createDrain(clock);
  const limits: GateLimits = {
    maxInFlight: options.maxConcurrentRequests ?? Number.POSITIVE_INFINITY,
    maxPending: options.maxQueuedRequests ?? 1000,
    queueTimeoutMs: options.queueTimeoutMs ?? 30_000,
  };
  const gates =
    options.gates ??
    createBackendGates({
      ...limits,
      clock,
      onDepth: (server, depth) => observer.queueDepth?.({ server, depth }),
    });
  const timeoutFor = (backend: string) =>
    options.requestTimeoutFor?.(backend) ?? options.requestTimeoutMs ?? 60_000;
  const reportTranslation = (event: TranslationEvent): void => {
    logger?.debug(`translation ${event.action}`, { ...event });
    observer.translation?.(event);
  };
  const backends = createLiveBackends({
    directory,
    clock,
    startupWaitMs: options.startupWaitMs ?? 10_000,
  });
  const list = createMergedLists({
    backends,
    catalog,
    naming,
    timeoutFor,
    touch: (name) => directory.touch?.(name),
    reportTranslation,
    toolListed: (server, tool) => observer.toolListed?.(server, tool),
    toolPolicy,
    logger,
  });
  const resolution = createResolution({ backends, catalog, naming, list });
  const events = createBackendEvents({
    sessions: () => sessions,
    catalog,
    entries: () => directory.list(),
    covers: (name) => directory.covers?.(name) ?? true,
    clock,
    debounceMs: options.listChangedDebounceMs ?? 50,
    logger,
  });
  const leave = options.hub?.join(events);

  const context: RouterContext = {
    clock,
    logger,
    serverInfo: options.serverInfo,
    limits: {
      session: limits,
      sessionRate: options.rateLimitPerSession,
      maxRequestTimeoutMs: options.maxRequestTimeoutMs,
      timeoutFor,
    },
    gates,
    observer,
    toolPolicy,
    tap: options.tap,
    reportTranslation,
    backends,
    list: (method, params) => list(method, params),
    resolveName: resolution.resolveName,
    resolveUri: resolution.resolveUri,
    audience: events.audience,
    begin: () => drain.begin(),
    closed(session, transport) {
      sessions.delete(session as ClientSession);
      observer.sessionClosed?.(transport, session as ClientSession);
    },
  };

  return {
    openSession(sink, info) {
      const session = new ClientSession(context, sink, info);
      sessions.add(session);
      observer.sessionOpened?.(info.transport, session);
      return session;
    },
    backendNotification: (backend, notification) => events.notification(backend, notification),
    backendRequest: (backend, request) => events.request(backend, request),
    backendsChanged: (backend) => events.changed(backend),
    get sessionCount() {
      return sessions.size;
    },
    sessions: () => [...sessions],
    get inflight() {
      return drain.active;
    },
    drain: (deadlineMs) => drain.wait(deadlineMs),
    async close() {
      leave?.();
      await Promise.all([...sessions].map((session) => session.close()));
    },
  };
}
