export { PROXY_VERSION } from './options.js';
export type { ProxyOptions, ReloadSummary, StartOptions, SwitchyardProxy } from './proxy.js';
export { createProxy } from './proxy.js';
