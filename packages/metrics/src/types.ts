import type { BackendState } from '@switchyard/protocol';

/** Every value of the `status` label of `switchyard_requests_total` (docs/operations.md, "Metrics"). */
export const REQUEST_STATUSES = ['ok', 'error', 'timeout', 'cancelled'] as const;

/**
 * How a proxied request ended (the `status` label). `error` covers JSON-RPC error replies
 * and transport failures alike; `cancelled` is a client's `notifications/cancelled`, not a failure.
 */
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** One finished request, as the router reports it. */
export interface RequestRecord {
  /** The backend it was routed to, or `''` for a request the proxy answered alone. */
  server: string;
  /** The JSON-RPC method, e.g. `tools/call`. */
  method: string;
  status: RequestStatus;
  /** Wall time from receipt to reply; a negative or non-finite value is recorded as 0. */
  durationSeconds: number;
}

/**
 * Why a request was refused a slot, or refused for its rate (the `reason` label of
 * `switchyard_requests_rejected_total`, docs/operations.md, "Admission" and "Rate limits").
 */
export const REJECTION_REASONS = ['queue_full', 'queue_timeout', 'rate_limited'] as const;

export type RejectionReason = (typeof REJECTION_REASONS)[number];

/** A feature that was dropped while translating between two protocol revisions (docs/protocol-versions.md, "Drops are counted"). */
export interface TranslationDrop {
  /** The revision the message was written in, e.g. `2025-06-18`. */
  from: string;
  /** The revision it was translated into. */
  to: string;
  /** What was lost, e.g. `structuredContent` or `elicitation`. */
  feature: string;
}

/** One server's counts in a {@link MetricsSnapshot}. */
export interface ServerMetricsSnapshot {
  /** `null` until the supervisor has reported a state for this server. */
  state: BackendState | null;
  /** True while the state is `running` (a degraded backend's calls fail fast). */
  up: boolean;
  requests: number;
  /** Requests that ended with `error` or `timeout`. */
  errors: number;
  /** Sum of request durations, so that a caller sampling twice can derive mean latency. */
  durationSecondsSum: number;
  restarts: number;
  healthCheckFailures: number;
  nonProtocolLines: number;
  /** Requests refused a slot at this backend's gate (queue full or wait expired). */
  rejected: number;
}

/**
 * A plain JSON summary for the admin API and the management server's `proxy://metrics`. Per-server
 * entries describe servers present now; `totals` count since the metrics were created, including
 * servers removed since, so that rates derived from two samples never go negative.
 */
export interface MetricsSnapshot {
  servers: Record<string, ServerMetricsSnapshot>;
  /** Open sessions by front transport. */
  sessions: Record<string, number>;
  totals: {
    servers: number;
    serversUp: number;
    requests: number;
    errors: number;
    /** Requests refused a slot, at backends' gates and client sessions' own. */
    rejected: number;
    restarts: number;
    healthCheckFailures: number;
    activeSessions: number;
    translationDrops: number;
  };
}
