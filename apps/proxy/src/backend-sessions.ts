import type { Metrics } from '@switchyard/metrics';
import { ERRORS, type MessageTransport } from '@switchyard/protocol';
import {
  type BackendHub,
  BackendSession,
  type SessionOwner,
  type VirtualServerDefinition,
  virtualTransport,
} from '@switchyard/router';
import type { Connection, Connector } from '@switchyard/supervisor';
import { BACKEND_SESSION_EXPIRED } from '@switchyard/transports';
import { type ReachContext, reachBackend } from './backend-reach.js';
import { EraVerdicts } from './era-verdicts.js';
import type { BackendOptions } from './options.js';

/** How long the `auto` era probe waits for `server/discover` before deciding legacy. */
export const ERA_PROBE_TIMEOUT_MS = 5_000;
/** How long a legacy verdict holds when the options name no `eraRecheckMs`. */
const DEFAULT_ERA_RECHECK_MS = 3_600_000;

export interface BackendSessionsOptions extends ReachContext {
  /** Where backend notifications and requests go: the routers covering each backend. */
  hub: BackendHub;
  metrics: Pick<Metrics, 'nonProtocolLine' | 'clientSessions'>;
}

/**
 * The proxy's sessions with its backends: the one shared session per backend that the supervisor
 * keeps alive and the router routes to, and the sessions of single clients (`sessions:
 * per-client`, docs/architecture.md, "Backend sessions per client").
 */
export class BackendSessions {
  private readonly shared = new Map<string, BackendSession>();
  private readonly perClient = new Map<string, Set<BackendSession>>();
  /** What each `auto` backend turned out to speak (docs/protocol-versions.md, "Modern backends"). */
  readonly eras: EraVerdicts;

  constructor(private readonly options: BackendSessionsOptions) {
    this.eras = new EraVerdicts(options.connections.clock);
  }

  /**
   * The era options of a backend's next session: its configured era, or under `auto` a legacy
   * verdict still fresh (the probe skipped), and where the verdict is recorded.
   */
  private eraOptions(backend: Pick<BackendOptions, 'name' | 'era' | 'eraRecheckMs'>) {
    const era = this.eras.eraOf(
      backend.name,
      backend.era ?? 'legacy',
      backend.eraRecheckMs ?? DEFAULT_ERA_RECHECK_MS,
    );
    return {
      era,
      probeTimeoutMs: ERA_PROBE_TIMEOUT_MS,
      onEra: (found: 'legacy' | 'modern') => this.eras.record(backend.name, found),
    };
  }

  /** The shared session of a backend while it is connected. */
  sessionOf(name: string): BackendSession | undefined {
    return this.shared.get(name);
  }

  /** How many sessions of single clients a backend has open now. */
  clientSessionCount(name: string): number {
    return this.perClient.get(name)?.size ?? 0;
  }

  /** The supervisor's connector of a configured backend: reach it, then open the shared session. */
  connector(backend: BackendOptions): Connector {
    return ({ onLost }) =>
      reachBackend(backend, this.options, (transport, details) =>
        this.openShared(backend, transport, onLost, details),
      );
  }

  /** The connector of an in-process server: it has no process, so nothing to reach. */
  virtualConnector(definition: VirtualServerDefinition): Connector {
    return async ({ onLost }) => {
      const session = new BackendSession({
        name: definition.name,
        transport: virtualTransport(definition),
        clientInfo: this.options.connections.clientInfo,
        clock: this.options.connections.clock,
        onClose: onLost,
      });
      await session.connect();
      this.shared.set(definition.name, session);
      return {
        probe: async () => session.closed === undefined,
        close: async () => {
          this.shared.delete(definition.name);
          await session.close();
        },
      };
    };
  }

  /**
   * Opens a backend session for one client alone: its own process or remote session, declared
   * the client's relayable capabilities, its requests and notifications going to that client. It
   * is not supervised: when it ends, the client's next call opens a new one; the client leaving
   * closes it.
   */
  openPrivate(backend: BackendOptions, owner: SessionOwner): Promise<BackendSession> {
    const { metrics, logger, connections } = this.options;
    const log = logger.child({ server: backend.name });
    return reachBackend(backend, this.options, async (transport, details) => {
      const session: BackendSession = new BackendSession({
        name: backend.name,
        transport,
        clientInfo: connections.clientInfo,
        clock: connections.clock,
        ...this.eraOptions(backend),
        capabilities: owner.capabilities,
        onRequest: (request) => owner.onRequest(session, request),
        onNotification: (notification) => owner.onNotification(notification),
        onClose: (reason) => {
          const open = this.perClient.get(backend.name);
          open?.delete(session);
          metrics.clientSessions(backend.name, open?.size ?? 0);
          log.info('client backend session closed', { reason });
          owner.onClose(session, reason);
        },
      });
      await connectOrClose(session, transport);
      const open = this.perClient.get(backend.name) ?? new Set<BackendSession>();
      this.perClient.set(backend.name, open.add(session));
      metrics.clientSessions(backend.name, open.size);
      log.info('client backend session opened', {
        ...details(),
        revision: session.revision,
        era: session.era,
      });
      return session;
    });
  }

  /** Runs the handshake over a started transport and wraps the session as a supervised connection. */
  private async openShared(
    backend: BackendOptions,
    transport: MessageTransport,
    onLost: (reason: string, options?: { immediate?: boolean }) => void,
    details: () => Record<string, unknown>,
  ): Promise<Connection> {
    const { hub, connections } = this.options;
    const { name } = backend;
    const session: BackendSession = new BackendSession({
      name,
      transport,
      clientInfo: connections.clientInfo,
      clock: connections.clock,
      ...this.eraOptions(backend),
      // Relayed to the client waiting on the backend. Roots are not declared: servers such as
      // server-filesystem would replace their configured folders with the client's roots.
      capabilities: { sampling: {}, elicitation: {} },
      onRequest: (request) => hub.request(session, request),
      onNotification: (notification) => hub.notification(name, notification),
      onClose: (reason) => {
        if (this.shared.get(name) === session) this.shared.delete(name);
        onLost(reason, { immediate: reason === BACKEND_SESSION_EXPIRED });
      },
    });
    await connectOrClose(session, transport);
    this.shared.set(name, session);
    this.options.logger.child({ server: name }).info('backend connected', {
      ...details(),
      revision: session.revision,
      era: session.era,
      serverInfo: session.serverInfo,
    });
    return {
      probe: async (method, timeoutMs) => {
        const outcome = await session.request(method, undefined, { timeoutMs }).outcome;
        // Any answer proves the backend alive; an error it sent (e.g. no `ping`) still counts,
        // unlike the errors the session raises itself when no answer came.
        return (
          outcome.kind === 'result' ||
          (outcome.kind === 'error' && !NO_ANSWER.has(outcome.error.code))
        );
      },
      close: async () => {
        if (this.shared.get(name) === session) this.shared.delete(name);
        await session.close();
      },
      busy: () => session.pending > 0,
    };
  }
}

/** The codes of a probe that got no answer: it timed out, or the connection is gone. */
const NO_ANSWER = new Set<number>([
  ERRORS.request_timeout.jsonRpc,
  ERRORS.backend_unavailable.jsonRpc,
]);

/** Runs the handshake; a failed one closes the transport it ran over. */
async function connectOrClose(session: BackendSession, transport: MessageTransport): Promise<void> {
  try {
    await session.connect();
  } catch (error) {
    await transport.close().catch(() => {});
    throw error;
  }
}
