/**
 * `@switchyard/config`: reads Switchyard, seed (mcp-rust-proxy) and `mcpServers` configurations
 * into one validated model (docs/configuration.md). This entry is browser-safe; reading files from
 * disk is in `@switchyard/config/node`.
 */
export { ConfigError } from './config-error.js';
export { configJsonSchema } from './json-schema.js';
export type {
  AuditArguments,
  ParseOptions,
  PinningMode,
  ServerConfig,
  SwitchyardConfig,
} from './model.js';
export { normalizeConfig } from './normalize-config.js';
export { parseConfig } from './parse-config.js';
export { configSecrets, isSecretName, isSensitiveHeader } from './secrets.js';
export { starterConfig } from './starter-config.js';
