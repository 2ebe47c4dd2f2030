import type { Logger } from '@switchyard/logging';
import {
  type Clock,
  completeListItem,
  ErrorCode,
  isJsonObject,
  type JsonObject,
  type JsonRpcId,
  type JsonRpcNotification,
  type JsonRpcRequest,
  LATEST_LEGACY_REVISION,
  LIST_METHODS,
  type ListMethod,
  Method,
  systemClock,
  type TranslationEvent,
  toJsonRpcError,
} from '@switchyard/protocol';
import type { BackendSession, Outcome } from './backend-session.js';
import { Catalog, type Target } from './catalog.js';
import { ClientSession, type SessionInfo, type Sink } from './client-session.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import type { BackendDirectory, BackendEntry } from './directory.js';
import { exposeName, mayBeShortened, type NamingOptions, parseExposedName } from './naming.js';

/** Hooks for metrics and tracing; the router calls them and never depends on who listens. */
export interface RouterObserver {
  requestCompleted?(record: {
    server: string;
    method: string;
    status: 'ok' | 'error' | 'timeout' | 'cancelled';
    durationSeconds: number;
  }): void;
  sessionOpened?(transport: string): void;
  /** Something one hop could not carry as it was, converted or dropped (spec P3). */
  translation?(event: TranslationEvent): void;
  sessionClosed?(transport: string): void;
}

export interface RouterOptions {
  backends: BackendDirectory;
  naming?: NamingOptions;
  /** Who the proxy says it is in `initialize`. */
  serverInfo?: { name: string; version: string };
  /** Default request timeout toward backends (spec T5: 60 s). */
  requestTimeoutMs?: number;
  /**
   * Most requests in flight per client session and per backend (spec T5); one more is refused at
   * once with an error instead of queueing without bound.
   */
  maxConcurrentRequests?: number;
  /** Progress may extend a request's timeout up to this much in all (spec T5). */
  maxRequestTimeoutMs?: number;
  /** Per-backend overrides of {@link requestTimeoutMs}. */
  requestTimeoutFor?: (backend: string) => number | undefined;
  /** How long a request waits for a backend that is still starting before going on without it. */
  startupWaitMs?: number;
  /** `list_changed` notifications arriving within this window reach clients once (spec R6). */
  listChangedDebounceMs?: number;
  logger?: Logger;
  clock?: Clock;
  observer?: RouterObserver;
}

/** The aggregated MCP server every front transport talks to. */
export interface Router {
  /** Opens a client session; its shape fits the transports' `OpenSession`. */
  openSession(sink: Sink, info: SessionInfo): ClientSession;
  /** A notification from a backend (list_changed, message, resources/updated...). */
  backendNotification(backend: string, notification: JsonRpcNotification): void;
  /**
   * A backend's request to a client (sampling, elicitation: spec R5), relayed to the one client
   * session with a request in flight at that backend. Undefined when no session of this router
   * is waiting on it; an error when several are (a shared backend cannot say whose it is).
   */
  backendRequest(backend: BackendSession, request: JsonRpcRequest): Promise<Outcome> | undefined;
  /** A backend came up or went away: its catalog entries are dropped and clients told (R6). */
  backendsChanged(backend?: string): void;
  readonly sessionCount: number;
  /** Client requests being handled right now. */
  readonly inflight: number;
  /**
   * Waits until no client request is in flight, at most `deadlineMs` (graceful shutdown, spec S6);
   * true when everything finished in time.
   */
  drain(deadlineMs: number): Promise<boolean>;
  /** Ends every client session; settles when their own backend sessions have closed too. */
  close(): Promise<void>;
}

const CAPABILITY_OF: Record<ListMethod, 'tools' | 'prompts' | 'resources'> = {
  'tools/list': 'tools',
  'prompts/list': 'prompts',
  'resources/list': 'resources',
  'resources/templates/list': 'resources',
};

const LIST_CHANGED = [
  Method.ToolsListChanged,
  Method.PromptsListChanged,
  Method.ResourcesListChanged,
] as const;

/** The shared state and routing decisions behind every client session. */
export class RouterCore {
  readonly catalog = new Catalog();
  readonly sessions = new Set<ClientSession>();
  readonly naming: NamingOptions;
  readonly clock: Clock;
  readonly subscriptions = new Map<string, Set<ClientSession>>();
  /**
   * URL-mode elicitations in progress, by id: their `notifications/elicitation/complete` goes to
   * the client that was asked, and to no other (protocol.md §2.3).
   */
  readonly elicitations = new Map<string, ClientSession>();
  private pendingChanges = new Set<string>();
  private active = 0;
  private idleWaiters: Array<() => void> = [];
  private debounce: unknown;

  constructor(readonly options: RouterOptions) {
    this.naming = options.naming ?? { strategy: 'prefix' };
    this.clock = options.clock ?? systemClock;
  }

  get inflight(): number {
    return this.active;
  }

  /** Counts a client request in; {@link end} counts it out. */
  begin(): void {
    this.active++;
  }

  end(): void {
    this.active--;
    if (this.active > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  drain(deadlineMs: number): Promise<boolean> {
    if (this.active === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => resolve(false), deadlineMs);
      this.idleWaiters.push(() => {
        this.clock.clearTimeout(timer);
        resolve(true);
      });
    });
  }

  get logger(): Logger | undefined {
    return this.options.logger;
  }

  /** Logs (debug) and reports one translation loss or conversion (spec P3). */
  readonly reportTranslation = (event: TranslationEvent): void => {
    this.logger?.debug(`translation ${event.action}`, { ...event });
    this.options.observer?.translation?.(event);
  };

  timeoutFor(backend: string): number {
    return this.options.requestTimeoutFor?.(backend) ?? this.options.requestTimeoutMs ?? 60_000;
  }

  private entries(): readonly BackendEntry[] {
    return this.options.backends.list();
  }

  /** Waits (bounded) for backends still starting, so a first list after start-up is complete. */
  private async settled(entries: readonly BackendEntry[], wake = true): Promise<void> {
    const { backends } = this.options;
    const starting = [
      ...entries.filter((e) => e.state === 'starting' && e.ready).map((e) => e.ready),
      ...entries.filter((e) => wake && e.onDemand).map((e) => backends.wake?.(e.name)),
    ].filter((p) => p !== undefined);
    if (starting.length === 0) return;
    const wait = this.options.startupWaitMs ?? 10_000;
    await new Promise<void>((resolve) => {
      const timer = this.clock.setTimeout(resolve, wait);
      Promise.allSettled(starting).then(() => {
        this.clock.clearTimeout(timer);
        resolve();
      });
    });
  }

  /**
   * Running backends that declare `capability`, in config order, after waiting (bounded) for those
   * starting; `wake` also starts on-demand ones (a list needs them, a handshake does not).
   */
  async live(
    capability?: string,
    wake = true,
  ): Promise<Array<{ entry: BackendEntry; session: BackendSession; order: number }>> {
    const entries = this.entries();
    await this.settled(entries, wake);
    const out: Array<{ entry: BackendEntry; session: BackendSession; order: number }> = [];
    this.entries().forEach((entry, order) => {
      const session = entry.session;
      if (entry.state !== 'running' || !session || session.closed !== undefined) return;
      if (capability && !(capability in session.serverCapabilities)) return;
      out.push({ entry, session, order });
    });
    return out;
  }

  /** The session of one backend, or the error a client should get (R8: names the server and state). */
  async sessionOf(
    name: string,
  ): Promise<
    { session: BackendSession; openPrivate?: BackendEntry['openPrivate'] } | { error: Outcome }
  > {
    const entries = this.entries();
    const entry = entries.find((e) => e.name === name);
    if (entry && (entry.state === 'starting' || entry.onDemand)) await this.settled([entry]);
    const current = this.entries().find((e) => e.name === name);
    if (current?.state === 'running' && current.session && current.session.closed === undefined) {
      this.options.backends.touch?.(name);
      return { session: current.session, openPrivate: current.openPrivate };
    }
    const state = current?.state ?? 'removed';
    const reason = current?.reason ?? current?.session?.closed;
    return {
      error: {
        kind: 'error',
        error: toJsonRpcError(
          ErrorCode.BackendUnavailable,
          `Backend "${name}" is unavailable (${state}${reason ? `: ${reason}` : ''})`,
          { server: name, state },
        ),
      },
    };
  }

  private target(entry: BackendEntry, order: number, name: string): Target {
    return { backend: entry.name, name, priority: entry.priority, order };
  }

  /**
   * One page of a merged list (spec R1, R7): the first page asks every live backend in parallel;
   * later pages follow the backend cursors held in the proxy's own cursor. A failing backend is
   * left out and logged (fail-open, R8).
   */
  async list(method: ListMethod, params: JsonObject | undefined, only?: string): Promise<Outcome> {
    const key = LIST_METHODS[method];
    const cursor = params?.cursor;
    const state = cursor === undefined ? undefined : decodeCursor(cursor);
    if (cursor !== undefined && !state) {
      return {
        kind: 'error',
        error: toJsonRpcError(ErrorCode.InvalidParams, 'Invalid params: unknown cursor'),
      };
    }
    // Refreshing one backend's entries neither waits for nor wakes the others.
    const live = (await this.live(CAPABILITY_OF[method], only === undefined)).filter(
      ({ entry }) => only === undefined || entry.name === only,
    );
    const targets = state ? live.filter(({ entry }) => entry.name in state) : live;
    const pages = await Promise.all(
      targets.map(async (t) => {
        const backendCursor = state?.[t.entry.name];
        this.options.backends.touch?.(t.entry.name);
        const pending = t.session.request(
          method,
          backendCursor === undefined ? undefined : { cursor: backendCursor },
          {
            timeoutMs: this.timeoutFor(t.entry.name),
          },
        );
        return { ...t, outcome: await pending.outcome };
      }),
    );
    // Names are claimed by rank (priority, then config order) so that a loser is never shown
    // before its winner is seen; items are still listed in config order.
    const ranked = [...pages].sort(
      (a, b) => b.entry.priority - a.entry.priority || a.order - b.order,
    );
    const shownBy = new Map<string, JsonObject[]>();
    const next: Record<string, string> = {};
    for (const { entry, order, outcome, session } of ranked) {
      const shown: JsonObject[] = [];
      shownBy.set(entry.name, shown);
      if (outcome.kind !== 'result') {
        const why = outcome.kind === 'error' ? outcome.error.message : 'cancelled';
        this.logger?.warn('backend left out of merged list', {
          server: entry.name,
          method,
          reason: why,
        });
        continue;
      }
      const list = outcome.result[key];
      if (Array.isArray(list)) {
        for (const item of list) {
          if (isJsonObject(item)) {
            const complete = completeListItem(method, item, (feature) =>
              this.reportTranslation({
                from: session.revision ?? LATEST_LEGACY_REVISION,
                to: LATEST_LEGACY_REVISION,
                feature,
                action: 'converted',
              }),
            );
            const exposed = this.expose(method, entry, order, complete);
            if (exposed) shown.push(exposed);
          }
        }
      }
      if (typeof outcome.result.nextCursor === 'string')
        next[entry.name] = outcome.result.nextCursor;
    }
    const items = pages.flatMap(({ entry }) => shownBy.get(entry.name) ?? []);
    const nextCursor = encodeCursor(next);
    return { kind: 'result', result: nextCursor ? { [key]: items, nextCursor } : { [key]: items } };
  }

  /** Records a listed item in the catalog and returns it as the client sees it (or drops a loser). */
  private expose(
    method: ListMethod,
    entry: BackendEntry,
    order: number,
    item: JsonObject,
  ): JsonObject | undefined {
    if (method === 'tools/list' || method === 'prompts/list') {
      if (typeof item.name !== 'string') return undefined;
      const exposed = exposeName(this.naming, entry.prefix, item.name);
      const map = method === 'tools/list' ? this.catalog.tools : this.catalog.prompts;
      const target = this.target(entry, order, item.name);
      const { execution, ...rest } = item;
      // The proxy offers clients no tasks: a tool that requires one is called as a task by the
      // proxy and answered synchronously (protocol.md §2.3), so clients see no `execution`.
      if (isJsonObject(execution) && execution.taskSupport === 'required')
        target.taskRequired = true;
      if (method === 'tools/list' && isJsonObject(item.outputSchema)) target.outputSchema = true;
      if (!this.catalog.offer(map, exposed, target)) {
        this.logger?.warn('name collision: lower-priority item hidden', {
          server: entry.name,
          name: exposed,
        });
        return undefined;
      }
      return { ...(method === 'tools/list' ? rest : item), name: exposed };
    }
    if (method === 'resources/list' && typeof item.uri === 'string') {
      if (!this.catalog.offerResource(item.uri, this.target(entry, order, item.uri))) {
        this.logger?.warn('resource URI collision: owned by another backend', {
          server: entry.name,
          uri: item.uri,
        });
        return undefined;
      }
    }
    if (method === 'resources/templates/list')
      this.catalog.offerTemplate(item, this.target(entry, order, ''));
    return item;
  }

  /** The backend and original name behind an exposed tool or prompt name. */
  async resolveName(kind: 'tools' | 'prompts', exposed: string): Promise<Target | undefined> {
    const map = kind === 'tools' ? this.catalog.tools : this.catalog.prompts;
    const known = map.get(exposed);
    if (known) return known;
    const entries = this.entries();
    const parsed = parseExposedName(
      this.naming,
      entries.map((e) => e.prefix),
      exposed,
    );
    const fromName = (): Target | undefined => {
      if (!parsed) return undefined;
      const order = entries.findIndex((e) => e.prefix === parsed.prefix);
      const entry = entries[order];
      return entry ? this.target(entry, order, parsed.name) : undefined;
    };
    if (!mayBeShortened(this.naming, exposed)) {
      const target = fromName();
      if (!target) return this.refreshed(map, kind, exposed);
      // A tool's list entry says whether it needs a task or promises structured content: ask its
      // backend, unless that backend is not running yet (the call itself waits for it or wakes it).
      if (kind === 'prompts' || entries[target.order]?.state !== 'running') return target;
      await this.refresh('tools/list', target.backend);
      return map.get(exposed) ?? target;
    }
    return this.refreshed(map, kind, exposed, fromName());
  }

  /** Shortened names and the `none` strategy need the catalog: refresh it from every backend. */
  private async refreshed(
    map: Map<string, Target>,
    kind: 'tools' | 'prompts',
    exposed: string,
    fallback?: Target,
  ): Promise<Target | undefined> {
    await this.refresh(kind === 'tools' ? 'tools/list' : 'prompts/list');
    return map.get(exposed) ?? fallback;
  }

  /** The backend that owns a resource URI; refreshes the catalog once on a miss. */
  async resolveUri(uri: string): Promise<string | undefined> {
    const known = this.catalog.ownerOfUri(uri);
    if (known) return known;
    await Promise.all([this.refresh('resources/list'), this.refresh('resources/templates/list')]);
    const found = this.catalog.ownerOfUri(uri);
    if (found) return found;
    const withResources = await this.live('resources');
    return withResources.length === 1 ? withResources[0]?.entry.name : undefined;
  }

  /** Fills the catalog from every backend's list, or from `only` that backend's. */
  private async refresh(method: ListMethod, only?: string): Promise<void> {
    let cursor: string | undefined;
    do {
      const outcome = await this.list(method, cursor === undefined ? undefined : { cursor }, only);
      cursor =
        outcome.kind === 'result' && typeof outcome.result.nextCursor === 'string'
          ? outcome.result.nextCursor
          : undefined;
    } while (cursor !== undefined);
  }

  /** Queues `list_changed` for every client, debounced so a burst reaches each client once (R6). */
  announce(methods: readonly string[]): void {
    for (const method of methods) this.pendingChanges.add(method);
    if (this.debounce !== undefined) return;
    this.debounce = this.clock.setTimeout(() => {
      this.debounce = undefined;
      const changes = [...this.pendingChanges];
      this.pendingChanges = new Set();
      for (const session of this.sessions) {
        for (const method of changes) session.notify({ jsonrpc: '2.0', method });
      }
    }, this.options.listChangedDebounceMs ?? 50);
  }

  backendRequest(backend: BackendSession, request: JsonRpcRequest): Promise<Outcome> | undefined {
    const waiting: Array<{ client: ClientSession; id: JsonRpcId }> = [];
    for (const client of this.sessions) {
      for (const id of client.waitingOn(backend)) waiting.push({ client, id });
    }
    const last = waiting.at(-1);
    if (!last) return undefined;
    if (new Set(waiting.map((w) => w.client)).size > 1) {
      return Promise.resolve({
        kind: 'error',
        error: toJsonRpcError(
          ErrorCode.InternalError,
          `Cannot relay ${request.method}: several clients are waiting on backend "${backend.name}", which they share`,
        ),
      });
    }
    return last.client.relay(request, last.id, backend);
  }

  /**
   * A backend's notification, delivered to every client it concerns; `only` narrows that to the
   * client that owns the backend session it came from (`sessions: per-client`).
   */
  backendNotification(
    backend: string,
    notification: JsonRpcNotification,
    only?: ClientSession,
  ): void {
    const { method, params } = notification;
    const audience = (sessions: Iterable<ClientSession>) =>
      only ? [...sessions].filter((s) => s === only) : sessions;
    switch (method) {
      case Method.ToolsListChanged:
      case Method.PromptsListChanged:
      case Method.ResourcesListChanged:
        this.catalog.forget(backend);
        this.announce([method]);
        return;
      case Method.ElicitationComplete: {
        const id = params?.elicitationId;
        if (typeof id !== 'string') return;
        const asked = only ?? this.elicitations.get(id);
        this.elicitations.delete(id);
        asked?.notify(notification);
        return;
      }
      case Method.ResourcesUpdated: {
        const uri = params?.uri;
        if (typeof uri !== 'string') return;
        for (const session of audience(this.subscriptions.get(uri) ?? []))
          session.notify(notification);
        return;
      }
      case Method.Message: {
        // Name the backend as the logger (spec R6) so a client can tell whose log line it is.
        const logger = typeof params?.logger === 'string' ? `${backend}/${params.logger}` : backend;
        const message: JsonRpcNotification = {
          jsonrpc: '2.0',
          method,
          params: { ...params, logger },
        };
        for (const session of audience(this.sessions)) session.notify(message);
        return;
      }
      default:
        this.logger?.debug('backend notification not relayed', { server: backend, method });
    }
  }

  backendsChanged(backend?: string): void {
    if (backend) {
      this.catalog.forget(backend);
      // A server that stopped (disabled, removed, restarting with new settings) takes the
      // sessions its clients had of their own with it; their next call opens a fresh one.
      const state = this.entries().find((e) => e.name === backend)?.state ?? 'removed';
      if (state !== 'running' && state !== 'degraded') {
        for (const session of this.sessions) session.closeOwn(backend, state);
      }
    }
    this.announce(LIST_CHANGED);
  }
}

/**
 * Creates the router (spec R1, R4, R6-R8): it merges what the backends offer, routes each request
 * to its owner with ids, progress tokens and cancellations mapped per hop, and keeps serving from
 * the backends that are up when others are not.
 */
export function createRouter(options: RouterOptions): Router {
  const core = new RouterCore(options);
  return {
    openSession(sink, info) {
      const session = new ClientSession(core, sink, info);
      core.sessions.add(session);
      options.observer?.sessionOpened?.(info.transport);
      return session;
    },
    backendNotification: (backend, notification) => core.backendNotification(backend, notification),
    backendRequest: (backend, request) => core.backendRequest(backend, request),
    backendsChanged: (backend) => core.backendsChanged(backend),
    get sessionCount() {
      return core.sessions.size;
    },
    get inflight() {
      return core.inflight;
    },
    drain: (deadlineMs) => core.drain(deadlineMs),
    async close() {
      await Promise.all([...core.sessions].map((session) => session.close()));
    },
  };
}
