import { omitUndefined } from './omit-undefined.js';
import type { SeedInput } from './seed-schema.js';
import type { SwitchyardInput, SwitchyardServerInput } from './switchyard-schema.js';

type SeedServer = NonNullable<SeedInput['servers']>[string];
type SeedHealthCheck = NonNullable<NonNullable<SeedInput['healthChecks']>[string]>;
type HealthCheckInput = NonNullable<SwitchyardServerInput['healthCheck']>;

const secondsToMs = (seconds: number | undefined) =>
  seconds === undefined ? undefined : seconds * 1000;

/**
 * The seed's health-check fields in Switchyard's terms: seconds become milliseconds and
 * `maxAttempts` (or the README's `threshold`) the failure threshold. `retryIntervalSeconds` has no
 * counterpart: Switchyard probes at `intervalMs` and counts consecutive failures.
 */
function healthCheck(seed: Partial<SeedHealthCheck> | undefined): HealthCheckInput {
  if (seed === undefined) return {};
  return omitUndefined({
    enabled: seed.enabled,
    intervalMs: secondsToMs(seed.intervalSeconds),
    timeoutMs: seed.timeoutMs ?? secondsToMs(seed.timeoutSeconds),
    failureThreshold: seed.threshold ?? seed.maxAttempts,
  });
}

/** How the server is reached: the seed's tagged `transport`, stdio when it is left out. */
function endpoint(server: SeedServer): SwitchyardServerInput {
  const transport = server.transport ?? { type: 'stdio' as const };
  switch (transport.type) {
    case 'stdio':
      return {
        command: server.command,
        args: server.args,
        env: server.env,
        cwd: server.workingDirectory,
      };
    case 'httpSse':
      return {
        url: transport.url,
        transport: 'sse',
        headers: transport.headers,
        requestTimeoutMs: transport.timeoutMs,
      };
    case 'webSocket':
      return { url: transport.url, transport: 'websocket', protocols: transport.protocols };
  }
}

/**
 * Maps a validated seed file onto Switchyard's own dialect. Settings the seed declared but never
 * used (`staticDir`, `storageType`, `cacheTtlSeconds`, `initializationDelayMs`, `autoReconnect`,
 * `maxConnectionsPerServer`) are accepted and dropped; `plugins` is kept as is.
 */
export function fromSeed(seed: SeedInput): {
  input: SwitchyardInput;
  plugins?: Record<string, unknown>;
} {
  const servers: NonNullable<SwitchyardInput['servers']> = {};
  for (const [name, server] of Object.entries(seed.servers ?? {})) {
    const checks = {
      ...healthCheck(server.healthCheck),
      ...healthCheck(seed.healthChecks?.[name]),
    };
    servers[name] = {
      ...endpoint(server),
      enabled: server.enabled,
      restartOnFailure: server.restartOnFailure,
      maxRestarts: server.maxRestarts,
      restartDelayMs: server.restartDelayMs,
      ...(Object.keys(checks).length === 0 ? {} : { healthCheck: checks }),
    };
  }
  const webUi = seed.webUI ?? seed.webUi;
  const level = seed.logging?.level;
  const input: SwitchyardInput = {
    servers,
    proxy: seed.proxy && {
      host: seed.proxy.host,
      port: seed.proxy.port,
      connectionPoolSize: seed.proxy.connectionPoolSize,
      requestTimeoutMs: seed.proxy.requestTimeoutMs,
      maxConcurrentRequests: seed.proxy.maxConcurrentRequests,
    },
    dashboard: webUi && {
      enabled: webUi.enabled,
      host: webUi.host,
      port: webUi.port,
      apiKey: webUi.apiKey,
    },
    healthCheck: seed.healthCheck && healthCheck(seed.healthCheck),
    contextTracing: seed.contextTracing && {
      enabled: seed.contextTracing.enabled,
      sqlitePath: seed.contextTracing.sqlitePath,
      cacheSize: seed.contextTracing.cacheSize,
      retentionDays: seed.contextTracing.retentionDays,
    },
    logging: seed.logging && {
      level: level === 'trace' ? 'debug' : level,
      format: seed.logging.format,
    },
  };
  return seed.plugins === undefined ? { input } : { input, plugins: seed.plugins };
}
