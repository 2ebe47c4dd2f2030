export type { Metrics, MetricsOptions } from './metrics.js';
export { createMetrics } from './metrics.js';
