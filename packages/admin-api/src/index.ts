export type {
  AdminClient,
  AdminClientOptions,
  LogQuery,
  Subscription,
} from './client.js';
export { AdminApiError, createAdminClient } from './client.js';
export type { SseEvent } from './sse.js';
export { createSseParser } from './sse.js';
export * from './types.js';
