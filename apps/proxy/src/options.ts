import type { SwitchyardConfig } from '@switchyard/config';

/** The version the proxy reports in `initialize` and `/health`. */
export const PROXY_VERSION = '0.1.0';

/**
 * Every value of the config that must never reach a log line (spec K3): backend env values,
 * header values and keys. The logger redacts them wherever they appear.
 */
export function secretsOf(config: SwitchyardConfig): string[] {
  const secrets: string[] = [];
  for (const server of config.servers) {
    const t = server.transport;
    if (t.type === 'stdio') secrets.push(...Object.values(t.env));
    else secrets.push(...Object.values(t.headers));
  }
  if (config.dashboard.apiKey) secrets.push(config.dashboard.apiKey);
  return secrets;
}
