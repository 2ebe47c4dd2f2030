import { normalizeConfig, type ServerConfig, type SwitchyardConfig } from '@switchyard/config';
import type { Logger, LoggerOptions, SecretSet } from '@switchyard/logging';
import { type Clock, systemClock } from '@switchyard/protocol';
import type { KeyPolicy } from './auth.js';
import { secretsOf } from './config-secrets.js';
import { defaultDashboardDir } from './dashboard-assets.js';
import { hashKey } from './keys.js';
import type { BackendOptions, BackendTarget, ProxySettings, TracingSettings } from './settings.js';
import { PROXY_INFO } from './version.js';

export { redactConfig, secretsOf } from './config-secrets.js';
export type {
  BackendOptions,
  BackendTarget,
  ConnectionSettings,
  FrontSettings,
  ListenSettings,
  ProxySettings,
  RouterSettings,
  TracingSettings,
} from './settings.js';

/**
 * The one place that reads the configuration: it maps a {@link SwitchyardConfig} (and the
 * {@link ProxyOptions} of whoever runs the proxy) to the options of each package and of each part
 * of the proxy. Everything else takes these settings, never the config.
 */

/** How a proxy is run, beyond its configuration. */
export interface ProxyOptions {
  /**
   * Where the proxy logs. Its secrets are redacted before anything reaches it, unless `secrets`
   * is given too: then the logger is taken to redact with that set itself.
   */
  logger?: Logger;
  /**
   * The set of secrets `logger` was created with (`createLogger({ secrets })`); the proxy fills it
   * from the config and keeps it current across reloads (docs/operations.md, "Secrets").
   */
  secrets?: SecretSet;
  /** Environment backends inherit allow-listed variables from (default `process.env`). */
  baseEnv?: Readonly<Record<string, string | undefined>>;
  /** Overrides `proxy.host` / `proxy.port` of the config (the CLI's `--host`, `--port`). */
  host?: string;
  port?: number;
  /**
   * Metric names on `/metrics`: Switchyard's, the seed's (`mcp_proxy_*`) for existing dashboards,
   * or both. Overrides `metrics.names` of the config.
   */
  metricNames?: 'switchyard' | 'seed' | 'both';
  /** Where run-time enable/disable choices are kept (docs/operations.md); default `config.stateFile`. */
  stateFile?: string;
  /** Write per-server log files under `logging.dir` (docs/operations.md, "Logs"). Default true. */
  logFiles?: boolean;
  /** The built dashboard to serve (docs/dashboard.md); `false`: none. Default: the one shipped. */
  dashboardDir?: string | false;
  /** How long `stop()` lets in-flight requests finish before closing backends. Default 10 s. */
  shutdownDeadlineMs?: number;
  /**
   * Time for every timeout, timer and timestamp of the proxy and the packages it composes
   * (router, supervisor, fronts, log files). Default: the system clock; tests pass a manual one.
   */
  clock?: Clock;
}

/**
 * The config as given: already normalized (by `loadConfigFile`), or a plain object in any of the
 * three dialects, validated here.
 */
export function configOf(input: SwitchyardConfig | Record<string, unknown>): SwitchyardConfig {
  const normalized =
    typeof input === 'object' &&
    input !== null &&
    'dialect' in input &&
    Array.isArray((input as { servers?: unknown }).servers);
  return normalized ? (input as SwitchyardConfig) : normalizeConfig(input);
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Maps a configuration and the run options to every part's settings. */
export function settingsOf(config: SwitchyardConfig, options: ProxyOptions = {}): ProxySettings {
  const clock = options.clock ?? systemClock;
  const host = options.host ?? config.proxy.host;
  const dashboardHost = config.dashboard.host ?? host;
  const loopbackOnly = isLoopback(host);
  const logDir = options.logFiles === false ? undefined : config.logging.dir;
  return {
    listen: {
      host,
      port: options.port ?? config.proxy.port,
      loopbackOnly,
      headersTimeoutMs: config.proxy.headersTimeoutMs,
      requestBodyTimeoutMs: config.proxy.requestBodyTimeoutMs,
      maxConnections: config.proxy.maxConnections,
      refusal:
        !loopbackOnly && config.proxy.apiKeys.length === 0 && !config.proxy.allowUnauthenticated
          ? `refusing to listen on ${host} without proxy.apiKeys; add a key (switchyard key) or set proxy.allowUnauthenticated`
          : undefined,
    },
    mcpKeys: { hashes: config.proxy.apiKeys },
    adminKeys: adminKeysOf(config, loopbackOnly && isLoopback(dashboardHost)),
    allowedOrigins: config.proxy.allowedOrigins,
    rateLimitPerKey: config.proxy.rateLimit.perKey,
    logger: { ...loggerOptionsOf(config), clock },
    secrets: secretsOf(config),
    serverLogs:
      logDir === undefined
        ? undefined
        : {
            dir: logDir,
            maxSizeBytes: config.logging.maxSizeBytes,
            maxAgeMs: config.logging.maxAgeDays * DAY_MS,
            clock,
          },
    metrics: { prefix: options.metricNames ?? config.metrics.names },
    pool: {
      connections: config.proxy.connectionPoolSize,
      headersTimeoutMs: config.proxy.requestTimeoutMs,
    },
    router: {
      naming: {
        strategy: config.naming.strategy,
        separator: config.naming.separator,
        globalPrefix: config.naming.globalPrefix,
        maxLength: config.naming.maxLength,
      },
      serverInfo: PROXY_INFO,
      requestTimeoutMs: config.proxy.requestTimeoutMs,
      maxConcurrentRequests: config.proxy.maxConcurrentRequests,
      maxQueuedRequests: config.proxy.maxQueuedRequests,
      queueTimeoutMs: config.proxy.queueTimeoutMs,
      maxRequestTimeoutMs: config.proxy.maxRequestTimeoutMs,
      ...(config.proxy.rateLimit.perSession
        ? { rateLimitPerSession: config.proxy.rateLimit.perSession }
        : {}),
      clock,
    },
    fronts: {
      maxMessageBytes: config.proxy.maxMessageBytes,
      streamResponses: config.proxy.streamResponses,
      clock,
    },
    connections: {
      baseEnv: options.baseEnv ?? process.env,
      maxMessageBytes: config.proxy.maxMessageBytes,
      clientInfo: PROXY_INFO,
      clock,
    },
    backends: backendOptionsOf(config),
    state: { file: options.stateFile ?? config.stateFile, key: config.file ?? '(inline)' },
    audit: {
      file: config.audit.enabled ? config.audit.path : undefined,
      arguments: config.audit.arguments,
      maxSizeBytes: config.audit.maxSizeBytes,
      maxFiles: config.audit.maxFiles,
    },
    management: config.management.enabled,
    tracing: tracingSettingsOf(config),
    telemetry: config.openTelemetry.enabled
      ? {
          endpoint: config.openTelemetry.endpoint,
          headers: config.openTelemetry.headers,
          serviceName: config.openTelemetry.serviceName,
        }
      : undefined,
    dashboard: {
      enabled: config.dashboard.enabled && options.dashboardDir !== false,
      host: dashboardHost,
      port: config.dashboard.port,
      dir:
        options.dashboardDir === false
          ? undefined
          : (options.dashboardDir ?? defaultDashboardDir()),
    },
    shutdownDeadlineMs: options.shutdownDeadlineMs ?? 10_000,
    clock,
  };
}

/** Context tracing's settings, or undefined when it is off or has nowhere to keep its database. */
function tracingSettingsOf(config: SwitchyardConfig): TracingSettings | undefined {
  const tracing = config.contextTracing;
  if (!tracing.enabled || tracing.sqlitePath === undefined) return undefined;
  return {
    file: tracing.sqlitePath,
    retentionDays: tracing.retentionDays,
    maxSizeBytes: tracing.maxSizeMb * 1024 * 1024,
    cacheSize: tracing.cacheSize,
    idleGapMs: tracing.idleGapMs,
    weights: tracing.weights,
  };
}

/**
 * The admin API's keys: `dashboard.apiKey` when set (kept as its hash, so it is compared like the
 * MCP keys, in constant time); without one, open on loopback and closed beyond it
 * (docs/operations.md, "The admin API and keys").
 */
function adminKeysOf(config: SwitchyardConfig, loopbackOnly: boolean): KeyPolicy {
  const key = config.dashboard.apiKey;
  if (key !== undefined) return { hashes: [hashKey(key)] };
  if (loopbackOnly) return { hashes: [] };
  return {
    hashes: [],
    closed: 'the admin API needs dashboard.apiKey when bound beyond loopback',
  };
}

/**
 * The logger's level and format; the CLI's `--log-level` and `--log-format` take precedence. Its
 * secrets are a set the proxy keeps current ({@link ProxyOptions.secrets}).
 */
export function loggerOptionsOf(
  config: SwitchyardConfig,
  overrides: Pick<LoggerOptions, 'level' | 'format'> = {},
): Pick<LoggerOptions, 'level' | 'format'> {
  return {
    level: overrides.level ?? config.logging.level,
    format: overrides.format ?? config.logging.format,
  };
}

/**
 * Restart timing beyond the config's `restartDelayMs` and `maxRestarts` (docs/operations.md,
 * "Restarts"): the first failure in a row restarts at once, from the second the delay starts at
 * `restartDelayMs` and doubles up to a minute, restarts are counted over five minutes, and a
 * minute of stable running forgets earlier failures.
 */
const FIRST_RESTART_MS = 0;
const RESTART_CAP_MS = 60_000;
const RESTART_WINDOW_MS = 300_000;
const STABLE_AFTER_MS = 60_000;
const RESTART_JITTER = 0.2;

/** Every configured backend's settings, in config order. */
export function backendOptionsOf(config: SwitchyardConfig): BackendOptions[] {
  return config.servers.map(backendOptions);
}

function backendOptions(server: ServerConfig): BackendOptions {
  return {
    name: server.name,
    enabled: server.enabled,
    prefix: server.prefix ?? server.name,
    priority: server.priority,
    perClient: server.sessions === 'per-client',
    requestTimeoutMs: server.requestTimeoutMs,
    target: targetOf(server),
    restart: {
      onFailure: server.restartOnFailure,
      maxRestarts: server.maxRestarts,
      firstDelayMs: FIRST_RESTART_MS,
      baseDelayMs: server.restartDelayMs,
      maxDelayMs: Math.max(RESTART_CAP_MS, server.restartDelayMs),
      windowMs: RESTART_WINDOW_MS,
      stableMs: STABLE_AFTER_MS,
      jitter: RESTART_JITTER,
    },
    health: {
      enabled: server.healthCheck.enabled,
      intervalMs: server.healthCheck.intervalMs,
      timeoutMs: server.healthCheck.timeoutMs,
      failureThreshold: server.healthCheck.failureThreshold,
      method: server.healthCheck.method,
    },
    lazy: server.lazy,
    idleStopMs: server.idleStopMs,
    era: server.era,
    eraRecheckMs: server.eraRecheckMs,
  };
}

function targetOf(server: ServerConfig): BackendTarget {
  const t = server.transport;
  switch (t.type) {
    case 'stdio':
      return { type: 'stdio', command: t.command, args: t.args, env: t.env, cwd: t.cwd };
    case 'websocket':
      return { type: 'websocket', url: t.url, headers: t.headers, protocols: t.protocols };
    default:
      return { type: t.type, url: t.url, headers: t.headers };
  }
}

/**
 * Sections read once at start: a reload reports a change to them in `needsRestart` and keeps
 * their running values (docs/operations.md, "Hot reload").
 */
const RESTART_ONLY_SETTINGS = [
  'proxy',
  'naming',
  'logging',
  'dashboard',
  'contextTracing',
] as const;

/** The config a reload puts in force, and which restart-only sections it could not apply. */
export function reloadedConfig(
  current: SwitchyardConfig,
  next: SwitchyardConfig,
): { config: SwitchyardConfig; needsRestart: string[] } {
  const needsRestart = RESTART_ONLY_SETTINGS.filter(
    (key) => JSON.stringify(current[key]) !== JSON.stringify(next[key]),
  );
  const config = {
    ...next,
    ...Object.fromEntries(RESTART_ONLY_SETTINGS.map((key) => [key, current[key]])),
  } as SwitchyardConfig;
  return { config, needsRestart: [...needsRestart] };
}

/** The config with restarts turned off, for probing each backend once (`switchyard check --ping`). */
export function withoutRestarts(config: SwitchyardConfig): SwitchyardConfig {
  return { ...config, servers: config.servers.map((s) => ({ ...s, restartOnFailure: false })) };
}

/** The first line of `switchyard check`: the file, its dialect and how many servers it has. */
export function describeConfig(config: SwitchyardConfig): string {
  return `${config.file ?? 'config'}: valid (${config.dialect} dialect), ${config.servers.length} server(s)`;
}

/** One line of `switchyard check`: a backend and where it is reached. */
export function describeBackend(backend: BackendOptions): string {
  const t = backend.target;
  const target = t.type === 'stdio' ? [t.command, ...t.args].join(' ') : t.url;
  return `${backend.name}  ${t.type}  ${backend.enabled ? '' : '(disabled)  '}${target}`;
}

/** The configuration in force, replaced by each reload. */
export interface RunningConfig {
  current: SwitchyardConfig;
}

export function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || host.startsWith('127.');
}
