import { configSecrets, type SwitchyardConfig } from '@switchyard/config';
import { createSecretSet, REDACTED } from '@switchyard/logging';
import type { JsonObject } from '@switchyard/protocol';

/*
 * The config's secrets, and the config as MCP clients may read it: part of the mapping of
 * `options.ts` (the one reader of the config), which re-exports both.
 */

/**
 * Every secret of the config (docs/operations.md, "Secrets"), as `@switchyard/config` classifies
 * them: the values the proxy's log, the server logs and every answer redact as whole tokens.
 */
export function secretsOf(config: SwitchyardConfig): string[] {
  return configSecrets(config);
}

/**
 * The config for `proxy://config`, which any MCP client of the proxy may read: every env and
 * header value and the dashboard key hidden whatever their names (a name that does not look
 * secret proves nothing to a reader), secrets elsewhere (arguments, URLs) redacted as tokens.
 */
export function redactConfig(config: SwitchyardConfig): JsonObject {
  const hide = (values: Record<string, string>) =>
    Object.fromEntries(Object.keys(values).map((key) => [key, REDACTED]));
  const { secretValues: _marked, ...shown } = config;
  const hidden = {
    ...shown,
    dashboard: config.dashboard.apiKey
      ? { ...config.dashboard, apiKey: REDACTED }
      : config.dashboard,
    servers: config.servers.map((server) => {
      const t = server.transport;
      return {
        ...server,
        transport:
          t.type === 'stdio' ? { ...t, env: hide(t.env) } : { ...t, headers: hide(t.headers) },
      };
    }),
  };
  return createSecretSet(secretsOf(config)).redactValue(hidden) as unknown as JsonObject;
}
