import {
  isFailure,
  isNotification,
  isRequest,
  type JsonObject,
  type JsonRpcId,
  type JsonRpcMessage,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type JsonRpcResponse,
  LATEST_LEGACY_REVISION,
  type LegacyRevision,
  Method,
  type SessionInfo,
  type SessionSink,
  translateNotification,
  translateRequest,
  translateResult,
} from '@switchyard/protocol';
import { admit, createGate, type Gate, refusal } from './admission.js';
import type { BackendSession } from './backend-session.js';
import { dispatch } from './client-methods.js';
import type {
  ClientScope,
  RouterContext,
  SessionEndpoint,
  SessionOwner,
  SessionView,
} from './context.js';
import { hopBetween } from './forward.js';
import { failed, type Outcome, statusOf } from './outcome.js';
import { createTokenBucket, type TokenBucket } from './rate-limit.js';
import { RELAYED_CAPABILITY, relayable } from './relayed-capabilities.js';

interface OwnSession {
  opening: Promise<BackendSession>;
  session?: BackendSession;
}

/** One client request from receipt to reply. */
interface Handling {
  /** The backend it was routed to (`''` while the proxy answers it alone): its metrics label. */
  server: string;
  /** Takes it out of the queue it waits in, if it waits in one. */
  withdraw: (() => void) | undefined;
  /** The client cancelled it before it reached a backend. */
  cancelled: boolean;
}

let sessionSequence = 0; // labels of client sessions, unique across the routers of a process

/**
 * One client's session with the aggregated server: its negotiated revision, its requests in flight
 * at backends (client id → backend and backend id) so that cancellation and progress are mapped
 * both ways and a departing client's work is cancelled, the backend requests relayed to it, and
 * its own backend sessions (`sessions: per-client`).
 */
export class ClientSession implements SessionEndpoint, SessionView {
  readonly id = String(++sessionSequence);
  readonly openedAt: number;
  revision: LegacyRevision | undefined;
  clientCapabilities: JsonObject = {};
  clientInfo: JsonObject | undefined;
  initialized = false;
  private readonly inflight = new Map<JsonRpcId, { session: BackendSession; id: number }>();
  private open = true;
  /** Backend requests relayed to this client, by the id the proxy gave them: the client request
   * each belongs to, and where its answer goes. */
  private readonly relayed = new Map<
    JsonRpcId,
    { related: JsonRpcId | undefined; settle: (outcome: Outcome) => void }
  >();
  private relayCount = 0;
  /** Requests of this session being handled, by client id. */
  private readonly handling = new Map<JsonRpcId, Handling>();
  /** This session's own limit on requests in flight, with its queue (docs/operations.md). */
  private readonly gate: Gate;
  /** This session's request rate, when one is configured. */
  private readonly rate: TokenBucket | undefined;
  /** Backend sessions of this client alone (`sessions: per-client`), by backend name. */
  private readonly own = new Map<string, OwnSession>();
  /** Settles once the client sent `notifications/initialized` (or left): relays wait for it. */
  private readonly initializedSignal: Promise<void>;
  private signalInitialized: () => void = () => {};
  private readonly scope: ClientScope;

  constructor(
    private readonly context: RouterContext,
    private readonly sink: SessionSink,
    readonly info: SessionInfo,
  ) {
    this.openedAt = context.clock.now();
    this.initializedSignal = new Promise((resolve) => {
      this.signalInitialized = resolve;
    });
    this.scope = this.createScope();
    this.gate = createGate({ ...context.limits.session, clock: context.clock });
    const sessionRate = context.limits.sessionRate;
    this.rate = sessionRate ? createTokenBucket(sessionRate, context.clock) : undefined;
  }

  /** Delivers one valid client message (the transports' `FrontSession.handle`). */
  handle(message: JsonRpcMessage): void {
    if (!this.open) return;
    if (isRequest(message)) this.onRequest(message);
    else if (isNotification(message)) this.onNotification(message);
    else this.onResponse(message);
  }

  get inFlight(): number {
    return this.handling.size;
  }

  /** This session's requests in flight at `backend`. */
  waitingOn(backend: BackendSession): JsonRpcId[] {
    return [...this.inflight].filter(([, to]) => to.session === backend).map(([id]) => id);
  }

  asking(id: JsonRpcId): boolean {
    return [...this.relayed.values()].some((relay) => relay.related === id);
  }

  /**
   * Relays a backend's request (sampling, elicitation, roots) to this client: refused when the
   * client did not declare the capability or its revision cannot carry it; else translated and sent,
   * once initialized, with a proxy-minted id on its client request's stream; the answer, translated
   * back, is the outcome.
   */
  async relay(
    request: JsonRpcRequest,
    related: JsonRpcId | undefined,
    backend: BackendSession,
  ): Promise<Outcome> {
    const capability = RELAYED_CAPABILITY[request.method];
    if (!capability || !(capability in this.clientCapabilities)) {
      return failed(
        'method_not_found',
        `Method not found: the client did not declare ${capability ?? request.method}`,
      );
    }
    // Before `notifications/initialized` a client may receive nothing but pings and logs (MCP
    // 2025-11-25, Basic: Lifecycle, Initialization).
    if (!this.initialized) await this.initializedSignal;
    if (!this.open) return failed('internal_error', 'The client session has closed');
    const report = this.context.reportTranslation;
    const toClient = hopBetween(
      report,
      backend.revision,
      this.clientRevision,
      this.clientCapabilities,
    );
    const translated = translateRequest(request.method, request.params, toClient);
    if ('refused' in translated)
      return failed('method_not_found', `Method not found: ${translated.refused}`);
    const elicitationId = translated.params?.elicitationId;
    if (translated.params?.mode === 'url' && typeof elicitationId === 'string')
      this.context.audience.asked(elicitationId, this);
    const id = `switchyard-${++this.relayCount}`;
    const outcome = await new Promise<Outcome>((resolve) => {
      this.relayed.set(id, { related, settle: resolve });
      const outgoing: JsonRpcRequest =
        translated.params === undefined
          ? { jsonrpc: '2.0', id, method: request.method }
          : { jsonrpc: '2.0', id, method: request.method, params: translated.params };
      this.sink(outgoing, related);
    });
    if (outcome.kind !== 'result') return outcome;
    const toBackend = hopBetween(report, this.clientRevision, backend.revision);
    return { kind: 'result', result: translateResult(request.method, outcome.result, toBackend) };
  }

  /** Closes this client's own session with `backend`, if it has one (the server is `state`). */
  closeOwn(backend: string, state: string): void {
    const entry = this.own.get(backend);
    if (!entry) return;
    this.own.delete(backend);
    this.context.logger?.debug('client backend session closed with its server', {
      server: backend,
      state,
    });
    entry.opening.then((session) => session.close()).catch(() => {});
  }

  /** Sends a notification that belongs to no request (list_changed, log messages). */
  notify(message: JsonRpcNotification): void {
    if (!this.open || !this.initialized) return;
    const hop = hopBetween(
      this.context.reportTranslation,
      LATEST_LEGACY_REVISION,
      this.clientRevision,
    );
    const translated = translateNotification(message, hop);
    if (translated) this.sink(translated);
  }

  /**
   * The client is gone: its in-flight requests are cancelled at their backends and its own backend
   * sessions closed (settles when they are, even those still opening).
   */
  close(): Promise<void> {
    if (!this.open) return Promise.resolve();
    this.open = false;
    this.context.closed(this, this.info.transport);
    for (const { session, id } of this.inflight.values())
      session.cancel(id, 'client session closed');
    this.inflight.clear();
    for (const handling of this.handling.values()) handling.withdraw?.();
    this.context.audience.forget(this);
    for (const { settle } of this.relayed.values()) {
      settle(failed('internal_error', 'The client session that was asked has closed'));
    }
    this.relayed.clear();
    this.signalInitialized();
    const closing = [...this.own.values()].map(({ opening }) =>
      opening.then((session) => session.close()).catch(() => {}),
    );
    this.own.clear();
    return Promise.all(closing).then(() => {});
  }

  /** The revision this client negotiated (the canonical one until it has). */
  private get clientRevision(): LegacyRevision {
    return this.revision ?? LATEST_LEGACY_REVISION;
  }

  private onRequest(message: JsonRpcRequest): void {
    const started = this.context.clock.now();
    const handling: Handling = { server: '', withdraw: undefined, cancelled: false };
    this.handling.set(message.id, handling);
    const done = this.context.begin();
    void this.answer(message, handling)
      .then((outcome) => {
        this.reply(message.id, outcome);
        this.context.observer.requestCompleted?.({
          server: handling.server,
          method: message.method,
          status: statusOf(outcome),
          durationSeconds: (this.context.clock.now() - started) / 1000,
        });
      })
      .finally(() => {
        if (this.handling.get(message.id) === handling) this.handling.delete(message.id);
        done();
      });
  }

  /**
   * A request's outcome: a token of this session's rate, a slot at its own gate (waiting for one
   * when the client has too many in flight), then its method's handler.
   */
  private async answer(message: JsonRpcRequest, handling: Handling): Promise<Outcome> {
    const retryAfterMs = this.rate?.take();
    if (retryAfterMs !== undefined) {
      this.context.observer.requestRefused?.({ server: '', reason: 'rate_limited' });
      return failed(
        'rate_limited',
        `Too many requests: this session is over its rate limit; retry after ${retryAfterMs} ms`,
        { reason: 'rate_limited', retryAfterMs },
      );
    }
    const admission = await admit(this.gate, (withdraw) => this.waitWith(handling, withdraw));
    if (admission === 'withdrawn') return { kind: 'cancelled' };
    if (admission !== 'admitted') {
      this.context.observer.requestRefused?.({ server: '', reason: admission });
      return refusal(admission, this.gate.limits);
    }
    try {
      return await dispatch(this.context, this.scope, message);
    } catch (cause) {
      this.context.logger?.error('request failed inside the proxy', {
        method: message.method,
        error: String(cause),
      });
      return failed('internal_error', 'Internal error');
    } finally {
      this.gate.leave();
    }
  }

  /** A request waits in a queue: `withdraw` takes it out if the client cancels it. */
  private waitWith(handling: Handling, withdraw: () => void): () => void {
    if (handling.cancelled || !this.open) {
      withdraw();
      return () => {};
    }
    handling.withdraw = withdraw;
    return () => {
      if (handling.withdraw === withdraw) handling.withdraw = undefined;
    };
  }

  /** The answer to a request this session relayed from a backend. */
  private onResponse(message: JsonRpcResponse): void {
    if (message.id === null) return;
    const waiting = this.relayed.get(message.id);
    if (!waiting) return;
    this.relayed.delete(message.id);
    waiting.settle(
      isFailure(message)
        ? { kind: 'error', error: message.error }
        : { kind: 'result', result: message.result },
    );
  }

  private onNotification(message: JsonRpcNotification): void {
    if (message.method === Method.Initialized) {
      this.initialized = true;
      this.signalInitialized();
      return;
    }
    if (message.method === Method.RootsListChanged) {
      // Only this client's own backend sessions were told its roots.
      for (const { session } of this.own.values()) void session?.notify(message.method);
      return;
    }
    if (message.method === Method.Cancelled) {
      const requestId = message.params?.requestId;
      if (typeof requestId !== 'string' && typeof requestId !== 'number') return;
      const target = this.inflight.get(requestId);
      if (!target) {
        // Not at a backend yet: out of its queue, or stopped before it reaches one.
        const handling = this.handling.get(requestId);
        if (!handling) return;
        handling.cancelled = true;
        handling.withdraw?.();
        return;
      }
      this.inflight.delete(requestId);
      const reason = message.params?.reason;
      target.session.cancel(target.id, typeof reason === 'string' ? reason : undefined);
    }
  }

  private reply(id: JsonRpcId, outcome: Outcome): void {
    if (!this.open || outcome.kind === 'cancelled') return;
    const message: JsonRpcMessage =
      outcome.kind === 'result'
        ? { jsonrpc: '2.0', id, result: outcome.result }
        : { jsonrpc: '2.0', id, error: outcome.error };
    this.sink(message, id);
  }

  /**
   * This client's own session with a `per-client` backend, opened on first use; its requests and
   * notifications concern this client alone.
   */
  private async ownSession(
    backend: string,
    open: (owner: SessionOwner) => Promise<BackendSession>,
  ): Promise<{ session: BackendSession } | { error: Outcome }> {
    let entry = this.own.get(backend);
    if (!entry) {
      const opened: OwnSession = {
        opening: open({
          capabilities: relayable(this.clientCapabilities),
          onRequest: (session, request) => this.relay(request, this.latestAt(session), session),
          onNotification: (notification) =>
            this.context.audience.notification(backend, notification, this),
          onClose: (session) => {
            if (this.own.get(backend)?.session === session) this.own.delete(backend);
          },
        }),
      };
      entry = opened;
      this.own.set(backend, opened);
      opened.opening.then(
        (session) => {
          opened.session = session;
        },
        () => {
          if (this.own.get(backend) === opened) this.own.delete(backend);
        },
      );
    }
    try {
      return { session: await entry.opening };
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      return {
        error: failed(
          'backend_unavailable',
          `Backend "${backend}" could not open a session for this client: ${reason}`,
          { server: backend, state: 'running' },
        ),
      };
    }
  }

  /** The most recent request of this client in flight at `session`, if any. */
  private latestAt(session: BackendSession): JsonRpcId | undefined {
    let latest: JsonRpcId | undefined;
    for (const [id, target] of this.inflight) if (target.session === session) latest = id;
    return latest;
  }

  /** What the client-method handlers see of this session. */
  private createScope(): ClientScope {
    const self = this;
    return {
      get revision() {
        return self.clientRevision;
      },
      get capabilities() {
        return self.clientCapabilities;
      },
      info: this.info,
      endpoint: this,
      send: (message, related) => this.sink(message, related),
      own: (backend, open) => this.ownSession(backend, open),
      ownSessions: () =>
        [...this.own].flatMap(([name, { session }]) => (session ? [{ name, session }] : [])),
      track: (id, session, backendId) => {
        // Cancelled on its way (while its backend was starting, say): the backend hears it at once.
        if (this.handling.get(id)?.cancelled) {
          session.cancel(backendId, 'cancelled by the client');
          return () => {};
        }
        this.inflight.set(id, { session, id: backendId });
        return () => this.inflight.delete(id);
      },
      routedTo: (id, backend) => {
        const handling = this.handling.get(id);
        if (handling) handling.server = backend;
      },
      queued: (id, withdraw) => {
        const handling = this.handling.get(id);
        return handling ? this.waitWith(handling, withdraw) : () => {};
      },
      negotiated: (revision, capabilities, clientInfo) => {
        this.revision = revision;
        this.clientCapabilities = capabilities;
        this.clientInfo = clientInfo;
        this.context.observer.sessionInitialized?.(this);
      },
    };
  }
}
