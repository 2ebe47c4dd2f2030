export type {
  BackendSessionOptions,
  BackendTransport,
  Outcome,
  PendingRequest,
  RequestOptions,
} from './backend-session.js';
export { BackendSession, BackendSessionError } from './backend-session.js';
export type { SessionInfo, Sink } from './client-session.js';
export { ClientSession } from './client-session.js';
export { decodeCursor, encodeCursor } from './cursor.js';
export type { BackendDirectory, BackendEntry, BackendState, SessionOwner } from './directory.js';
export type { NamingOptions } from './naming.js';
export { exposeName, parseExposedName } from './naming.js';
export type { Router, RouterObserver, RouterOptions } from './router.js';
export { createRouter } from './router.js';
export type { VirtualResource, VirtualServerDefinition, VirtualTool } from './virtual-server.js';
export { virtualTransport } from './virtual-server.js';
