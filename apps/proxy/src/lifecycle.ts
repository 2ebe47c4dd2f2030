import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { SwitchyardConfig } from '@switchyard/config';
import type { Logger, SecretSet } from '@switchyard/logging';
import { type Clock, SwitchyardError, sleep } from '@switchyard/protocol';
import type { Router } from '@switchyard/router';
import type { ProxyEventEmitter, ReloadSummary } from './events.js';
import type { Admission, HttpApp } from './http-app.js';
import {
  backendOptionsOf,
  type ListenSettings,
  type RunningConfig,
  reloadedConfig,
  secretsOf,
} from './options.js';
import type { SupervisedBackends } from './supervised-backends.js';

export interface StartOptions {
  /** Listen on `host:port` (default). False when embedding through `fetch` or in `--stdio`. */
  listen?: boolean;
}

/** What stopping needs of an endpoint: its router and its fronts. */
export interface StoppableEndpoint {
  router: Pick<Router, 'drain' | 'close' | 'inflight'>;
  http: { close(): void };
  sse: { close(): void };
  ws: { close(): void };
}

export interface LifecycleOptions {
  listen: ListenSettings;
  http: Pick<HttpApp, 'listener' | 'handleUpgrade'>;
  /** Every endpoint open now, the aggregate one first. */
  endpoints: { all(): StoppableEndpoint[] };
  backends: Pick<SupervisedBackends, 'start' | 'stop' | 'apply'>;
  admission: Admission;
  running: RunningConfig;
  events: Pick<ProxyEventEmitter, 'emit'>;
  logger: Logger;
  /** The secrets the logger, the log files and every answer redact; a reload replaces them. */
  secrets: Pick<SecretSet, 'replace'>;
  clock: Clock;
  /** How long `stop()` lets in-flight requests finish before closing backends. */
  shutdownDeadlineMs: number;
  /** The dashboard on a port of its own (`dashboard.port`, docs/dashboard.md). */
  dashboard?: { listen: ListenSettings; app: Pick<HttpApp, 'fetch'> } | undefined;
  /** Closed last, in this order, once backends are down: the HTTP pool, log files, the logger. */
  release: Array<() => Promise<void>>;
}

/** Start, stop and reload of a proxy. */
export interface Lifecycle {
  /** Opens the front door (unless told not to), then starts every backend. */
  start(options?: StartOptions): Promise<void>;
  /** Stops taking requests, drains, ends client sessions and closes every backend. */
  stop(): Promise<void>;
  /** Applies a new configuration while running; see {@link reloadedConfig} for what waits. */
  reload(config: SwitchyardConfig): Promise<ReloadSummary>;
  /** Where the HTTP server listens once started (port 0 resolves to the real port). */
  readonly address: { host: string; port: number } | undefined;
  /** Where the dashboard's own server listens, when it has one. */
  readonly dashboardAddress: { host: string; port: number } | undefined;
}

/** While stopping, how often idle connections are closed, and how many times at most. */
const IDLE_SWEEP_MS = 20;
const IDLE_SWEEPS = 50;

export function createLifecycle(options: LifecycleOptions): Lifecycle {
  const { listen, logger, backends, endpoints } = options;
  let server: Server | undefined;
  let address: { host: string; port: number } | undefined;
  let dashboardServer: Server | undefined;

  return {
    async start(startOptions = {}) {
      const listening = startOptions.listen !== false;
      // Refused before anything starts: an open MCP endpoint on the network runs commands.
      if (listening && listen.refusal) throw new SwitchyardError('config_invalid', listen.refusal);
      // The front door opens first: /health answers while backends are still being spawned.
      if (listening) {
        server = await listenOn(listen, options.http);
        const info = server.address() as AddressInfo;
        address = { host: info.address, port: info.port };
        logger.info('listening', { url: `http://${formatHost(listen.host)}:${info.port}/mcp` });
        if (options.dashboard) {
          const { app, listen: at } = options.dashboard;
          dashboardServer = await listenOn(at, {
            listener: () => getRequestListener((request) => app.fetch(request)),
            handleUpgrade: (_request, socket) => socket.destroy(),
          });
          const port = (dashboardServer.address() as AddressInfo).port;
          logger.info('dashboard listening', { url: `http://${formatHost(at.host)}:${port}/` });
        }
      }
      await backends.start();
    },

    /**
     * Graceful shutdown (docs/operations.md, "Shutdown"): stop accepting, let in-flight requests
     * finish up to the deadline, end client sessions, then close every backend and flush the log.
     */
    async stop() {
      options.admission.open = false;
      const http = server;
      let closed = http === undefined;
      const closing = new Promise<void>((resolve) => {
        if (!http) return resolve();
        http.close(() => {
          closed = true;
          resolve();
        });
      });
      const open = endpoints.all();
      const drained = await Promise.all(
        open.map((e) => e.router.drain(options.shutdownDeadlineMs)),
      );
      if (!drained.every(Boolean)) {
        logger.warn('shutdown deadline reached with requests in flight', {
          inflight: open[0]?.router.inflight,
        });
      }
      const sessionsClosed = open.map((each) => {
        each.http.close();
        each.sse.close();
        each.ws.close();
        return each.router.close();
      });
      // Answers already produced are still being written: close each connection once it is idle,
      // and only then cut what remains.
      // The clock's timers do not keep the process alive: the wait also ends when the server has
      // closed, which may leave nothing else to keep it running.
      for (let i = 0; i < IDLE_SWEEPS && !closed; i++) {
        http?.closeIdleConnections();
        await Promise.race([sleep(options.clock, IDLE_SWEEP_MS), closing]);
      }
      http?.closeAllConnections();
      // The dashboard's server holds only event and log streams: nothing to drain.
      const dashboardClosed = new Promise<void>((resolve) => {
        if (!dashboardServer) return resolve();
        dashboardServer.close(() => resolve());
        dashboardServer.closeAllConnections();
      });
      await Promise.all([closing, dashboardClosed, backends.stop(), ...sessionsClosed]);
      server = undefined;
      dashboardServer = undefined;
      for (const release of options.release) await release();
    },

    async reload(next) {
      // The new secrets are redacted before a server of the new config can print them, and the
      // old ones until the servers that held them have stopped (docs/operations.md, "Secrets").
      const incoming = secretsOf(next);
      options.secrets.replace([...secretsOf(options.running.current), ...incoming]);
      const plan = await backends.apply(backendOptionsOf(next));
      const { config, needsRestart } = reloadedConfig(options.running.current, next);
      options.running.current = config;
      options.secrets.replace([...secretsOf(config), ...incoming]);
      const summary: ReloadSummary = {
        added: plan.added.map((s) => s.name),
        removed: plan.removed.map((s) => s.name),
        restarted: plan.changed.map((s) => s.name),
        needsRestart,
      };
      logger.info('configuration reloaded', { ...summary });
      if (needsRestart.length > 0) {
        logger.warn('some settings apply only after a restart of the proxy', {
          settings: needsRestart,
        });
      }
      options.events.emit({ type: 'reloaded', summary });
      return summary;
    },

    get address() {
      return address;
    },
    get dashboardAddress() {
      const info = dashboardServer?.address() as AddressInfo | undefined;
      return info ? { host: info.address, port: info.port } : undefined;
    },
  };
}

/** The answer to a connection over `maxConnections`, written before the socket is closed. */
const TOO_MANY_CONNECTIONS =
  'HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

/**
 * The proxy's own HTTP server. Slow clients are cut off by Node's own request timers (408 when the
 * headers, or the whole request, are late; checked every second rather than Node's default 30 s)
 * and the number of open connections is capped with a 503 (docs/security.md).
 */
function listenOn(
  settings: ListenSettings,
  http: Pick<HttpApp, 'listener' | 'handleUpgrade'>,
): Promise<Server> {
  return new Promise((resolve, reject) => {
    const requestTimeout = settings.requestBodyTimeoutMs;
    const server = createServer(
      {
        requestTimeout,
        headersTimeout: Math.min(settings.headersTimeoutMs, requestTimeout),
        connectionsCheckingInterval: Math.min(1_000, settings.headersTimeoutMs),
      },
      http.listener(),
    );
    let open = 0;
    server.on('connection', (socket) => {
      if (open >= settings.maxConnections) {
        socket.end(TOO_MANY_CONNECTIONS);
        return;
      }
      open++;
      socket.once('close', () => open--);
    });
    server.once('error', reject);
    server.on('upgrade', http.handleUpgrade);
    server.listen(settings.port, settings.host, () => resolve(server));
  });
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
