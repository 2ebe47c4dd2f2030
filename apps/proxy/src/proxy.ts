import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { SwitchyardConfig } from '@switchyard/config';
import {
  createLogger,
  createSecretSet,
  createServerLogs,
  type Logger,
  redactingLogger,
  type SecretSet,
  type ServerLogs,
} from '@switchyard/logging';
import { createMetrics, type Metrics } from '@switchyard/metrics';
import { createBackendHub, type Router } from '@switchyard/router';
import { createHttpPool } from '@switchyard/transports';
import { logLineText } from './admin-api.js';
import { AuditLog, toolCallAuditor } from './audit-log.js';
import { createEndpoints, type Endpoints } from './endpoints.js';
import { createEventEmitter, type ProxyEvents, type ReloadSummary } from './events.js';
import { type Admission, createHttpApp } from './http-app.js';
import { createKeyRate } from './key-rate.js';
import { createLifecycle, type StartOptions } from './lifecycle.js';
import { MANAGEMENT_SERVER, managementServer } from './management-server.js';
import { routerObserver, supervisorObserver } from './observers.js';
import {
  configOf,
  type ProxyOptions,
  type ProxySettings,
  type RunningConfig,
  redactConfig,
  settingsOf,
} from './options.js';
import { redactedServer } from './redaction.js';
import { openServerState } from './server-state.js';
import { type Health, healthOf } from './status.js';
import { SupervisedBackends } from './supervised-backends.js';
import { createToolPinning, pinningModeOf } from './tool-pinning.js';
import { openToolPins, pinsFileBeside } from './tool-pins.js';

/** A running (or ready to run) Switchyard proxy. Its events: see {@link ProxyEvents}. */
export interface SwitchyardProxy extends ProxyEvents {
  /** Opens the HTTP server (unless told not to), then starts every backend. */
  start(options?: StartOptions): Promise<void>;
  /** Stops the HTTP server, ends client sessions and closes every backend. */
  stop(): Promise<void>;
  /** The web-standard handler for every HTTP endpoint, to mount in another Hono or Node app. */
  fetch(request: Request): Promise<Response>;
  /**
   * The WebSocket endpoints (`/ws`, `/servers/<name>/ws`): attach to a Node server's `upgrade`
   * event when embedding; {@link start} does it for its own server.
   */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Where the HTTP server listens once started (port 0 resolves to the real port). */
  readonly address: { host: string; port: number } | undefined;
  /**
   * Applies a new configuration while running (docs/operations.md, "Hot reload"): only the
   * server differences. Settings that need a restart of the proxy itself (address, naming,
   * limits) are reported in `needsRestart` and keep their running values.
   */
  reload(config: SwitchyardConfig): Promise<ReloadSummary>;
  /** The aggregate endpoint's router (the stdio front opens its sessions here). */
  readonly router: Router;
  readonly backends: SupervisedBackends;
  readonly metrics: Metrics;
  /** The configuration in force. */
  readonly config: SwitchyardConfig;
}

/**
 * Builds a proxy from a loaded config (`loadConfigFile`) or a plain config object in any of the
 * three dialects (validated here). Nothing starts until {@link SwitchyardProxy.start}.
 */
export function createProxy(
  input: SwitchyardConfig | Record<string, unknown>,
  options: ProxyOptions = {},
): SwitchyardProxy {
  const config = configOf(input);
  const settings = settingsOf(config, options);
  const running: RunningConfig = { current: config };
  // Secrets are known before anything is logged or spawned, and kept current by reloads.
  const secrets = options.secrets ?? createSecretSet();
  secrets.replace(settings.secrets);
  const logger = loggerOf(options, settings, secrets);
  const events = createEventEmitter((error, event) =>
    logger.warn('a proxy event listener threw', { event: event.type, error: String(error) }),
  );
  const metrics = createMetrics(settings.metrics);
  const logs = serverLogsOf(settings.serverLogs, logger, secrets);
  const pool = createHttpPool(settings.pool);
  const hub = createBackendHub();

  const backends = new SupervisedBackends({
    servers: settings.backends,
    connections: settings.connections,
    logger,
    metrics,
    logs,
    pool,
    hub,
    secrets,
    clock: settings.clock,
    state: openServerState(settings.state.file, settings.state.key, (error) =>
      logger.warn('cannot save the server state', { error: error.message }),
    ),
  });
  backends.supervisor.subscribe(supervisorObserver(events));
  const audit = auditLogOf(settings, secrets, logger);
  const pinning = createToolPinning({
    pins: openToolPins(
      pinsFileBeside(settings.state.file),
      () => settings.clock.now(),
      (error) => logger.warn('cannot save the tool pins', { error: error.message }),
      ({ server, tool, hash }) =>
        audit?.record({
          type: 'admin',
          action: 'approve',
          via: 'pins file',
          server,
          tool,
          status: 'ok',
          detail: { hash },
        }),
    ),
    modeOf: (server) => pinningModeOf(running.current, server),
    logger,
    metrics,
  });

  const definitionHash = (server: string, tool: string) => {
    const pin = pinning.pins.get(server, tool);
    return pin?.changed?.hash ?? pin?.hash;
  };
  const toolCalled = audit && toolCallAuditor(audit, definitionHash, settings.audit.arguments);

  const endpoints = createEndpoints({
    backends,
    hub,
    router: settings.router,
    fronts: settings.fronts,
    logger,
    observer: (server) => ({
      ...routerObserver(metrics, events, server, pinning.listed),
      ...(toolCalled ? { toolCalled } : {}),
    }),
    toolPolicy: pinning.policy,
  });
  const health = () => healthOf(backends, endpoints.main.router.sessionCount);
  if (settings.management)
    mountManagement({ backends, endpoints, metrics, logs, logger, health, running, secrets });

  const admission: Admission = { open: true };
  const http = createHttpApp({
    endpoints,
    backends,
    metrics,
    logs,
    loopbackOnly: settings.listen.loopbackOnly,
    mcpKeys: settings.mcpKeys,
    adminKeys: settings.adminKeys,
    allowedOrigins: settings.allowedOrigins,
    keyRate: createKeyRate(settings.rateLimitPerKey, settings.clock, () =>
      metrics.requestRejected('', 'rate_limited'),
    ),
    admission,
    health,
    secrets,
    pins: pinning.pins,
    ...(audit ? { audit } : {}),
  });
  const lifecycle = createLifecycle({
    listen: settings.listen,
    http,
    endpoints,
    backends,
    admission,
    running,
    events,
    logger,
    secrets,
    clock: settings.clock,
    shutdownDeadlineMs: settings.shutdownDeadlineMs,
    release: [() => pool.close(), async () => logs?.close(), () => logger.flush()],
  });

  return {
    start: (startOptions) => lifecycle.start(startOptions),
    stop: () => lifecycle.stop(),
    reload: async (next) => {
      const summary = await lifecycle.reload(next);
      audit?.record({
        type: 'admin',
        action: 'reload',
        via: 'config',
        status: 'ok',
        detail: { ...summary },
      });
      return summary;
    },
    fetch: (request) => http.fetch(request),
    handleUpgrade: (request, socket, head) => http.handleUpgrade(request, socket, head),
    on: (type, listener) => events.on(type, listener),
    off: (type, listener) => events.off(type, listener),
    get address() {
      return lifecycle.address;
    },
    router: endpoints.main.router,
    backends,
    metrics,
    get config() {
      return running.current;
    },
  };
}

/**
 * The proxy's logger: its own, redacting with `secrets`, or the one it was given, whose lines are
 * redacted before they reach it unless it was created with that same set (`options.secrets`).
 */
function loggerOf(options: ProxyOptions, settings: ProxySettings, secrets: SecretSet): Logger {
  if (options.logger === undefined) return createLogger({ ...settings.logger, secrets });
  return options.secrets === undefined ? redactingLogger(options.logger, secrets) : options.logger;
}

function serverLogsOf(
  settings: ProxySettings['serverLogs'],
  logger: Logger,
  secrets: SecretSet,
): ServerLogs | undefined {
  if (settings === undefined) return undefined;
  return createServerLogs({
    ...settings,
    secrets,
    onError: (error) =>
      logger.warn('server log file problem', { code: error.code, error: error.message }),
  });
}

/** The audit log (docs/operations.md, "Audit log"), or none when it is off. */
function auditLogOf(
  settings: ProxySettings,
  secrets: SecretSet,
  logger: Logger,
): AuditLog | undefined {
  if (settings.audit.file === undefined) return undefined;
  return new AuditLog({
    file: settings.audit.file,
    maxSizeBytes: settings.audit.maxSizeBytes,
    maxFiles: settings.audit.maxFiles,
    now: () => settings.clock.now(),
    secrets,
    onError: (error) => logger.warn('cannot write the audit log', { error: error.message }),
  });
}

/**
 * Mounts the built-in management server (docs/operations.md, "The management server") like any
 * backend, unless a configured server already has its name.
 */
function mountManagement(parts: {
  backends: SupervisedBackends;
  endpoints: Endpoints;
  metrics: Metrics;
  logs: ServerLogs | undefined;
  logger: Logger;
  health: () => Health;
  running: RunningConfig;
  secrets: SecretSet;
}): void {
  const { backends, logs } = parts;
  if (backends.has(MANAGEMENT_SERVER)) {
    parts.logger.warn(
      'a configured server is named "switchyard": the management server is not mounted',
    );
    return;
  }
  const server = managementServer({
    backends,
    config: () => redactConfig(parts.running.current),
    health: parts.health,
    metricsText: () => parts.metrics.render(),
    sessions: () => parts.endpoints.main.router.sessionCount,
    ...(logs
      ? {
          tail: async (name: string, lines: number, type?: 'stdout' | 'stderr') =>
            (await logs.tail(name, type ? { lines, type } : { lines })).map(logLineText),
        }
      : {}),
  });
  // Every answer of its tools and resources is redacted: it quotes backends (reasons, topology).
  backends.addVirtual(redactedServer(server, parts.secrets));
}
