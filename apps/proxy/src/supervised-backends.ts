import type { Logger, ServerLogs } from '@switchyard/logging';
import type { Metrics } from '@switchyard/metrics';
import type { Clock } from '@switchyard/protocol';
import type {
  BackendDirectory,
  BackendEntry,
  SessionOwner,
  VirtualServerDefinition,
} from '@switchyard/router';
import {
  type BackendSpec,
  planReload,
  type ReloadPlan,
  Supervisor,
  type SupervisorEvent,
} from '@switchyard/supervisor';
import { BackendSessions, type BackendSessionsOptions } from './backend-sessions.js';
import type { BackendOptions } from './options.js';
import type { ServerStateStore } from './server-state.js';

export interface SupervisedBackendsOptions extends BackendSessionsOptions {
  servers: readonly BackendOptions[];
  logger: Logger;
  metrics: Metrics;
  /** Per-server log files: backend output and lifecycle events (docs/operations.md, "Logs"). */
  logs: ServerLogs | undefined;
  /** Where enabled/disabled choices made at run time are kept. */
  state: ServerStateStore;
  clock: Clock;
}

/** One server's state for operators (docs/operations.md, "Backend states"). */
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

/** An in-process server has no process: nothing to restart or probe. */
const VIRTUAL_SUPERVISION = {
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
} satisfies Pick<BackendSpec, 'restart' | 'health'>;

/** One supervised server, as the supervisor hands it out. */
type Supervised = NonNullable<ReturnType<Supervisor['get']>>;
/**
 * The supervised backends as the router sees them (its `BackendDirectory`): each configured server
 * becomes a supervised connection (docs/operations.md, "Backend states") whose session the router
 * routes to while it runs.
 */
export class SupervisedBackends implements BackendDirectory {
  readonly supervisor: Supervisor;
  private readonly sessions: BackendSessions;
  private readonly backends = new Map<string, BackendOptions>();

  constructor(private readonly options: SupervisedBackendsOptions) {
    this.supervisor = new Supervisor({ clock: options.clock });
    this.sessions = new BackendSessions(options);
    this.supervisor.subscribe((event) => this.observe(event));
    for (const backend of options.servers) this.add(backend);
  }

  /** Supervises one more server (stopped until started); a run-time choice overrides `enabled`. */
  add(backend: BackendOptions): void {
    this.backends.set(backend.name, backend);
    this.supervisor.add(this.spec(backend));
  }

  /**
   * The era a running server speaks (docs/protocol-versions.md, "Modern backends"), or the last
   * one found for it while it is not running.
   */
  eraOf(name: string): 'legacy' | 'modern' | undefined {
    return this.sessions.sessionOf(name)?.era ?? this.sessions.eras.verdictOf(name)?.era;
  }

  /** Whether a server of this name is supervised (configured, or mounted in process). */
  has(name: string): boolean {
    return this.supervisor.get(name) !== undefined;
  }

  /** Enables (and starts) or disables (and stops) a server, remembered across restarts. */
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
      connect: this.sessions.virtualConnector(definition),
      ...VIRTUAL_SUPERVISION,
    });
  }

  /**
   * Every server as the router sees it. A reason may quote a backend (an error it sent, a URL):
   * it is redacted of secrets when read, which the request path rarely does.
   */
  list(): readonly BackendEntry[] {
    return this.supervisor.list().map((supervised) => this.entryOf(supervised));
  }

  /** One server's entry, for a call's lookup (the list would be built for every call). */
  entry(name: string): BackendEntry | undefined {
    const supervised = this.supervisor.get(name);
    return supervised ? this.entryOf(supervised) : undefined;
  }

  private entryOf(supervised: Supervised): BackendEntry {
    const { secrets } = this.options;
    const backend = this.backends.get(supervised.name);
    const reason = supervised.reason;
    return {
      name: supervised.name,
      prefix: backend?.prefix ?? supervised.name,
      priority: backend?.priority ?? 0,
      state: supervised.state,
      get reason() {
        return reason === undefined ? undefined : secrets.redact(reason);
      },
      session: this.sessions.sessionOf(supervised.name),
      ready: supervised.state === 'starting' ? supervised.settled() : undefined,
      onDemand: supervised.wakeable,
      openPrivate: backend?.perClient
        ? (owner: SessionOwner) => this.sessions.openPrivate(backend, owner)
        : undefined,
    };
  }

  wake(name: string): Promise<void> {
    return this.supervisor.get(name)?.start('first use') ?? Promise.resolve();
  }

  touch(name: string): void {
    this.supervisor.get(name)?.touch();
  }

  /** A backend's own request timeout, when it overrides the router's. */
  requestTimeoutOf(name: string): number | undefined {
    return this.backends.get(name)?.requestTimeoutMs;
  }

  /** How a backend is reached: its transport, or `virtual` for an in-process server. */
  transportOf(name: string): string {
    return this.backends.get(name)?.target.type ?? 'virtual';
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
        clientSessions: this.sessions.clientSessionCount(b.name),
      };
    });
  }

  /** Starts every enabled server; resolves when each is up or has failed its first start. */
  start(): Promise<void> {
    return this.supervisor.startAll();
  }

  /**
   * Applies a new server list (hot reload, docs/operations.md): starts added servers, stops
   * removed ones and restarts only those whose settings changed; the others keep running untouched.
   */
  async apply(servers: readonly BackendOptions[]): Promise<ReloadPlan<BackendOptions>> {
    const plan = planReload([...this.backends.values()], servers);
    await Promise.all([
      ...plan.removed.map(async (backend) => {
        await this.supervisor.remove(backend.name);
        this.backends.delete(backend.name);
        this.options.metrics.removeBackend(backend.name);
        this.options.hub.changed(backend.name);
      }),
      ...plan.changed.map(async (backend) => {
        this.backends.set(backend.name, backend);
        await this.supervisor.replace(this.spec(backend));
      }),
      ...plan.added.map(async (backend) => {
        this.add(backend);
        if (backend.enabled) await this.supervisor.start(backend.name);
      }),
    ]);
    return plan;
  }

  /** Stops every server (stdin, SIGTERM, SIGKILL of each process group). */
  stop(): Promise<void> {
    return this.supervisor.shutdown();
  }

  /** Supervisor events become metrics, log lines (proxy log and the server's file) and list changes. */
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
        this.options.hub.changed(event.server);
    } else if (event.type === 'restart-scheduled') {
      log.info('restart scheduled', { attempt: event.attempt, delayMs: event.delayMs });
    } else if (event.type === 'restart') {
      metrics.backendRestarted(event.server);
    } else if (event.ok) {
      metrics.healthCheckPassed(event.server);
    } else {
      metrics.healthCheckFailed(event.server);
      log.warn('health check failed', { consecutiveFailures: event.consecutiveFailures });
    }
  }

  private spec(backend: BackendOptions): BackendSpec {
    return {
      name: backend.name,
      enabled: this.options.state.overrides.get(backend.name) ?? backend.enabled,
      connect: this.sessions.connector(backend),
      restart: backend.restart,
      health: backend.health,
      lazy: backend.lazy,
      ...(backend.idleStopMs === undefined ? {} : { idleStopMs: backend.idleStopMs }),
    };
  }
}
