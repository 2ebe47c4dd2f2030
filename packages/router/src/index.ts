export type { BackendGates, GateLimits, Refusal } from './admission.js';
export { createBackendGates } from './admission.js';
export type { BackendEvents, BackendHub } from './backend-events.js';
export { createBackendHub } from './backend-events.js';
export type { BackendSessionOptions, PendingRequest, RequestOptions } from './backend-session.js';
export { BackendSession } from './backend-session.js';
export type { ClientSession } from './client-session.js';
export type {
  ExchangeEvent,
  ExchangeHandle,
  ExchangeTap,
  RouterObserver,
  SessionView,
  ToolPolicy,
  ToolVerdict,
} from './context.js';
export type { BackendDirectory, BackendEntry, SessionOwner } from './directory.js';
export type { NamingOptions } from './naming.js';
export { exposeName } from './naming.js';
export type { Outcome } from './outcome.js';
export type { KeyedRateLimiter, RateLimit, TokenBucket } from './rate-limit.js';
export { createKeyedRateLimiter, createTokenBucket } from './rate-limit.js';
export type { Router, RouterOptions } from './router.js';
export { createRouter } from './router.js';
export type {
  VirtualResource,
  VirtualResourceTemplate,
  VirtualServerDefinition,
  VirtualTool,
} from './virtual-server.js';
export { virtualTransport } from './virtual-server.js';
