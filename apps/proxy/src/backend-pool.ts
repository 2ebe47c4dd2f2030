import type { ServerConfig } from '@switchyard/config';
import type { Logger } from '@switchyard/logging';
import {
  BackendSession,
  type BackendDirectory,
  type BackendEntry,
  type BackendState,
  type Router,
} from '@switchyard/router';
import { StdioBackendTransport } from '@switchyard/transports';

export interface BackendPoolOptions {
  servers: readonly ServerConfig[];
  logger: Logger;
  /** The environment backends inherit allow-listed variables from. */
  baseEnv: Readonly<Record<string, string | undefined>>;
  maxMessageBytes: number;
  /** Receives backend notifications and state changes. */
  router: () => Router;
}

interface Slot extends BackendEntry {
  state: BackendState;
  reason?: string | undefined;
  session?: BackendSession | undefined;
  ready?: Promise<unknown> | undefined;
  readonly config: ServerConfig;
}

/**
 * Starts and holds one session per enabled backend. A backend that cannot start or dies is marked
 * failed with the reason and never takes the others down (spec R8). Restarts, health checks and
 * run-time control belong to supervision, which replaces this pool.
 */
export class BackendPool implements BackendDirectory {
  private readonly slots: Slot[];

  constructor(private readonly options: BackendPoolOptions) {
    this.slots = options.servers.map((config) => ({
      name: config.name,
      prefix: config.prefix ?? config.name,
      priority: config.priority,
      state: config.enabled ? 'starting' : 'stopped',
      reason: config.enabled ? undefined : 'disabled in the configuration',
      config,
    }));
  }

  list(): readonly BackendEntry[] {
    return this.slots;
  }

  /** Starts every enabled backend concurrently; resolves when each is running or has failed. */
  async start(): Promise<void> {
    const starting = this.slots.filter((slot) => slot.state === 'starting');
    for (const slot of starting) slot.ready = this.connect(slot);
    await Promise.allSettled(starting.map((slot) => slot.ready));
  }

  private async connect(slot: Slot): Promise<void> {
    const log = this.options.logger.child({ server: slot.name });
    const { transport: config } = slot.config;
    if (config.type !== 'stdio') {
      this.fail(slot, `transport "${config.type}" is not available in this build (stdio only)`);
      return;
    }
    const transport = new StdioBackendTransport({
      command: config.command,
      args: config.args,
      env: config.env,
      baseEnv: this.options.baseEnv,
      ...(config.cwd === undefined ? {} : { cwd: config.cwd }),
      maxMessageBytes: this.options.maxMessageBytes,
      onOutput: (stream, line) => {
        if (stream === 'stderr') log.debug('backend stderr', { line });
        else log.warn('backend wrote a non-protocol line on stdout', { line });
      },
    });
    const session = new BackendSession({
      name: slot.name,
      transport,
      clientInfo: { name: 'switchyard', version: '0.1.0' },
      onNotification: (notification) =>
        this.options.router().backendNotification(slot.name, notification),
      onClose: (reason) => {
        if (slot.state === 'running') {
          log.warn('backend went away', { reason });
          this.fail(slot, reason);
        }
      },
    });
    slot.session = session;
    try {
      await session.connect();
      slot.state = 'running';
      slot.reason = undefined;
      log.info('backend running', {
        pid: transport.pid,
        revision: session.revision,
        serverInfo: session.serverInfo,
      });
      this.options.router().backendsChanged(slot.name);
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      log.error('backend failed to start', { reason });
      this.fail(slot, reason);
      await transport.close().catch(() => {});
    }
  }

  private fail(slot: Slot, reason: string): void {
    slot.state = 'failed';
    slot.reason = reason;
    this.options.router().backendsChanged(slot.name);
  }

  /** Closes every backend session (stdin, then SIGTERM, then SIGKILL for each process group). */
  async stop(): Promise<void> {
    await Promise.allSettled(
      this.slots.map(async (slot) => {
        const session = slot.session;
        slot.state = 'stopped';
        slot.reason = 'proxy stopped';
        slot.session = undefined;
        await session?.close();
      }),
    );
  }
}
