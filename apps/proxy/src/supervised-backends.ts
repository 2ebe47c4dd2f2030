import type { ServerConfig } from '@switchyard/config';
import type { Logger, ServerLogs } from '@switchyard/logging';
import type { Metrics } from '@switchyard/metrics';
import { ErrorCode, type JsonRpcRequest } from '@switchyard/protocol';
import {
  type BackendDirectory,
  type BackendEntry,
  BackendSession,
  type BackendTransport,
  type Outcome,
  type Router,
  type SessionOwner,
  type VirtualServerDefinition,
  virtualTransport,
} from '@switchyard/router';
import {
  type BackendSpec,
  type Clock,
  type Connection,
  type Connector,
  planReload,
  type ReloadPlan,
  Supervisor,
  type SupervisorEvent,
} from '@switchyard/supervisor';
import {
  BACKEND_SESSION_EXPIRED,
  createRemoteBackendTransport,
  type HttpPool,
  StdioBackendTransport,
} from '@switchyard/transports';
import { PROXY_VERSION } from './options.js';
import type { ServerStateStore } from './server-state.js';

export interface SupervisedBackendsOptions {
  servers: readonly ServerConfig[];
  logger: Logger;
  /** The environment backends inherit allow-listed variables from. */
  baseEnv: Readonly<Record<string, string | undefined>>;
  maxMessageBytes: number;
  /** Receives backend notifications and is told when a backend comes or goes. */
  router: () => BackendEvents;
  metrics: Metrics;
  /** Per-server log files (spec L1): backend output and lifecycle events. */
  logs?: ServerLogs | undefined;
  /** The proxy's keep-alive pool for HTTP backends (spec T4). */
  pool?: Pick<HttpPool, 'fetch' | 'request'>;
  /** Where enabled/disabled choices made at run time are kept (spec S4). */
  state: ServerStateStore;
  clock?: Clock;
}

/** One server's state for operators (spec S1, D1). */
export interface BackendSummary {
  name: string;
  state: string;
  reason: string | undefined;
  enabled: boolean;
  restarts: number;
  /** The revision negotiated with it, while connected. */
  revision: string | null;
  /** Backend sessions of single clients open now (`sessions: per-client`; 0 otherwise). */
  clientSessions: number;
}

/** Where a backend's notifications, requests and comings and goings are delivered. */
export interface BackendEvents extends Pick<Router, 'backendNotification' | 'backendsChanged'> {
  /** A backend's request to a client (spec R5), relayed to the client session waiting on it. */
  backendRequest(
    backend: string,
    session: BackendSession,
    request: JsonRpcRequest,
  ): Promise<Outcome>;
}

/**
 * Restart timing beyond the config's `restartDelayMs` and `maxRestarts` (docs/operations.md):
 * the delay doubles up to a minute, restarts are counted over five minutes, and a minute of
 * stable running forgets earlier failures.
 */
const RESTART_CAP_MS = 60_000;
const RESTART_WINDOW_MS = 300_000;
const STABLE_AFTER_MS = 60_000;
const RESTART_JITTER = 0.2;

/**
 * The supervised backends as the router sees them (its `BackendDirectory`): each configured server
 * becomes a supervised connection (spec S1-S3) whose session the router routes to while it runs.
 */
export class SupervisedBackends implements BackendDirectory {
  readonly supervisor: Supervisor;
  private readonly sessions = new Map<string, BackendSession>();
  /** The open backend sessions of single clients, by server (`sessions: per-client`). */
  private readonly clientSessions = new Map<string, Set<BackendSession>>();
  private readonly configs = new Map<string, ServerConfig>();

  constructor(private readonly options: SupervisedBackendsOptions) {
    this.supervisor = new Supervisor(options.clock ? { clock: options.clock } : {});
    this.supervisor.subscribe((event) => this.observe(event));
    for (const server of options.servers) this.add(server);
  }

  /** Supervises one more server (stopped until started); a run-time choice overrides `enabled`. */
  add(server: ServerConfig): void {
    this.configs.set(server.name, server);
    this.supervisor.add(this.spec(server));
  }

  /** Enables (and starts) or disables (and stops) a server, remembered across restarts (S4). */
  async setEnabled(name: string, enabled: boolean): Promise<void> {
    await this.supervisor.setEnabled(name, enabled);
    this.options.state.setEnabled(name, enabled);
  }

  /**
   * Mounts an in-process server (the management server) like a configured one: supervised, listed,
   * routed and namespaced the same way; it has no process, so no health checks or restarts.
   */
  addVirtual(definition: VirtualServerDefinition): void {
    this.supervisor.add({
      name: definition.name,
      enabled: true,
      connect: async ({ onLost }) => {
        const session = new BackendSession({
          name: definition.name,
          transport: virtualTransport(definition),
          onClose: onLost,
        });
        await session.connect();
        this.sessions.set(definition.name, session);
        return {
          probe: async () => session.closed === undefined,
          close: async () => {
            this.sessions.delete(definition.name);
            await session.close();
          },
        };
      },
      restart: {
        onFailure: false,
        maxRestarts: 0,
        baseDelayMs: 0,
        maxDelayMs: 0,
        windowMs: 0,
        stableMs: 0,
        jitter: 0,
      },
      health: { enabled: false, intervalMs: 1, timeoutMs: 1, failureThreshold: 1, method: 'ping' },
    });
  }

  list(): readonly BackendEntry[] {
    return this.supervisor.list().map((backend) => {
      const config = this.configs.get(backend.name);
      return {
        name: backend.name,
        prefix: config?.prefix ?? backend.name,
        priority: config?.priority ?? 0,
        state: backend.state,
        reason: backend.reason,
        session: this.sessions.get(backend.name),
        ready: backend.state === 'starting' ? backend.settled() : undefined,
        onDemand: backend.wakeable,
        openPrivate:
          config?.sessions === 'per-client'
            ? (owner: SessionOwner) => this.openPrivate(config, owner)
            : undefined,
      };
    });
  }

  wake(name: string): Promise<void> {
    return this.supervisor.get(name)?.start('first use') ?? Promise.resolve();
  }

  touch(name: string): void {
    this.supervisor.get(name)?.touch();
  }

  /** Every server as operators see it: /health, /api/servers and the management server. */
  summary(): BackendSummary[] {
    return this.list().map((b) => {
      const supervised = this.supervisor.get(b.name);
      return {
        name: b.name,
        state: b.state,
        reason: b.reason,
        enabled: supervised?.enabled ?? false,
        restarts: supervised?.restarts ?? 0,
        revision: b.session?.revision ?? null,
        clientSessions: this.clientSessions.get(b.name)?.size ?? 0,
      };
    });
  }

  /** Starts every enabled server; resolves when each is up or has failed its first start. */
  start(): Promise<void> {
    return this.supervisor.startAll();
  }

  /**
   * Applies a new server list (hot reload, spec C5): starts added servers, stops removed ones and
   * restarts only those whose settings changed; the others keep running untouched.
   */
  async apply(servers: readonly ServerConfig[]): Promise<ReloadPlan<ServerConfig>> {
    const plan = planReload([...this.configs.values()], servers);
    await Promise.all([
      ...plan.removed.map(async (server) => {
        await this.supervisor.remove(server.name);
        this.configs.delete(server.name);
        this.options.metrics.removeBackend(server.name);
        this.options.router().backendsChanged(server.name);
      }),
      ...plan.changed.map(async (server) => {
        this.configs.set(server.name, server);
        await this.supervisor.replace(this.spec(server));
      }),
      ...plan.added.map(async (server) => {
        this.add(server);
        if (server.enabled) await this.supervisor.start(server.name);
      }),
    ]);
    return plan;
  }

  /** Stops every server (stdin, SIGTERM, SIGKILL of each process group). */
  stop(): Promise<void> {
    return this.supervisor.shutdown();
  }

  private observe(event: SupervisorEvent): void {
    const log = this.options.logger.child({ server: event.server });
    const { metrics } = this.options;
    if (event.type === 'state') {
      metrics.backendState(event.server, event.to);
      this.options.logs?.write(
        event.server,
        'proxy',
        `${event.from} -> ${event.to}: ${event.reason}`,
      );
      const level = event.to === 'failed' || event.to === 'backoff' ? 'warn' : 'info';
      log[level](`backend ${event.to}`, { from: event.from, reason: event.reason });
      if (event.from === 'running' || event.to === 'running')
        this.options.router().backendsChanged(event.server);
    } else if (event.type === 'restart-scheduled') {
      metrics.backendRestarted(event.server);
      log.info('restart scheduled', { attempt: event.attempt, delayMs: event.delayMs });
    } else if (event.ok) {
      metrics.healthCheckPassed(event.server);
    } else {
      metrics.healthCheckFailed(event.server);
      log.warn('health check failed', { consecutiveFailures: event.consecutiveFailures });
    }
  }

  private spec(server: ServerConfig): BackendSpec {
    return {
      name: server.name,
      enabled: this.options.state.overrides.get(server.name) ?? server.enabled,
      connect: this.connector(server),
      restart: {
        onFailure: server.restartOnFailure,
        maxRestarts: server.maxRestarts,
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
      ...(server.idleStopMs === undefined ? {} : { idleStopMs: server.idleStopMs }),
    };
  }

  /** The supervisor's connector: the shared session, the one the router routes to. */
  private connector(server: ServerConfig): Connector {
    return ({ onLost }) =>
      this.reach(server, (transport, details) =>
        this.open(server.name, transport, onLost, details),
      );
  }

  /**
   * Reaches one server over its transport (spec T1) and runs `handshake` over it: stdio spawns
   * it; `auto` tries Streamable HTTP, then HTTP+SSE.
   */
  private async reach<T>(
    server: ServerConfig,
    handshake: (transport: BackendTransport, details: () => Record<string, unknown>) => Promise<T>,
  ): Promise<T> {
    const log = this.options.logger.child({ server: server.name });
    const config = server.transport;
    if (config.type === 'stdio') {
      const transport = new StdioBackendTransport({
        command: config.command,
        args: config.args,
        env: config.env,
        baseEnv: this.options.baseEnv,
        ...(config.cwd === undefined ? {} : { cwd: config.cwd }),
        maxMessageBytes: this.options.maxMessageBytes,
        onOutput: (stream, line) => {
          this.options.logs?.write(server.name, stream, line);
          if (stream === 'stderr') log.debug('backend stderr', { line });
          else {
            this.options.metrics.nonProtocolLine(server.name);
            log.warn('backend wrote a non-protocol line on stdout', { line });
          }
        },
      });
      return handshake(transport, () => ({ pid: transport.pid }));
    }
    const remote = (type: 'streamable-http' | 'sse' | 'websocket') =>
      createRemoteBackendTransport({
        type,
        url: config.url,
        headers: config.headers,
        ...(config.type === 'websocket' ? { protocols: config.protocols } : {}),
        maxMessageBytes: this.options.maxMessageBytes,
        ...(this.options.pool
          ? { fetch: this.options.pool.fetch, request: this.options.pool.request }
          : {}),
      });
    if (config.type !== 'auto') return handshake(remote(config.type), () => ({ url: config.url }));
    try {
      return await handshake(remote('streamable-http'), () => ({
        url: config.url,
        transport: 'streamable-http',
      }));
    } catch (first) {
      log.info('Streamable HTTP did not answer; trying HTTP+SSE', { error: String(first) });
      try {
        return await handshake(remote('sse'), () => ({ url: config.url, transport: 'sse' }));
      } catch (second) {
        throw new Error(
          `neither Streamable HTTP (${messageOf(first)}) nor HTTP+SSE (${messageOf(second)}) answered at ${config.url}`,
        );
      }
    }
  }

  /**
   * Opens a backend session for one client alone (`sessions: per-client`, spec R5): its own
   * process or remote session, declared the client's relayable capabilities, its requests and
   * notifications going to that client. It is not supervised: when it ends, the client's next
   * call opens a new one; the client leaving closes it.
   */
  private async openPrivate(server: ServerConfig, owner: SessionOwner): Promise<BackendSession> {
    const log = this.options.logger.child({ server: server.name });
    return this.reach(server, async (transport, details) => {
      const session: BackendSession = new BackendSession({
        name: server.name,
        transport,
        clientInfo: { name: 'switchyard', version: PROXY_VERSION },
        capabilities: owner.capabilities,
        onRequest: (request) => owner.onRequest(session, request),
        onNotification: (notification) => owner.onNotification(notification),
        onClose: (reason) => {
          const open = this.clientSessions.get(server.name);
          open?.delete(session);
          this.options.metrics.clientSessions(server.name, open?.size ?? 0);
          log.info('client backend session closed', { reason });
          owner.onClose(session, reason);
        },
      });
      try {
        await session.connect();
      } catch (error) {
        await transport.close().catch(() => {});
        throw error;
      }
      const open = this.clientSessions.get(server.name) ?? new Set<BackendSession>();
      this.clientSessions.set(server.name, open.add(session));
      this.options.metrics.clientSessions(server.name, open.size);
      log.info('client backend session opened', { ...details(), revision: session.revision });
      return session;
    });
  }

  /** Runs the handshake over a started transport and wraps the session as a supervised connection. */
  private async open(
    name: string,
    transport: BackendTransport,
    onLost: (reason: string, options?: { immediate?: boolean }) => void,
    details: () => Record<string, unknown>,
  ): Promise<Connection> {
    const session: BackendSession = new BackendSession({
      name,
      transport,
      clientInfo: { name: 'switchyard', version: PROXY_VERSION },
      // Relayed to the client waiting on the backend (R5). Roots are not declared: servers such
      // as server-filesystem would replace their configured folders with the client's roots.
      capabilities: { sampling: {}, elicitation: {} },
      onRequest: (request) => this.options.router().backendRequest(name, session, request),
      onNotification: (notification) =>
        this.options.router().backendNotification(name, notification),
      onClose: (reason) => {
        if (this.sessions.get(name) === session) this.sessions.delete(name);
        onLost(reason, { immediate: reason === BACKEND_SESSION_EXPIRED });
      },
    });
    try {
      await session.connect();
    } catch (error) {
      await transport.close().catch(() => {});
      throw error;
    }
    this.sessions.set(name, session);
    this.options.logger.child({ server: name }).info('backend connected', {
      ...details(),
      revision: session.revision,
      serverInfo: session.serverInfo,
    });
    return {
      probe: async (method, timeoutMs) => {
        const outcome = await session.request(method, undefined, { timeoutMs }).outcome;
        // Any answer proves the backend alive; an error it sent (e.g. no `ping`) still counts.
        return (
          outcome.kind === 'result' ||
          (outcome.kind === 'error' &&
            outcome.error.code !== ErrorCode.RequestTimeout &&
            outcome.error.code !== ErrorCode.BackendUnavailable)
        );
      },
      close: async () => {
        if (this.sessions.get(name) === session) this.sessions.delete(name);
        await session.close();
      },
      busy: () => session.pending > 0,
    };
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
