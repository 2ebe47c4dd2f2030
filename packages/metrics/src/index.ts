export type { Metrics, MetricsOptions } from './metrics.js';
export { createMetrics } from './metrics.js';
export type {
  BackendState,
  MetricsSnapshot,
  RequestRecord,
  RequestStatus,
  ServerMetricsSnapshot,
  TranslationDrop,
} from './types.js';
export { BACKEND_STATES, REQUEST_STATUSES } from './types.js';
