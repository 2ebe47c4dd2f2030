import { BACKEND_STATES } from '@switchyard/protocol';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { REJECTION_REASONS, REQUEST_STATUSES } from '../types.js';
import { isUp, type MetricFamily } from './family.js';

/**
 * Request latency buckets from 0.1 ms (an in-process virtual server) to 60 s (a slow tool call),
 * roughly three per decade.
 */
const REQUEST_DURATION_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
  30, 60,
];

/** Switchyard's own metric names, labelled by server, method, transport and state. */
export function createSwitchyardFamily(registry: Registry): MetricFamily {
  const registers = [registry];
  const requests = new Counter({
    name: 'switchyard_requests_total',
    help: 'Client requests, by the backend they went to ("" when the proxy answered alone) and how they ended.',
    labelNames: ['server', 'method', 'status'] as const,
    registers,
  });
  const duration = new Histogram({
    name: 'switchyard_request_duration_seconds',
    help: 'Time from receiving a request to sending its reply.',
    labelNames: ['server', 'method'] as const,
    buckets: REQUEST_DURATION_BUCKETS,
    registers,
  });
  const activeSessions = new Gauge({
    name: 'switchyard_active_sessions',
    help: 'Open client sessions, by front transport.',
    labelNames: ['transport'] as const,
    registers,
  });
  const backendUp = new Gauge({
    name: 'switchyard_backend_up',
    help: '1 while the backend is running or degraded, else 0.',
    labelNames: ['server'] as const,
    registers,
  });
  const backendState = new Gauge({
    name: 'switchyard_backend_state',
    help: "1 for the backend's current lifecycle state, 0 for the others.",
    labelNames: ['server', 'state'] as const,
    registers,
  });
  const restarts = new Counter({
    name: 'switchyard_backend_restarts_total',
    help: 'Restarts of the backend by the supervisor.',
    labelNames: ['server'] as const,
    registers,
  });
  const healthChecks = new Counter({
    name: 'switchyard_health_checks_total',
    help: 'Health checks run against the backend, passed or failed.',
    labelNames: ['server'] as const,
    registers,
  });
  const healthCheckFailures = new Counter({
    name: 'switchyard_health_check_failures_total',
    help: 'Health checks the backend failed.',
    labelNames: ['server'] as const,
    registers,
  });
  const translationDrops = new Counter({
    name: 'switchyard_translation_drops_total',
    help: 'Features dropped while translating a message between protocol revisions.',
    labelNames: ['from', 'to', 'feature'] as const,
    registers,
  });
  const nonProtocolLines = new Counter({
    name: 'switchyard_non_protocol_lines_total',
    help: 'Lines a stdio backend wrote to stdout that were not JSON-RPC messages.',
    labelNames: ['server'] as const,
    registers,
  });
  const clientSessions = new Gauge({
    name: 'switchyard_backend_client_sessions',
    help: 'Backend sessions of single clients open now (servers with sessions: per-client).',
    labelNames: ['server'] as const,
    registers,
  });
  const rejected = new Counter({
    name: 'switchyard_requests_rejected_total',
    help: 'Requests refused a slot (queue full or wait expired), by backend ("" for the limit of a client session).',
    labelNames: ['server', 'reason'] as const,
    registers,
  });
  const queueDepth = new Gauge({
    name: 'switchyard_backend_queue_depth',
    help: 'Requests waiting for a slot at the backend now.',
    labelNames: ['server'] as const,
    registers,
  });
  const definitionChanges = new Counter({
    name: 'switchyard_tool_definition_changes_total',
    help: 'Tool definitions that changed since they were pinned (docs/operations.md, "Tool pinning").',
    labelNames: ['server'] as const,
    registers,
  });
  const perServer = [restarts, healthChecks, healthCheckFailures, nonProtocolLines];
  perServer.push(definitionChanges);

  return {
    serverAdded(server) {
      // Series exist from the start, so that rate() and increase() see the first event.
      for (const counter of perServer) counter.inc({ server }, 0);
      for (const reason of REJECTION_REASONS) rejected.inc({ server, reason }, 0);
      queueDepth.set({ server }, 0);
    },
    request({ server, method, status, durationSeconds }) {
      requests.inc({ server, method, status });
      duration.observe({ server, method }, durationSeconds);
    },
    rejected(server, reason) {
      rejected.inc({ server, reason });
    },
    queueDepth(server, depth) {
      queueDepth.set({ server }, depth);
    },
    sessionsChanged(transport, open) {
      activeSessions.set({ transport }, open);
    },
    stateChanged(server, state) {
      backendUp.set({ server }, isUp(state) ? 1 : 0);
      for (const each of BACKEND_STATES) {
        backendState.set({ server, state: each }, each === state ? 1 : 0);
      }
    },
    restarted(server) {
      restarts.inc({ server });
    },
    healthChecked(server, healthy) {
      healthChecks.inc({ server });
      if (!healthy) healthCheckFailures.inc({ server });
    },
    translationDropped({ from, to, feature }) {
      translationDrops.inc({ from, to, feature });
    },
    nonProtocolLine(server) {
      nonProtocolLines.inc({ server });
    },
    toolDefinitionChanged(server) {
      definitionChanges.inc({ server });
    },
    clientSessionsChanged(server, open) {
      clientSessions.set({ server }, open);
    },
    serverRemoved(server, methods) {
      for (const method of methods) {
        duration.remove({ server, method });
        for (const status of REQUEST_STATUSES) requests.remove({ server, method, status });
      }
      backendUp.remove({ server });
      clientSessions.remove({ server });
      queueDepth.remove({ server });
      for (const reason of REJECTION_REASONS) rejected.remove({ server, reason });
      for (const state of BACKEND_STATES) backendState.remove({ server, state });
      for (const counter of perServer) counter.remove({ server });
    },
  };
}
