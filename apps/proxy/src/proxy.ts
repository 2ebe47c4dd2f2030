import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type ServerType, serve } from '@hono/node-server';
import { normalizeConfig, type SwitchyardConfig } from '@switchyard/config';
import { createLogger, createServerLogs, type Logger } from '@switchyard/logging';
import { createMetrics, type Metrics } from '@switchyard/metrics';
import {
  ErrorCode,
  type JsonRpcNotification,
  type JsonRpcRequest,
  toJsonRpcError,
} from '@switchyard/protocol';
import {
  type BackendDirectory,
  type BackendSession,
  createRouter,
  type NamingOptions,
  type Outcome,
  type Router,
} from '@switchyard/router';
import {
  type BodySource,
  createHttpPool,
  createSseFront,
  createStreamableHttpFront,
  createWebSocketFront,
  type OpenSession,
  type SseFront,
  type StreamableHttpFront,
  type WebSocketFront,
} from '@switchyard/transports';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { adminApi, logLineText } from './admin-api.js';
import { createOriginCheck, httpGuard } from './http-guard.js';
import { bearerToken, keyMatches } from './keys.js';
import { MANAGEMENT_SERVER, managementServer } from './management-server.js';
import { PROXY_VERSION, secretsOf } from './options.js';
import { openServerState } from './server-state.js';
import { SupervisedBackends } from './supervised-backends.js';

export interface ProxyOptions {
  logger?: Logger;
  /** Environment backends inherit allow-listed variables from (default `process.env`). */
  baseEnv?: Readonly<Record<string, string | undefined>>;
  /** Overrides `proxy.host` / `proxy.port` of the config (the CLI's `--host`, `--port`). */
  host?: string;
  port?: number;
  /** Metric names on `/metrics`: Switchyard's, the seed's (`mcp_proxy_*`) for existing dashboards, or both. */
  metricNames?: 'switchyard' | 'seed' | 'both';
  /** Where run-time enable/disable choices are kept (spec S4); default `config.stateFile`. */
  stateFile?: string;
  /** Write per-server log files under `logging.dir` (spec L1). Default true. */
  logFiles?: boolean;
  /** How long `stop()` lets in-flight requests finish before closing backends (spec S6). Default 10 s. */
  shutdownDeadlineMs?: number;
}

export interface StartOptions {
  /** Listen on `host:port` (default). False when embedding through {@link SwitchyardProxy.fetch} or in `--stdio`. */
  listen?: boolean;
}

/** A running (or ready to run) Switchyard proxy. */
export interface SwitchyardProxy {
  /** Starts every backend, then (unless told not to) the HTTP server. */
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
   * Applies a new configuration while running (spec C5): only the server differences, see
   * {@link SupervisedBackends.apply}. Settings that need a restart of the proxy itself (address,
   * naming, limits) are reported in `needsRestart` and keep their running values.
   */
  reload(config: SwitchyardConfig): Promise<ReloadSummary>;
  readonly router: Router;
  readonly backends: SupervisedBackends;
  readonly metrics: Metrics;
  readonly config: SwitchyardConfig;
}

/** One router with every front transport in front of it (the aggregated endpoint, or one backend's). */
interface Endpoint {
  router: Router;
  http: StreamableHttpFront;
  sse: SseFront;
  ws: WebSocketFront;
}

/** What a reload changed. */
export interface ReloadSummary {
  added: string[];
  removed: string[];
  restarted: string[];
  needsRestart: string[];
}

const RESTART_ONLY_SETTINGS = [
  'proxy',
  'naming',
  'logging',
  'dashboard',
  'contextTracing',
] as const;

function isNormalized(input: unknown): input is SwitchyardConfig {
  return (
    typeof input === 'object' &&
    input !== null &&
    'dialect' in input &&
    Array.isArray((input as { servers?: unknown }).servers)
  );
}

/**
 * Builds a proxy from a loaded config (`loadConfigFile`) or a plain config object in any of the
 * three dialects (validated here). Nothing starts until {@link SwitchyardProxy.start}.
 */
export function createProxy(
  input: SwitchyardConfig | Record<string, unknown>,
  options: ProxyOptions = {},
): SwitchyardProxy {
  const config = isNormalized(input) ? input : normalizeConfig(input);
  const logger =
    options.logger ??
    createLogger({
      level: config.logging.level,
      format: config.logging.format,
      secrets: secretsOf(config),
    });
  const host = options.host ?? config.proxy.host;
  const port = options.port ?? config.proxy.port;
  let current = config;

  const metrics = createMetrics({ prefix: options.metricNames ?? 'switchyard' });
  const logDir = options.logFiles === false ? undefined : config.logging.dir;
  const logs =
    logDir === undefined
      ? undefined
      : createServerLogs({
          dir: logDir,
          secrets: secretsOf(config),
          onError: (error) =>
            logger.warn('server log file problem', { code: error.code, error: error.message }),
        });
  // Backend events reach the aggregated router and the backend's own endpoint router, if open.
  const endpoints = new Map<string, Endpoint>();
  let router: Router | undefined;
  const hub = {
    backendNotification: (name: string, notification: JsonRpcNotification) => {
      router?.backendNotification(name, notification);
      endpoints.get(name)?.router.backendNotification(name, notification);
    },
    backendsChanged: (name?: string) => {
      router?.backendsChanged(name);
      if (name) endpoints.get(name)?.router.backendsChanged(name);
    },
    backendRequest: (
      name: string,
      session: BackendSession,
      request: JsonRpcRequest,
    ): Promise<Outcome> =>
      router?.backendRequest(session, request) ??
      endpoints.get(name)?.router.backendRequest(session, request) ??
      Promise.resolve({
        kind: 'error',
        error: toJsonRpcError(
          ErrorCode.InternalError,
          `Cannot relay ${request.method}: no client request is waiting on backend "${name}"`,
        ),
      }),
  };
  const pool = createHttpPool({
    connections: config.proxy.connectionPoolSize,
    headersTimeoutMs: config.proxy.requestTimeoutMs,
  });
  const backends = new SupervisedBackends({
    servers: config.servers,
    logger,
    baseEnv: options.baseEnv ?? process.env,
    maxMessageBytes: config.proxy.maxMessageBytes,
    router: () => hub,
    metrics,
    logs,
    pool,
    state: openServerState(
      options.stateFile ?? config.stateFile,
      config.file ?? '(inline)',
      (error) => logger.warn('cannot save the server state', { error: error.message }),
    ),
  });
  const routerFor = (directory: BackendDirectory, naming: NamingOptions) =>
    createRouter({
      backends: directory,
      naming,
      serverInfo: { name: 'switchyard', version: PROXY_VERSION },
      requestTimeoutMs: config.proxy.requestTimeoutMs,
      maxConcurrentRequests: config.proxy.maxConcurrentRequests,
      maxRequestTimeoutMs: config.proxy.maxRequestTimeoutMs,
      requestTimeoutFor: (name) => current.servers.find((s) => s.name === name)?.requestTimeoutMs,
      logger: logger.child({ component: 'router' }),
      observer: {
        requestCompleted: (record) => metrics.recordRequest(record),
        sessionOpened: (transport) => metrics.sessionOpened(transport),
        sessionClosed: (transport) => metrics.sessionClosed(transport),
        translation: (event) => {
          if (event.action === 'dropped') metrics.translationDropped(event);
        },
      },
    });
  /** Every front transport (spec T2) in front of one router; `base` is where they are mounted. */
  const endpointOf = (target: Router, base: string): Endpoint => {
    const openSession: OpenSession = (sink, info) => target.openSession(sink, info);
    const maxMessageBytes = config.proxy.maxMessageBytes;
    return {
      router: target,
      http: createStreamableHttpFront({
        openSession,
        maxMessageBytes,
        streamResponses: config.proxy.streamResponses,
      }),
      sse: createSseFront({ openSession, maxMessageBytes, messagesPath: `${base}/messages` }),
      ws: createWebSocketFront({ openSession, maxMessageBytes }),
    };
  };
  router = routerFor(backends, {
    strategy: config.naming.strategy,
    separator: config.naming.separator,
    globalPrefix: config.naming.globalPrefix,
  });
  const main = endpointOf(router, '');
  /**
   * `/servers/<name>/mcp` (spec T3): one backend alone with its names untouched, through the same
   * supervision, routing and metrics; opened on first use.
   */
  const endpointFor = (name: string) => {
    const existing = endpoints.get(name);
    if (existing) return existing;
    if (!backends.supervisor.get(name)) return undefined;
    const only: BackendDirectory = {
      list: () => backends.list().filter((b) => b.name === name),
      wake: (n) => backends.wake(n),
      touch: (n) => backends.touch(n),
    };
    const own = routerFor(only, { strategy: 'none' });
    const endpoint = endpointOf(own, `/servers/${name}`);
    endpoints.set(name, endpoint);
    return endpoint;
  };

  const health = () => ({
    status: 'ok',
    version: PROXY_VERSION,
    sessions: (router as Router).sessionCount,
    backends: backends.summary(),
  });
  if (config.management.enabled) {
    if (config.servers.some((s) => s.name === MANAGEMENT_SERVER)) {
      logger.warn(
        'a configured server is named "switchyard": the management server is not mounted',
      );
    } else {
      backends.addVirtual(
        managementServer({
          backends,
          config: () => current,
          health,
          metricsText: () => metrics.render(),
          sessions: () => (router as Router).sessionCount,
          ...(logs
            ? {
                tail: async (server: string, lines: number, type?: 'stdout' | 'stderr') =>
                  (await logs.tail(server, type ? { lines, type } : { lines })).map(logLineText),
              }
            : {}),
        }),
      );
    }
  }

  const app = new Hono();
  app.use('*', httpGuard({ loopbackOnly: isLoopback(host) }));
  let draining = false;
  // Bearer keys for the MCP endpoints (spec K2), checked against their hashes in constant time.
  const mcpAuth: MiddlewareHandler = async (c, next) => {
    const hashes = config.proxy.apiKeys;
    if (hashes.length > 0 && !keyMatches(bearerToken(c.req.header('authorization')), hashes)) {
      return c.json(
        {
          jsonrpc: '2.0',
          id: null,
          error: { code: -32001, message: 'Unauthorized: a valid bearer key is required' },
        },
        401,
        { 'www-authenticate': 'Bearer' },
      );
    }
    await next();
  };
  app.use('/mcp', mcpAuth);
  app.use('/servers/*', mcpAuth);
  app.use('/sse', mcpAuth);
  app.use('/messages', mcpAuth);
  // The same three HTTP shapes on the aggregated endpoint and on each backend's own (T2, T3).
  /**
   * The Node request behind a Hono request (`@hono/node-server` passes it as `env.incoming`);
   * absent when the proxy is driven through `fetch` alone.
   */
  const incomingOf = (c: Context): BodySource | undefined =>
    (c.env as { incoming?: BodySource } | undefined)?.incoming;
  const route = (c: Context, pick: (endpoint: Endpoint) => Promise<Response> | Response) => {
    if (draining) return c.json({ error: 'Service Unavailable: the proxy is shutting down' }, 503);
    const name = c.req.param('name');
    const endpoint = name === undefined ? main : endpointFor(name);
    if (!endpoint) return c.json({ error: `no server named "${name}"` }, 404);
    return pick(endpoint);
  };
  for (const base of ['', '/servers/:name']) {
    app.all(`${base}/mcp`, (c) => route(c, (e) => e.http.handle(c.req.raw, incomingOf(c))));
    app.get(`${base}/sse`, (c) => route(c, (e) => e.sse.handleStream(c.req.raw)));
    app.post(`${base}/messages`, (c) =>
      route(c, (e) => e.sse.handleMessage(c.req.raw, incomingOf(c))),
    );
  }
  const checkOrigin = createOriginCheck({ loopbackOnly: isLoopback(host) });
  /**
   * WebSocket upgrades for `/ws` and `/servers/<name>/ws`: the same Origin/Host and key checks as
   * HTTP, done here because upgrades never reach the Hono app.
   */
  const handleUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refuse = (status: number, reason: string) => {
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    const header = (name: string) => {
      const value = request.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const match = /^(?:\/servers\/([^/]+))?\/ws$/.exec(path);
    if (!match) return refuse(404, 'Not Found');
    if (draining) return refuse(503, 'Service Unavailable');
    if (checkOrigin(header)) return refuse(403, 'Forbidden');
    const hashes = config.proxy.apiKeys;
    if (hashes.length > 0 && !keyMatches(bearerToken(header('authorization')), hashes)) {
      return refuse(401, 'Unauthorized');
    }
    const endpoint = match[1] === undefined ? main : endpointFor(decodeURIComponent(match[1]));
    if (!endpoint) return refuse(404, 'Not Found');
    endpoint.ws.handleUpgrade(request, socket, head);
  };
  app.get('/metrics', async (c) =>
    c.body(await metrics.render(), 200, { 'content-type': metrics.contentType }),
  );
  // Ready when every enabled backend runs (spec M2); liveness is /health.
  app.get('/ready', (c) => {
    const waiting = backends
      .list()
      .filter(
        (b) => b.state !== 'running' && !b.onDemand && backends.supervisor.get(b.name)?.enabled,
      )
      .map((b) => ({ name: b.name, state: b.state, reason: b.reason }));
    return c.json({ ready: waiting.length === 0, waiting }, waiting.length === 0 ? 200 : 503);
  });
  app.get('/health', (c) => c.json(health()));
  app.route(
    '/api',
    adminApi({ backends, logs, apiKey: config.dashboard.apiKey, exposed: !isLoopback(host) }),
  );

  let server: ServerType | undefined;
  let address: { host: string; port: number } | undefined;

  return {
    async start(startOptions = {}) {
      const listening = startOptions.listen !== false;
      if (
        listening &&
        !isLoopback(host) &&
        config.proxy.apiKeys.length === 0 &&
        !config.proxy.allowUnauthenticated
      ) {
        // Refused before anything starts: an open MCP endpoint on the network runs commands (K1).
        throw new Error(
          `refusing to listen on ${host} without proxy.apiKeys; add a key (switchyard key) or set proxy.allowUnauthenticated`,
        );
      }
      // The front door opens first: /health answers while backends are still being spawned.
      if (listening) {
        server = await new Promise<ServerType>((resolve, reject) => {
          const s = serve({ fetch: app.fetch, hostname: host, port }, (info: AddressInfo) => {
            address = { host: info.address, port: info.port };
            resolve(s);
          });
          s.once('error', reject);
          s.on('upgrade', handleUpgrade);
        });
        logger.info('listening', { url: `http://${formatHost(host)}:${address?.port}/mcp` });
      }
      await backends.start();
    },
    /**
     * Graceful shutdown (spec S6): stop accepting, let in-flight requests finish up to the
     * deadline, end client sessions, then close every backend and flush the log.
     */
    async stop() {
      draining = true;
      let closed = server === undefined;
      const closing = server
        ? new Promise<void>((resolve) =>
            server?.close(() => {
              closed = true;
              resolve();
            }),
          )
        : Promise.resolve();
      const deadline = options.shutdownDeadlineMs ?? 10_000;
      const routers = [router as Router, ...[...endpoints.values()].map((e) => e.router)];
      const drained = (await Promise.all(routers.map((r) => r.drain(deadline)))).every(Boolean);
      if (!drained) {
        logger.warn('shutdown deadline reached with requests in flight', {
          inflight: router?.inflight,
        });
      }
      const sessionsClosed: Promise<void>[] = [];
      for (const each of [main, ...endpoints.values()]) {
        each.http.close();
        each.sse.close();
        each.ws.close();
        sessionsClosed.push(each.router.close());
      }
      // Answers already produced are still being written: close each connection once it is idle,
      // and only then cut what remains.
      const http = server as unknown as {
        closeIdleConnections?: () => void;
        closeAllConnections?: () => void;
      };
      for (let i = 0; i < 50 && !closed; i++) {
        http?.closeIdleConnections?.();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      http?.closeAllConnections?.();
      await Promise.all([closing, backends.stop(), ...sessionsClosed]);
      await pool.close();
      server = undefined;
      await logs?.close();
      await logger.flush();
    },
    async reload(next) {
      const plan = await backends.apply(next.servers);
      const needsRestart = RESTART_ONLY_SETTINGS.filter(
        (key) => JSON.stringify(current[key]) !== JSON.stringify(next[key]),
      );
      current = {
        ...next,
        ...Object.fromEntries(RESTART_ONLY_SETTINGS.map((key) => [key, current[key]])),
      };
      const summary: ReloadSummary = {
        added: plan.added.map((s) => s.name),
        removed: plan.removed.map((s) => s.name),
        restarted: plan.changed.map((s) => s.name),
        needsRestart: [...needsRestart],
      };
      logger.info('configuration reloaded', { ...summary });
      if (summary.needsRestart.length > 0) {
        logger.warn('some settings apply only after a restart of the proxy', {
          settings: summary.needsRestart,
        });
      }
      return summary;
    },
    fetch: (request) => Promise.resolve(app.fetch(request)),
    handleUpgrade,
    get address() {
      return address;
    },
    router,
    backends,
    metrics,
    get config() {
      return current;
    },
  };
}

function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || host.startsWith('127.');
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
