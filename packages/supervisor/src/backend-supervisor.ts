import type { BackendState, Clock } from '@switchyard/protocol';
import type { BackendSpec, Connection, RestartPolicy, SupervisorEvent } from './types.js';

/**
 * The wait before restart number `attempt` (0-based) of a run of consecutive failures
 * (docs/operations.md, "Restarts"): the first comes after `firstDelayMs` (default 0, at once), so
 * one crash costs no more than the restart itself; from the second on, the base delay doubles with
 * each failure up to the cap, with jitter either way.
 */
export function backoffDelay(
  policy: Pick<RestartPolicy, 'baseDelayMs' | 'maxDelayMs' | 'jitter' | 'firstDelayMs'>,
  attempt: number,
  random: () => number,
): number {
  if (attempt === 0) return policy.firstDelayMs ?? 0;
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const spread = exponential * policy.jitter * (2 * random() - 1);
  return Math.max(0, Math.round(exponential + spread));
}

/**
 * One backend's lifecycle (docs/operations.md, "Backend states" to "Run-time control"): connect, watch health, restart with backoff after a
 * failure, give up in a crash loop, and start/stop/restart on request. Every transition is emitted
 * as an event. A connection attempt that finishes after a stop request is closed at once, so a
 * stop always wins.
 */
export class BackendSupervisor {
  state: BackendState = 'stopped';
  reason = 'not started';
  connection: Connection | undefined;
  enabled: boolean;
  /** Restarts so far (for metrics and display). */
  restarts = 0;

  private generation = 0;
  private consecutiveFailures = 0;
  private healthFailures = 0;
  private restartTimes: number[] = [];
  private timers = {
    backoff: undefined as unknown,
    health: undefined as unknown,
    stable: undefined as unknown,
    idle: undefined as unknown,
  };
  private idleStopped = false;
  private settledWaiters: Array<() => void> = [];

  constructor(
    readonly spec: BackendSpec,
    private readonly clock: Clock,
    private readonly random: () => number,
    private readonly emit: (event: SupervisorEvent) => void,
  ) {
    this.enabled = spec.enabled;
    if (spec.lazy) this.reason = 'starts on first use';
  }

  /** Stopped, but to be started when something needs it: lazy, or stopped for being idle. */
  get wakeable(): boolean {
    return (
      this.enabled && this.state === 'stopped' && (this.spec.lazy === true || this.idleStopped)
    );
  }

  /** Records a use: the idle timer starts over. */
  touch(): void {
    if (this.spec.idleStopMs === undefined || !this.connection) return;
    if (this.timers.idle !== undefined) this.clock.clearTimeout(this.timers.idle);
    this.scheduleIdle(this.generation);
  }

  private scheduleIdle(generation: number): void {
    const ms = this.spec.idleStopMs;
    if (ms === undefined) return;
    this.timers.idle = this.clock.setTimeout(() => {
      this.timers.idle = undefined;
      if (generation !== this.generation) return;
      if (this.connection?.busy?.()) {
        this.scheduleIdle(generation);
        return;
      }
      this.idleStopped = true;
      void this.stop(`idle for ${ms} ms`);
    }, ms);
  }

  get name(): string {
    return this.spec.name;
  }

  /** Resolves when the backend is no longer `starting` (or at once if it is not). */
  settled(): Promise<void> {
    if (this.state !== 'starting') return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.push(resolve));
  }

  private transition(to: BackendState, reason: string): void {
    const from = this.state;
    this.state = to;
    this.reason = reason;
    if (from !== to || to === 'backoff') {
      this.emit({ type: 'state', server: this.name, from, to, reason, at: this.clock.now() });
    }
    if (to !== 'starting') {
      const waiters = this.settledWaiters;
      this.settledWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private clearTimers(): void {
    for (const key of ['backoff', 'health', 'stable', 'idle'] as const) {
      if (this.timers[key] !== undefined) this.clock.clearTimeout(this.timers[key]);
      this.timers[key] = undefined;
    }
  }

  /** Starts the backend unless it is already up or on its way up. */
  start(reason = 'start requested'): Promise<void> {
    if (this.state === 'starting' || this.state === 'running' || this.state === 'degraded')
      return this.settled();
    this.clearTimers();
    return this.launch(reason);
  }

  private async launch(reason: string): Promise<void> {
    const generation = ++this.generation;
    this.idleStopped = false;
    this.transition('starting', reason);
    let connection: Connection | undefined;
    try {
      connection = await this.spec.connect({
        // Only a loss after the connection was established counts; a failed attempt throws.
        onLost: (why, options) => {
          if (connection && generation === this.generation && this.connection === connection)
            this.lost(why, options?.immediate === true);
        },
      });
    } catch (error) {
      if (generation !== this.generation) return;
      const reason = error instanceof Error ? error.message : String(error);
      // A configuration that can never work (an unsupported transport) is not worth retrying.
      if ((error as { retryable?: unknown }).retryable === false) this.giveUp(reason);
      else this.failure(reason);
      return;
    }
    if (generation !== this.generation) {
      // Stopped or restarted while connecting: this connection is no longer wanted.
      await connection.close().catch(() => {});
      return;
    }
    this.connection = connection;
    this.healthFailures = 0;
    this.transition('running', 'connected');
    this.scheduleHealth(generation);
    this.scheduleIdle(generation);
    this.timers.stable = this.clock.setTimeout(() => {
      this.timers.stable = undefined;
      this.consecutiveFailures = 0;
    }, this.spec.restart.stableMs);
  }

  private lost(reason: string, immediate = false): void {
    const connection = this.connection;
    this.connection = undefined;
    void connection?.close().catch(() => {});
    this.failure(reason, immediate);
  }

  private giveUp(reason: string): void {
    this.generation++;
    this.clearTimers();
    this.transition('failed', reason);
  }

  /** A start failed or a running backend died: back off and restart, or give up. */
  private failure(reason: string, immediate = false): void {
    const policy = this.spec.restart;
    if (!policy.onFailure) {
      this.giveUp(reason);
      return;
    }
    this.generation++;
    this.clearTimers();
    const now = this.clock.now();
    this.restartTimes = this.restartTimes.filter((t) => now - t < policy.windowMs);
    if (this.restartTimes.length >= policy.maxRestarts) {
      this.giveUp(
        `crash loop: ${this.restartTimes.length} restarts within ${policy.windowMs} ms; last failure: ${reason}`,
      );
      return;
    }
    const attempt = this.consecutiveFailures++;
    // A lost session is reconnected at once the first time whatever the policy's first delay; a
    // backend that keeps losing sessions backs off like any other.
    const delayMs = immediate && attempt === 0 ? 0 : backoffDelay(policy, attempt, this.random);
    this.transition('backoff', reason);
    this.emit({
      type: 'restart-scheduled',
      server: this.name,
      attempt: attempt + 1,
      delayMs,
      reason,
      at: now,
    });
    this.timers.backoff = this.clock.setTimeout(() => {
      this.timers.backoff = undefined;
      const at = this.clock.now();
      this.restartTimes.push(at);
      this.restarts++;
      // Counted now, when it happens: a restart cancelled by a stop never happened.
      this.emit({ type: 'restart', server: this.name, attempt: attempt + 1, reason, at });
      void this.launch(`restart ${attempt + 1} after: ${reason}`);
    }, delayMs);
  }

  private scheduleHealth(generation: number): void {
    const health = this.spec.health;
    if (!health.enabled) return;
    this.timers.health = this.clock.setTimeout(
      () => void this.probe(generation),
      health.intervalMs,
    );
  }

  /**
   * One health round. The first failure marks the backend `degraded`, so calls fail fast
   * instead of queueing behind a hung process; the threshold-th failure restarts it; an answer
   * while degraded is a recovery.
   */
  private async probe(generation: number): Promise<void> {
    this.timers.health = undefined;
    const connection = this.connection;
    if (!connection || generation !== this.generation) return;
    const health = this.spec.health;
    const ok = await connection.probe(health.method, health.timeoutMs);
    if (generation !== this.generation) return;
    this.healthFailures = ok ? 0 : this.healthFailures + 1;
    this.emit({
      type: 'health',
      server: this.name,
      ok,
      consecutiveFailures: this.healthFailures,
      at: this.clock.now(),
    });
    if (ok) {
      if (this.state === 'degraded') this.transition('running', 'health check recovered');
    } else if (this.healthFailures >= health.failureThreshold) {
      this.lost(`health check failed ${this.healthFailures} times in a row`);
      return;
    } else {
      this.transition(
        'degraded',
        `health check failed (${this.healthFailures}/${health.failureThreshold})`,
      );
    }
    this.scheduleHealth(generation);
  }

  /** Stops the backend and cancels any pending restart. */
  async stop(reason = 'stop requested'): Promise<void> {
    this.generation++;
    this.clearTimers();
    const connection = this.connection;
    this.connection = undefined;
    if (connection) {
      this.transition('stopping', reason);
      await connection.close().catch(() => {});
    }
    this.transition('stopped', reason);
  }

  /** Stops, forgets past failures, and starts again. */
  async restart(reason = 'restart requested'): Promise<void> {
    await this.stop(reason);
    this.consecutiveFailures = 0;
    this.restartTimes = [];
    await this.start(reason);
  }
}
