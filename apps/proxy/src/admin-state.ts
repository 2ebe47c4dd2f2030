import type {
  AdminEvent,
  MetricsSummary,
  ServerState,
  ServerSummary,
  SessionSummary,
  Snapshot,
} from '@switchyard/admin-api';
import {
  createRequestWindows,
  type RequestSummary,
  type RequestWindows,
} from '@switchyard/metrics';
import type { Clock } from '@switchyard/protocol';
import type { NamingOptions, RouterObserver, SessionView } from '@switchyard/router';
import type { SupervisorEvent } from '@switchyard/supervisor';
import { createServerHistory, type ServerHistory } from './server-history.js';
import { createServerInventory, type ServerInventory } from './server-inventory.js';
import type { SupervisedBackends } from './supervised-backends.js';
import { PROXY_VERSION } from './version.js';

/**
 * The request windows' summary is the admin API's, field for field: this fails to compile the day
 * the two drift apart (`@switchyard/admin-api` repeats the shape to stay browser-safe).
 */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const windowsAgree: Same<RequestSummary, Omit<MetricsSummary, 'restartsLastHour'>> = true;
void windowsAgree;

/** How often `/api/events` carries a metrics summary while someone listens. */
export const METRICS_TICK_MS = 5_000;

export interface AdminStateOptions {
  backends: Pick<SupervisedBackends, 'summary' | 'list' | 'transportOf' | 'has'>;
  naming: NamingOptions;
  clock: Clock;
  redact: (text: string) => string;
  /** Each list read of the inventory (a server's tools, prompts, resources). */
  listTimeoutMs: number;
}

/** Every client session open now, with the endpoint it came through. */
export type SessionSource = () => Array<{ endpoint: string; session: SessionView }>;

/**
 * What the admin API and its event stream know beyond the supervisor's current state: each
 * server's past and lists, request windows, and the live events. The proxy feeds it supervisor
 * events and router observations; it owns no timer unless someone listens to its events.
 */
export interface AdminState {
  readonly history: ServerHistory;
  readonly inventory: ServerInventory;
  readonly windows: RequestWindows;
  /** What every endpoint's router reports to it (requests, refusals, sessions). */
  readonly observer: (endpoint: string) => RouterObserver;
  observe(event: SupervisorEvent): void;
  serverRemoved(name: string): void;
  server(name: string): ServerSummary | undefined;
  servers(): ServerSummary[];
  sessions(): SessionSummary[];
  metrics(): MetricsSummary;
  snapshot(): Snapshot;
  /** Calls `listener` for every event until the returned function is called. */
  subscribe(listener: (event: AdminEvent) => void): () => void;
  /** The sessions to list; set once the endpoints exist. */
  setSessions(source: SessionSource): void;
}

/** A short label of a principal: enough to tell keys apart, never the key or its whole hash. */
export function principalLabel(principal: string | undefined): string | null {
  if (principal === undefined) return null;
  const hex = /^sha256:([0-9a-f]+)$/.exec(principal)?.[1];
  return hex ? `key ${hex.slice(0, 8)}` : principal;
}

export function createAdminState(options: AdminStateOptions): AdminState {
  const { backends, clock } = options;
  const startedAt = clock.now();
  const listeners = new Set<(event: AdminEvent) => void>();
  let tick: unknown;
  let sessionSource: SessionSource = () => [];
  const emit = (event: AdminEvent) => {
    for (const listener of [...listeners]) listener(event);
  };
  const history = createServerHistory(options.redact);
  const windows = createRequestWindows({ clock });

  const summaryOf = (entry: ReturnType<typeof backends.summary>[number]): ServerSummary => {
    const past = history.of(entry.name);
    const lastError = past.errors.at(-1) ?? null;
    const now = clock.now();
    return {
      name: entry.name,
      state: entry.state as ServerState,
      reason: entry.reason ?? null,
      enabled: entry.enabled,
      transport: backends.transportOf(entry.name),
      revision: entry.revision,
      counts: inventory.counts(entry.name),
      restarts: entry.restarts,
      lastError,
      runningSince: past.runningSince,
      uptimeMs: past.runningSince === null ? null : Math.max(0, now - past.runningSince),
      clientSessions: entry.clientSessions,
    };
  };
  const server = (name: string) => {
    const entry = backends.summary().find((b) => b.name === name);
    return entry ? summaryOf(entry) : undefined;
  };
  const sessionOf = (endpoint: string, session: SessionView): SessionSummary => ({
    id: session.id,
    endpoint,
    transport: session.info.transport,
    revision: session.revision ?? null,
    clientName: typeof session.clientInfo?.name === 'string' ? session.clientInfo.name : null,
    clientVersion:
      typeof session.clientInfo?.version === 'string' ? session.clientInfo.version : null,
    principal: principalLabel(session.info.principal),
    openedAt: session.openedAt,
    ageMs: Math.max(0, clock.now() - session.openedAt),
    inFlight: session.inFlight,
  });
  const metrics = (): MetricsSummary => ({
    ...windows.summary(),
    restartsLastHour: history.restartsLastHour(clock.now()),
  });

  const inventory = createServerInventory({
    backends,
    naming: options.naming,
    timeoutMs: options.listTimeoutMs,
    onChanged: (name) => {
      emit({ type: 'list-changed', server: name });
      const summary = server(name);
      if (summary) emit({ type: 'server', server: summary, change: null });
    },
    onError: (name, message) => history.error(name, message, clock.now()),
  });

  return {
    history,
    inventory,
    windows,
    observer: (endpoint) => ({
      requestCompleted: (record) => windows.record(record),
      requestRefused: ({ server: name }) => windows.refused(name),
      sessionInitialized: (session) =>
        emit({ type: 'session-opened', session: sessionOf(endpoint, session) }),
      sessionClosed: (_transport, session) => emit({ type: 'session-closed', id: session.id }),
    }),
    observe(event) {
      history.observe(event);
      if (event.type !== 'state') return;
      const summary = server(event.server);
      const change = history.of(event.server).history.at(-1) ?? null;
      if (summary) emit({ type: 'server', server: summary, change });
    },
    serverRemoved(name) {
      history.forget(name);
      windows.forget(name);
      emit({ type: 'server-removed', name });
    },
    server,
    servers: () => backends.summary().map(summaryOf),
    sessions: () => sessionSource().map(({ endpoint, session }) => sessionOf(endpoint, session)),
    metrics,
    snapshot() {
      return {
        version: PROXY_VERSION,
        startedAt,
        servers: this.servers(),
        sessions: this.sessions(),
        metrics: metrics(),
      };
    },
    subscribe(listener) {
      listeners.add(listener);
      tick ??= clock.setInterval(
        () => emit({ type: 'metrics', metrics: metrics() }),
        METRICS_TICK_MS,
      );
      return () => {
        listeners.delete(listener);
        if (listeners.size > 0 || tick === undefined) return;
        clock.clearInterval(tick);
        tick = undefined;
      };
    },
    setSessions(source) {
      sessionSource = source;
    },
  };
}
