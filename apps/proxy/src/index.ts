export { verifyAuditLines } from './audit-log.js';
export type {
  ProxyEvent,
  ProxyEventListener,
  ProxyEventOf,
  ProxyEvents,
  ProxyEventType,
  ReloadSummary,
} from './events.js';
export type { StartOptions } from './lifecycle.js';
export type { ProxyOptions } from './options.js';
export type { SwitchyardProxy } from './proxy.js';
export { createProxy } from './proxy.js';
export type { BackendSummary } from './supervised-backends.js';
export { PROXY_VERSION } from './version.js';
