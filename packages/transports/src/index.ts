export type {
  EventReplay,
  EventStore,
  MemoryEventStoreOptions,
  StoredEvent,
} from './event-store.js';
export { createMemoryEventStore } from './event-store.js';
export type {
  FetchLike,
  HttpPool,
  HttpPoolOptions,
  HttpRequest,
  HttpRequestOptions,
} from './http-pool.js';
export { createHttpPool } from './http-pool.js';
export type { BodySource } from './internal/read-limited.js';
export type { RemoteBackendOptions } from './remote-backend.js';
export { BACKEND_SESSION_EXPIRED, createRemoteBackendTransport } from './remote-backend.js';
export type { SseFront, SseFrontOptions } from './sse-front.js';
export { createSseFront } from './sse-front.js';
export type { SpawnFunction, StdioBackendOptions } from './stdio-backend.js';
export {
  backendEnvironment,
  DEFAULT_INHERITED_ENV,
  StdioBackendTransport,
} from './stdio-backend.js';
export type { StdioFrontOptions } from './stdio-front.js';
export { StdioFrontTransport } from './stdio-front.js';
export type { StreamableHttpFront, StreamableHttpFrontOptions } from './streamable-http-front.js';
export { createStreamableHttpFront } from './streamable-http-front.js';
export type {
  FrontKind,
  FrontSession,
  MessageTransport,
  OpenSession,
  SessionSink,
} from './transport.js';
export { TransportError } from './transport.js';
export type { WebSocketFront, WebSocketFrontOptions } from './websocket-front.js';
export { createWebSocketFront } from './websocket-front.js';
