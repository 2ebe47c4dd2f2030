import type {
  Dialect,
  HealthCheckConfig,
  PinningMode,
  ServerConfig,
  SwitchyardConfig,
  TransportConfig,
} from '../model.js';
import { DEFAULTS } from './defaults.js';
import { omitUndefined } from './omit-undefined.js';
import { logFolderOf, statePath } from './state-dir.js';
import type { SwitchyardInput, SwitchyardServerInput } from './switchyard-schema.js';
import { inferRemoteTransport } from './url-checks.js';

/** What the model needs besides the validated file. */
export type ModelContext = {
  dialect: Dialect;
  file?: string | undefined;
  stateDir?: string | undefined;
  /** The file's absolute path, when read from one: it names the default log folder. */
  path?: string | undefined;
  plugins?: Record<string, unknown> | undefined;
  /** Values that substitution marked secret (`${secret:VAR}`, or a variable with a secret name). */
  secretValues?: string[] | undefined;
};

type HealthCheckInput = NonNullable<SwitchyardInput['healthCheck']>;

function mergeHealthCheck(
  base: HealthCheckConfig,
  override: HealthCheckInput | undefined,
): HealthCheckConfig {
  return { ...base, ...omitUndefined({ ...override }) };
}

function transportOf(name: string, server: SwitchyardServerInput): TransportConfig {
  if (server.command !== undefined) {
    return omitUndefined({
      type: 'stdio' as const,
      command: server.command,
      args: server.args ?? [],
      env: server.env ?? {},
      cwd: server.cwd ?? server.workingDirectory,
    });
  }
  const { url, transport = url === undefined ? undefined : inferRemoteTransport(url) } = server;
  if (url === undefined || transport === undefined || transport === 'stdio') {
    throw new Error(`server "${name}" passed validation without a command or a remote url`);
  }
  const headers = server.headers ?? {};
  if (transport === 'websocket')
    return { type: transport, url, headers, protocols: server.protocols ?? [] };
  return { type: transport, url, headers };
}

function serverOf(
  name: string,
  server: SwitchyardServerInput,
  healthCheck: HealthCheckConfig,
  pinning: PinningMode,
): ServerConfig {
  const defaults = DEFAULTS.server;
  return omitUndefined({
    name,
    enabled: server.enabled ?? defaults.enabled,
    transport: transportOf(name, server),
    restartOnFailure: server.restartOnFailure ?? defaults.restartOnFailure,
    maxRestarts: server.maxRestarts ?? defaults.maxRestarts,
    restartDelayMs: server.restartDelayMs ?? defaults.restartDelayMs,
    requestTimeoutMs: server.requestTimeoutMs,
    healthCheck: mergeHealthCheck(healthCheck, server.healthCheck),
    prefix: server.prefix ?? name,
    priority: server.priority ?? defaults.priority,
    lazy: server.lazy ?? defaults.lazy,
    idleStopMs: server.idleStopMs,
    sessions: server.sessions ?? defaults.sessions,
    era: server.era ?? defaults.era,
    eraRecheckMs: server.eraRecheckMs ?? defaults.eraRecheckMs,
    pinning: server.pinning ?? pinning,
  });
}

/**
 * Applies every default (docs/configuration.md, "Paths and defaults") to a validated file in
 * Switchyard's own shape and returns the model. Per-server health-check fields override the global
 * ones field by field.
 */
export function buildModel(input: SwitchyardInput, context: ModelContext): SwitchyardConfig {
  const healthCheck = mergeHealthCheck({ ...DEFAULTS.healthCheck }, input.healthCheck);
  const pinning = input.pinning ?? DEFAULTS.pinning;
  const config: SwitchyardConfig = {
    dialect: context.dialect,
    proxy: { ...DEFAULTS.proxy, ...omitUndefined({ ...input.proxy }) },
    naming: { ...DEFAULTS.naming, ...omitUndefined({ ...input.naming }) },
    logging: omitUndefined({
      level: input.logging?.level ?? DEFAULTS.logging.level,
      format: input.logging?.format ?? DEFAULTS.logging.format,
      dir:
        input.logging?.dir ??
        statePath(context.stateDir, `logs/${logFolderOf(context.path ?? context.file)}`),
      maxSizeBytes: input.logging?.maxSizeBytes ?? DEFAULTS.logging.maxSizeBytes,
      maxAgeDays: input.logging?.maxAgeDays ?? DEFAULTS.logging.maxAgeDays,
    }),
    metrics: { names: input.metrics?.names ?? DEFAULTS.metrics.names },
    dashboard: { ...DEFAULTS.dashboard, ...omitUndefined({ ...input.dashboard }) },
    management: { ...DEFAULTS.management, ...omitUndefined({ ...input.management }) },
    healthCheck,
    pinning,
    audit: omitUndefined({
      enabled: input.audit?.enabled ?? DEFAULTS.audit.enabled,
      path: input.audit?.path ?? statePath(context.stateDir, 'audit.jsonl'),
      arguments: input.audit?.arguments ?? DEFAULTS.audit.arguments,
      maxSizeBytes: input.audit?.maxSizeBytes ?? DEFAULTS.audit.maxSizeBytes,
      maxFiles: input.audit?.maxFiles ?? DEFAULTS.audit.maxFiles,
    }),
    contextTracing: omitUndefined({
      enabled: input.contextTracing?.enabled ?? DEFAULTS.contextTracing.enabled,
      // One database per config file, like the logs: two proxies never share (or mix) their traces.
      sqlitePath:
        input.contextTracing?.sqlitePath ??
        statePath(context.stateDir, `tracing/${logFolderOf(context.path ?? context.file)}.db`),
      retentionDays: input.contextTracing?.retentionDays ?? DEFAULTS.contextTracing.retentionDays,
      maxSizeMb: input.contextTracing?.maxSizeMb ?? DEFAULTS.contextTracing.maxSizeMb,
      cacheSize: input.contextTracing?.cacheSize ?? DEFAULTS.contextTracing.cacheSize,
      idleGapMs: input.contextTracing?.idleGapMs ?? DEFAULTS.contextTracing.idleGapMs,
      weights: {
        ...DEFAULTS.contextTracing.weights,
        ...omitUndefined({ ...input.contextTracing?.weights }),
      },
    }),
    openTelemetry: {
      enabled: input.openTelemetry?.enabled ?? DEFAULTS.openTelemetry.enabled,
      endpoint: input.openTelemetry?.endpoint ?? DEFAULTS.openTelemetry.endpoint,
      headers: { ...input.openTelemetry?.headers },
      serviceName: input.openTelemetry?.serviceName ?? DEFAULTS.openTelemetry.serviceName,
    },
    servers: Object.entries(input.servers ?? {}).map(([name, server]) =>
      serverOf(name, server, healthCheck, pinning),
    ),
  };
  if (context.file !== undefined) config.file = context.file;
  const stateFile = statePath(context.stateDir, 'server-state.json');
  if (stateFile !== undefined) config.stateFile = stateFile;
  if (context.plugins !== undefined) config.plugins = context.plugins;
  if (context.secretValues !== undefined && context.secretValues.length > 0)
    config.secretValues = context.secretValues;
  return config;
}
