export { createProxy } from './proxy.js';
export type { SwitchyardProxy, ProxyOptions, StartOptions } from './proxy.js';
export { PROXY_VERSION } from './options.js';
