export type {
  AdminClient,
  AdminClientOptions,
  LogQuery,
  Subscription,
  TraceClient,
} from './client.js';
export { AdminApiError, createAdminClient } from './client.js';
export type { SseEvent } from './sse.js';
export { createSseParser } from './sse.js';
export * from './trace-types.js';
export * from './types.js';
