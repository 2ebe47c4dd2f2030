export type { Metrics, MetricsOptions } from './metrics.js';
export { createMetrics } from './metrics.js';
export type {
  RequestSummary,
  RequestWindows,
  RequestWindowsOptions,
  SeriesPoint,
  ServerWindows,
  WindowName,
  WindowStats,
} from './request-windows.js';
export { createRequestWindows } from './request-windows.js';
export type { RequestRecord, RequestStatus } from './types.js';
