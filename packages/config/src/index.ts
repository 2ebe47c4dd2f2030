/**
 * `@switchyard/config`: reads Switchyard, seed (mcp-rust-proxy) and `mcpServers` configurations
 * into one validated model (spec C1-C4, C6). This entry is browser-safe; reading files from disk
 * is in `@switchyard/config/node`.
 */
export {
  ConfigError,
  type ConfigErrorCode,
  type ConfigIssue,
  formatConfigIssue,
} from './config-error.js';
export { configJsonSchema } from './json-schema.js';
export type {
  Dialect,
  HealthCheckConfig,
  HttpTransportConfig,
  ParseOptions,
  ServerConfig,
  SessionMode,
  StdioTransportConfig,
  SwitchyardConfig,
  TransportConfig,
  WebSocketTransportConfig,
} from './model.js';
export { SESSION_MODES } from './model.js';
export { normalizeConfig } from './normalize-config.js';
export { parseConfig } from './parse-config.js';
export { starterConfig } from './starter-config.js';
