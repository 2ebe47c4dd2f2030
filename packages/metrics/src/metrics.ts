import type { BackendState } from '@switchyard/protocol';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { isUp, type MetricFamily, type MetricsState } from './internal/family.js';
import { createSeedFamily } from './internal/seed-family.js';
import { createSwitchyardFamily } from './internal/switchyard-family.js';
import type {
  MetricsSnapshot,
  RejectionReason,
  RequestRecord,
  ServerMetricsSnapshot,
  TranslationDrop,
} from './types.js';

/** Options of {@link createMetrics}. */
export interface MetricsOptions {
  /**
   * Which metric names to expose: Switchyard's own `switchyard_*` (default), the seed's
   * `mcp_proxy_*` for existing dashboards, or both side by side.
   */
  prefix?: 'switchyard' | 'seed' | 'both';
  /** Node process metrics (`process_*`, `nodejs_*`). Default true. */
  collectProcessMetrics?: boolean;
  /**
   * The registry to define metrics in, to share one `/metrics` page with metrics of the caller's
   * own. Default: a fresh registry per instance, never prom-client's global one, so that several
   * proxies (or tests) in one process count separately.
   */
  registry?: Registry;
}

/**
 * The recording surface that the router, supervisor and transports call into (every metric of
 * docs/operations.md, "Metrics"), plus the renderings the proxy serves. Recording never throws.
 */
export interface Metrics {
  /** The `Content-Type` of {@link Metrics.render}'s output. */
  readonly contentType: string;
  /** The registry in Prometheus text format, for `GET /metrics`. */
  render(): Promise<string>;
  /** Per-server and total counts as plain JSON, for the admin API and `proxy://metrics`. */
  snapshot(): MetricsSnapshot;
  /** A client request was answered; `server` is `''` when the proxy answered it alone. */
  recordRequest(record: RequestRecord): void;
  /**
   * A request was refused a slot (docs/operations.md, "Admission"): at `server`'s gate, or at its
   * client session's own when `server` is `''`.
   */
  requestRejected(server: string, reason: RejectionReason): void;
  /** Requests waiting for a slot at `server` now. */
  queueDepth(server: string, depth: number): void;
  /** A client session opened on a front transport (`stdio`, `streamable-http`, `sse`, ...). */
  sessionOpened(transport: string): void;
  /** A client session closed; the count never goes below zero. */
  sessionClosed(transport: string): void;
  /** A backend entered `state`; sets its `backend_up` and state gauges. */
  backendState(server: string, state: BackendState): void;
  /** The supervisor restarted a backend. */
  backendRestarted(server: string): void;
  /** A backend passed a health check. */
  healthCheckPassed(server: string): void;
  /** A backend failed a health check. */
  healthCheckFailed(server: string): void;
  /** A feature was dropped while translating between revisions. */
  translationDropped(drop: TranslationDrop): void;
  /** A stdio backend wrote a line to stdout that was not a JSON-RPC message. */
  nonProtocolLine(server: string): void;
  /** A tool's definition changed since it was pinned (docs/operations.md, "Tool pinning"). */
  toolDefinitionChanged(server: string): void;
  /** How many backend sessions of single clients a server has open now (`sessions: per-client`). */
  clientSessions(server: string, open: number): void;
  /** Forgets a server removed from the configuration (hot reload): all its labelled series go. */
  removeBackend(server: string): void;
}

/** What is kept per server: its snapshot (`up` derives from the state) and the methods seen. */
type ServerEntry = Omit<ServerMetricsSnapshot, 'up'> & { methods: Set<string> };

/** Counts since the metrics were created, servers removed since included. */
interface Totals {
  requests: number;
  errors: number;
  rejected: number;
  restarts: number;
  healthCheckFailures: number;
  drops: number;
}

/** The plain JSON summary of what {@link createMetrics} keeps (see {@link MetricsSnapshot}). */
function snapshotOf(
  servers: ReadonlyMap<string, ServerEntry>,
  sessions: ReadonlyMap<string, number>,
  totals: Totals,
): MetricsSnapshot {
  const perServer: [string, ServerMetricsSnapshot][] = [];
  let serversUp = 0;
  for (const [name, { methods: _methods, ...entry }] of servers) {
    const up = isUp(entry.state);
    if (up) serversUp++;
    perServer.push([name, { ...entry, up }]);
  }
  let activeSessions = 0;
  for (const open of sessions.values()) activeSessions += open;
  return {
    servers: Object.fromEntries(perServer),
    sessions: Object.fromEntries(sessions),
    totals: {
      servers: servers.size,
      serversUp,
      requests: totals.requests,
      errors: totals.errors,
      rejected: totals.rejected,
      restarts: totals.restarts,
      healthCheckFailures: totals.healthCheckFailures,
      activeSessions,
      translationDrops: totals.drops,
    },
  };
}

/**
 * Creates the proxy's metrics in their own registry. Each instance counts on its own;
 * the seed's names are an option for dashboards built against the seed.
 */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = options.registry ?? new Registry();
  const prefix = options.prefix ?? 'switchyard';
  const servers = new Map<string, ServerEntry>();
  const sessions = new Map<string, number>();
  const totals: Totals = {
    requests: 0,
    errors: 0,
    rejected: 0,
    restarts: 0,
    healthCheckFailures: 0,
    drops: 0,
  };
  const state: MetricsState = { servers, sessions };

  const families: MetricFamily[] = [];
  if (prefix !== 'seed') families.push(createSwitchyardFamily(registry));
  if (prefix !== 'switchyard') families.push(createSeedFamily(registry, state));
  if (options.collectProcessMetrics ?? true) collectDefaultMetrics({ register: registry });

  const server = (name: string): ServerEntry => {
    let entry = servers.get(name);
    if (!entry) {
      entry = {
        state: null,
        requests: 0,
        errors: 0,
        durationSecondsSum: 0,
        restarts: 0,
        healthCheckFailures: 0,
        nonProtocolLines: 0,
        rejected: 0,
        methods: new Set(),
      };
      servers.set(name, entry);
      for (const family of families) family.serverAdded?.(name);
    }
    return entry;
  };

  const setSessions = (transport: string, open: number) => {
    sessions.set(transport, open);
    for (const family of families) family.sessionsChanged?.(transport, open);
  };

  const healthChecked = (name: string, healthy: boolean) => {
    const entry = server(name);
    if (!healthy) {
      entry.healthCheckFailures++;
      totals.healthCheckFailures++;
    }
    for (const family of families) family.healthChecked?.(name, healthy);
  };

  return {
    contentType: registry.contentType,
    render: () => registry.metrics(),
    snapshot: () => snapshotOf(servers, sessions, totals),
    recordRequest(record) {
      const durationSeconds =
        Number.isFinite(record.durationSeconds) && record.durationSeconds > 0
          ? record.durationSeconds
          : 0;
      const failed = record.status === 'error' || record.status === 'timeout';
      // The proxy's own answers (server '') count in the totals; they are no server's.
      const entry = record.server === '' ? undefined : server(record.server);
      if (entry) {
        entry.methods.add(record.method);
        entry.requests++;
        entry.durationSecondsSum += durationSeconds;
        if (failed) entry.errors++;
      }
      totals.requests++;
      if (failed) totals.errors++;
      for (const family of families) family.request?.({ ...record, durationSeconds }, failed);
    },
    requestRejected(name, reason) {
      if (name !== '') server(name).rejected++;
      totals.rejected++;
      for (const family of families) family.rejected?.(name, reason);
    },
    queueDepth(name, depth) {
      server(name);
      for (const family of families) family.queueDepth?.(name, depth);
    },
    sessionOpened(transport) {
      setSessions(transport, (sessions.get(transport) ?? 0) + 1);
    },
    sessionClosed(transport) {
      setSessions(transport, Math.max(0, (sessions.get(transport) ?? 0) - 1));
    },
    backendState(name, next) {
      server(name).state = next;
      for (const family of families) family.stateChanged?.(name, next);
    },
    backendRestarted(name) {
      server(name).restarts++;
      totals.restarts++;
      for (const family of families) family.restarted?.(name);
    },
    healthCheckPassed: (name) => healthChecked(name, true),
    healthCheckFailed: (name) => healthChecked(name, false),
    translationDropped(drop) {
      totals.drops++;
      for (const family of families) family.translationDropped?.(drop);
    },
    nonProtocolLine(name) {
      server(name).nonProtocolLines++;
      for (const family of families) family.nonProtocolLine?.(name);
    },
    toolDefinitionChanged(name) {
      server(name);
      for (const family of families) family.toolDefinitionChanged?.(name);
    },
    clientSessions(name, open) {
      server(name);
      for (const family of families) family.clientSessionsChanged?.(name, open);
    },
    removeBackend(name) {
      const entry = servers.get(name);
      if (!entry) return;
      servers.delete(name);
      for (const family of families) family.serverRemoved?.(name, entry.methods);
    },
  };
}
