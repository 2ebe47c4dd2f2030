import { type Clock, SwitchyardError, systemClock } from '@switchyard/protocol';
import { BackendSupervisor } from './backend-supervisor.js';
import type { BackendSpec, SupervisorEvent } from './types.js';

export interface SupervisorOptions {
  clock?: Clock;
  /** Source of jitter, in [0, 1). */
  random?: () => number;
}

/**
 * Supervises every backend (docs/operations.md): one {@link BackendSupervisor} each, run-time
 * control by name, one event stream for all of them, and shutdown of all at once. Unknown and
 * duplicate names are `invalid_params` errors: the name comes from a caller (the admin API, a
 * management tool call).
 */
export class Supervisor {
  private readonly backends = new Map<string, BackendSupervisor>();
  private readonly listeners = new Set<(event: SupervisorEvent) => void>();
  private readonly clock: Clock;
  private readonly random: () => number;

  constructor(options: SupervisorOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
  }

  /** Receives every event of every backend; returns the unsubscribe function. */
  subscribe(listener: (event: SupervisorEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit = (event: SupervisorEvent): void => {
    for (const listener of this.listeners) listener(event);
  };

  /** Adds a backend (stopped); start it with {@link start} or {@link startAll}. */
  add(spec: BackendSpec): BackendSupervisor {
    if (this.backends.has(spec.name)) {
      throw new SwitchyardError('invalid_params', `server "${spec.name}" is already supervised`, {
        server: spec.name,
      });
    }
    const backend = new BackendSupervisor(spec, this.clock, this.random, this.emit);
    this.backends.set(spec.name, backend);
    return backend;
  }

  /**
   * Swaps a backend's spec (hot reload changed its settings): the old one stops, the new one takes
   * its place in the order and starts if enabled.
   */
  async replace(spec: BackendSpec): Promise<BackendSupervisor> {
    const old = this.require(spec.name);
    await old.stop('configuration changed');
    const backend = new BackendSupervisor(spec, this.clock, this.random, this.emit);
    this.backends.set(spec.name, backend);
    if (backend.enabled) await backend.start('configuration changed');
    return backend;
  }

  /** Stops a backend and forgets it (hot reload removed it). */
  async remove(name: string): Promise<void> {
    const backend = this.require(name);
    await backend.stop('removed from the configuration');
    this.backends.delete(name);
  }

  get(name: string): BackendSupervisor | undefined {
    return this.backends.get(name);
  }

  /** Every backend, in the order added (config order). */
  list(): BackendSupervisor[] {
    return [...this.backends.values()];
  }

  private require(name: string): BackendSupervisor {
    const backend = this.backends.get(name);
    if (!backend) {
      throw new SwitchyardError('invalid_params', `no server named "${name}"`, { server: name });
    }
    return backend;
  }

  /** Starts every enabled backend; resolves when each is up or has failed its first start. */
  async startAll(): Promise<void> {
    const starts: Promise<void>[] = [];
    for (const backend of this.list().filter((b) => b.enabled && !b.spec.lazy)) {
      starts.push(backend.start('proxy started'));
      // Spawning is synchronous work: let the event loop answer requests (health checks of the
      // proxy itself) between two, so twenty backends do not hold the front door shut.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await Promise.all(starts);
  }

  async start(name: string): Promise<void> {
    await this.require(name).start();
  }

  async stop(name: string): Promise<void> {
    await this.require(name).stop();
  }

  async restart(name: string): Promise<void> {
    await this.require(name).restart();
  }

  /** Enables (and starts) or disables (and stops) a backend. */
  async setEnabled(name: string, enabled: boolean): Promise<void> {
    const backend = this.require(name);
    backend.enabled = enabled;
    if (enabled) await backend.start('enabled');
    else await backend.stop('disabled');
  }

  /**
   * Stops every backend at once (docs/operations.md, "Shutdown"); each connection escalates stdin,
   * SIGTERM, SIGKILL.
   */
  async shutdown(): Promise<void> {
    await Promise.all(this.list().map((b) => b.stop('proxy shutting down')));
  }
}
