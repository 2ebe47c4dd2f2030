import type { BackendState } from '@switchyard/protocol';
import type { RejectionReason, RequestRecord, TranslationDrop } from '../types.js';

/** What a family's scrape-time gauges may read: the state `createMetrics` keeps for its snapshot. */
export interface MetricsState {
  readonly servers: ReadonlyMap<string, { readonly state: BackendState | null }>;
  readonly sessions: ReadonlyMap<string, number>;
}

/**
 * One naming scheme's metric definitions, fed the same events. Hooks are optional because the
 * seed's names cover fewer events than Switchyard's own.
 */
export interface MetricFamily {
  serverAdded?(server: string): void;
  request?(record: RequestRecord, failed: boolean): void;
  /** `server` is `''` for a client session's own gate. */
  rejected?(server: string, reason: RejectionReason): void;
  queueDepth?(server: string, depth: number): void;
  sessionsChanged?(transport: string, open: number): void;
  stateChanged?(server: string, state: BackendState): void;
  restarted?(server: string): void;
  healthChecked?(server: string, healthy: boolean): void;
  translationDropped?(drop: TranslationDrop): void;
  nonProtocolLine?(server: string): void;
  toolDefinitionChanged?(server: string): void;
  clientSessionsChanged?(server: string, open: number): void;
  /** `methods` lists every method recorded for the server, so labelled series can be found. */
  serverRemoved?(server: string, methods: ReadonlySet<string>): void;
}

/** Only a running backend serves traffic: calls to a degraded one (failing health checks) fail fast. */
export function isUp(state: BackendState | null): boolean {
  return state === 'running';
}
