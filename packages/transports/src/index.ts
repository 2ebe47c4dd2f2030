export {
  StdioBackendTransport,
  DEFAULT_INHERITED_ENV,
  backendEnvironment,
} from './stdio-backend.js';
export type { SpawnFunction, StdioBackendOptions } from './stdio-backend.js';
export { StdioFrontTransport } from './stdio-front.js';
export type { StdioFrontOptions } from './stdio-front.js';
export { createStreamableHttpFront } from './streamable-http-front.js';
export type { StreamableHttpFront, StreamableHttpFrontOptions } from './streamable-http-front.js';
export { TransportError } from './transport.js';
export type {
  FrontKind,
  FrontSession,
  MessageTransport,
  OpenSession,
  SessionSink,
} from './transport.js';
