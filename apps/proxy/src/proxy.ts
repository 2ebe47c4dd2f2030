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
import {
  type BackendHub,
  createBackendHub,
  type ExchangeTap,
  type Router,
  type VirtualServerDefinition,
} from '@switchyard/router';
import { createHttpPool } from '@switchyard/transports';
import { logLineText } from './admin-api.js';
import { configView, validateConfigText } from './admin-config.js';
import { createAdminRpc } from './admin-rpc.js';
import { type AdminState, createAdminState } from './admin-state.js';
import { AuditLog, toolCallAuditor } from './audit-log.js';
import { createEndpoints, type Endpoints } from './endpoints.js';
import { createEventEmitter, type ProxyEvents, type ReloadSummary } from './events.js';
import {
  type Admission,
  createDashboardApp,
  createHttpApp,
  type HttpAppOptions,
} from './http-app.js';
import { createKeyRate } from './key-rate.js';
import { createLifecycle, type Lifecycle, type StartOptions } from './lifecycle.js';
import { MANAGEMENT_SERVER, managementServer } from './management-server.js';
import {
  combineObservers,
  modernDropObserver,
  modernSharedObserver,
  recordAfterAnswers,
  routerObserver,
  supervisorObserver,
} from './observers.js';
import {
  configOf,
  isLoopback,
  type ProxyOptions,
  type ProxySettings,
  type RunningConfig,
  redactConfig,
  settingsOf,
} from './options.js';
import { redactedServer } from './redaction.js';
import { openServerState } from './server-state.js';
import { createSpanTap, type SpanTap } from './spans.js';
import { type Health, healthOf } from './status.js';
import { SupervisedBackends } from './supervised-backends.js';
import { createToolPinning, pinningModeOf } from './tool-pinning.js';
import { openToolPins, pinsFileBeside } from './tool-pins.js';
import { composeTaps, openTracing } from './tracing.js';
import { PROXY_VERSION } from './version.js';

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
   * The dashboard's address once started: the proxy's own, or its own port's with `dashboard.port`;
   * undefined when the dashboard is off or the proxy does not listen.
   */
  readonly dashboardAddress: { host: string; port: number } | undefined;
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
  const admin = adminStateOf(backends, hub, settings, secrets);
  const audit = auditLogOf(settings, secrets, logger);
  const pinning = pinningOf(settings, running, { logger, metrics }, audit);

  const definitionHash = (server: string, tool: string) => {
    const pin = pinning.pins.get(server, tool);
    return pin?.changed?.hash ?? pin?.hash;
  };
  const toolCalled = audit && toolCallAuditor(audit, definitionHash, settings.audit.arguments);
  const tracing =
    settings.tracing && openTracing(settings.tracing, { ...settings, secrets, logger });
  const telemetry = telemetryOf(settings, backends);

  const endpoints = createEndpoints({
    backends,
    hub,
    router: settings.router,
    fronts: settings.fronts,
    logger,
    observer: (server) =>
      recordAfterAnswers(
        combineObservers(
          routerObserver(metrics, events, server, pinning.listed),
          admin.observer(server ?? 'main'),
          toolCalled ? { toolCalled } : {},
        ),
      ),
    toolPolicy: pinning.policy,
    tap: composeTaps(tracing?.tap, telemetry.tap),
    onModernDropped: modernDropObserver(metrics, logger),
    onModernShared: modernSharedObserver(logger),
  });
  admin.setSessions(() => endpoints.sessions());
  const health = () => healthOf(backends, endpoints.main.router.sessionCount);
  if (settings.management)
    mountManagement({ backends, endpoints, metrics, logs, logger, health, running, secrets });
  if (tracing) mountVirtual(backends, redactedServer(tracing.tracer.server, secrets), logger);

  const adminParts: HttpAppOptions['admin'] = {
    state: admin,
    config: () => configView(running.current),
    validate: (text, format) => validateConfigText(text, format, secrets),
    rpc: createAdminRpc(endpoints.main.router, settings.clock),
    tracer: tracing?.tracer,
  };
  const admission: Admission = { open: true };
  const httpOptions: HttpAppOptions = {
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
    admin: adminParts,
    dashboard: sharedDashboardOf(settings),
  };
  const http = createHttpApp(httpOptions);
  const lifecycle = createLifecycle({
    dashboard: ownDashboardOf(settings, httpOptions),
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
    release: [
      () => pool.close(),
      async () => tracing?.close(),
      () => telemetry.shutdown(),
      async () => logs?.close(),
      () => logger.flush(),
    ],
  });

  return {
    start: async (startOptions) => {
      await telemetry.ready;
      await lifecycle.start(startOptions);
    },
    stop: () => lifecycle.stop(),
    reload: reloaderOf(lifecycle, admin, audit),
    fetch: (request) => http.fetch(request),
    handleUpgrade: (request, socket, head) => http.handleUpgrade(request, socket, head),
    on: (type, listener) => events.on(type, listener),
    off: (type, listener) => events.off(type, listener),
    get address() {
      return lifecycle.address;
    },
    get dashboardAddress() {
      if (!settings.dashboard.enabled) return undefined;
      return settings.dashboard.port === undefined ? lifecycle.address : lifecycle.dashboardAddress;
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

/** Tool pinning (docs/operations.md, "Tool pinning"): its file beside the state file, approvals audited. */
function pinningOf(
  settings: ProxySettings,
  running: RunningConfig,
  { logger, metrics }: { logger: Logger; metrics: Metrics },
  audit: AuditLog | undefined,
) {
  return createToolPinning({
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
}

/** A reload applied, its removed servers forgotten by the admin API, and audited. */
function reloaderOf(
  lifecycle: Lifecycle,
  admin: AdminState,
  audit: AuditLog | undefined,
): SwitchyardProxy['reload'] {
  return async (next) => {
    const summary = await lifecycle.reload(next);
    for (const name of summary.removed) admin.serverRemoved(name);
    audit?.record({
      type: 'admin',
      action: 'reload',
      via: 'config',
      status: 'ok',
      detail: { ...summary },
    });
    return summary;
  };
}

/** The dashboard at `/` of the proxy's port; on a port of its own, it has its own server. */
function sharedDashboardOf(settings: ProxySettings): HttpAppOptions['dashboard'] {
  const { dashboard } = settings;
  return dashboard.enabled && dashboard.port === undefined ? { dir: dashboard.dir } : false;
}

/** The dashboard's own server when `dashboard.port` is set (docs/dashboard.md). */
function ownDashboardOf(settings: ProxySettings, http: HttpAppOptions) {
  const { dashboard } = settings;
  if (!dashboard.enabled || dashboard.port === undefined) return undefined;
  return {
    listen: { ...settings.listen, host: dashboard.host, port: dashboard.port },
    app: createDashboardApp({
      ...http,
      loopbackOnly: settings.listen.loopbackOnly && isLoopback(dashboard.host),
      dir: dashboard.dir,
    }),
  };
}

/** What the admin API knows beyond the supervisor: fed by its events and by the backend hub. */
function adminStateOf(
  backends: SupervisedBackends,
  hub: BackendHub,
  settings: ProxySettings,
  secrets: SecretSet,
): AdminState {
  const admin = createAdminState({
    backends,
    naming: settings.router.naming,
    clock: settings.clock,
    redact: (text) => secrets.redact(text),
    listTimeoutMs: settings.router.requestTimeoutMs,
  });
  backends.supervisor.subscribe((event) => admin.observe(event));
  hub.join(admin.inventory.events);
  return admin;
}

/** Mounts an in-process server (tracing) like any backend, unless a configured one has its name. */
function mountVirtual(
  backends: SupervisedBackends,
  server: VirtualServerDefinition,
  logger: Logger,
): void {
  if (backends.has(server.name)) {
    logger.warn(`a configured server is named "${server.name}": the built-in one is not mounted`);
    return;
  }
  backends.addVirtual(server);
}

/**
 * Spans over OTLP/HTTP (docs/tracing.md, "OpenTelemetry"). The OpenTelemetry packages are loaded
 * only when it is on (`ready` settles once they are); until then, and when off, the tap is absent.
 */
function telemetryOf(settings: ProxySettings, backends: SupervisedBackends) {
  const config = settings.telemetry;
  let spans: SpanTap | undefined;
  const ready = config
    ? createSpanTap({
        ...config,
        serviceVersion: PROXY_VERSION,
        transportOf: (server) => backends.transportOf(server),
      }).then((created) => {
        spans = created;
      })
    : Promise.resolve();
  const tap: ExchangeTap | undefined = config ? (event) => spans?.tap(event) : undefined;
  return { ready, tap, shutdown: async () => spans?.shutdown() };
}
