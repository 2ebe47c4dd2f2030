import {
  acceptsLegacyRevision,
  type BackendEra,
  type Clock,
  DISCOVER_METHOD,
  isFailure,
  isNotification,
  isJsonObject as isObject,
  isRequest,
  type JsonObject,
  type JsonRpcMessage,
  type JsonRpcNotification,
  type JsonRpcRequest,
  LATEST_LEGACY_REVISION,
  type LegacyRevision,
  legacyServerCapabilities,
  type MessageTransport,
  Method,
  NOT_SENT_TO_MODERN,
  resolveRevision,
  SwitchyardError,
  systemClock,
  wireError,
} from '@switchyard/protocol';
import { type EraVerdict, probeVerdict } from './era-probe.js';
import { ModernSide } from './modern-side.js';
import { failed, type Outcome } from './outcome.js';
import type { PendingRequest, RequestOptions } from './request-options.js';

export type { PendingRequest, RequestOptions } from './request-options.js';

export interface BackendSessionOptions {
  /** The backend's configured name, used in every error so a client knows which one failed. */
  name: string;
  transport: MessageTransport;
  /** Who the proxy says it is in `initialize`. */
  clientInfo: { name: string; version: string };
  /** What the proxy declares to this backend as its client capabilities. */
  capabilities?: JsonObject;
  initializeTimeoutMs?: number;
  /**
   * `legacy` (the default here): `initialize`. `modern`: `server/discover`, then every request in
   * the 2026-07-28 shape. `auto`: probe with `server/discover`, fall back to `initialize`
   * (docs/protocol-versions.md, "Modern backends").
   */
  era?: BackendEra;
  /** How long the `auto` probe waits for an answer before deciding legacy. */
  probeTimeoutMs?: number;
  /** The era the backend turned out to have (`auto`), for the caller's verdict cache. */
  onEra?: (era: EraVerdict) => void;
  clock?: Clock;
  /** Backend notifications other than progress (which is routed to its request). */
  onNotification?: (notification: JsonRpcNotification) => void;
  /** Backend-to-client requests (ping is answered here). */
  onRequest?: (request: JsonRpcRequest) => Promise<Outcome>;
  /** The connection ended; `reason` says why (exit code, error). */
  onClose?: (reason: string) => void;
}

interface Waiter {
  resolve: (outcome: Outcome) => void;
  timer?: unknown;
  progressToken?: string;
  /** Restarts the timeout after progress, within the request's maximum. */
  extend?: () => void;
}

/**
 * The proxy's client-side session with one backend: the `initialize` handshake (offering the latest
 * legacy revision and accepting any supported counter-offer: MCP 2025-11-25, Basic: Lifecycle,
 * Version Negotiation) and request correlation. Ids are minted here, per hop, so requests of
 * different clients never cross; progress tokens are minted per request and mapped back to their
 * caller (docs/architecture.md, "Decisions worth knowing").
 */
export class BackendSession {
  /**
   * The revision the router speaks to this backend: a modern backend is presented as a
   * 2025-11-25 one and translated inside the session.
   */
  revision: LegacyRevision | undefined;
  /** The era found by `connect()`. */
  era: EraVerdict | undefined;
  serverCapabilities: JsonObject = {};
  serverInfo: JsonObject | undefined;
  instructions: string | undefined;

  private nextId = 1;
  private readonly waiters = new Map<number, Waiter>();
  private readonly progress = new Map<string, (params: JsonObject) => void>();
  private closedReason: string | undefined;
  private readonly clock: Clock;
  /** What differs with a modern backend, once `connect()` found one. */
  private modern: ModernSide | undefined;

  constructor(private readonly options: BackendSessionOptions) {
    this.clock = options.clock ?? systemClock;
  }

  get name(): string {
    return this.options.name;
  }

  /** Requests sent and not yet answered. */
  get pending(): number {
    return this.waiters.size - (this.modern?.background ?? 0);
  }

  /** Why the connection ended, or undefined while it is open. */
  get closed(): string | undefined {
    return this.closedReason;
  }

  /**
   * Starts the transport and runs the `initialize` handshake, or `server/discover` for a modern
   * backend (the `era` option). Throws a {@link SwitchyardError} (`initialize_failed`,
   * `unsupported_revision`).
   */
  async connect(): Promise<void> {
    const { transport } = this.options;
    transport.onmessage = (message) => this.receive(message);
    transport.onclose = (reason) => this.shutdown(reason);
    transport.onerror = () => {};
    await transport.start();
    const era = this.options.era ?? 'legacy';
    if (era !== 'legacy' && (await this.connectModern(era === 'auto'))) return;
    const pending = this.request(
      Method.Initialize,
      {
        protocolVersion: LATEST_LEGACY_REVISION,
        capabilities: this.options.capabilities ?? {},
        clientInfo: this.options.clientInfo,
      },
      { timeoutMs: this.options.initializeTimeoutMs ?? 30_000 },
    );
    const outcome = await pending.outcome;
    if (outcome.kind !== 'result') {
      const why = outcome.kind === 'error' ? outcome.error.message : 'cancelled';
      await transport.close();
      throw new SwitchyardError(
        'initialize_failed',
        `backend "${this.name}" failed to initialize: ${why}`,
      );
    }
    const result = outcome.result;
    if (!acceptsLegacyRevision(result.protocolVersion)) {
      await transport.close();
      throw new SwitchyardError(
        'unsupported_revision',
        `backend "${this.name}" answered with unsupported protocol revision ${String(result.protocolVersion)}`,
      );
    }
    this.revision = resolveRevision(result.protocolVersion) as LegacyRevision;
    transport.setProtocolVersion?.(this.revision);
    this.serverCapabilities = isObject(result.capabilities) ? result.capabilities : {};
    this.serverInfo = isObject(result.serverInfo) ? result.serverInfo : undefined;
    this.instructions = typeof result.instructions === 'string' ? result.instructions : undefined;
    this.era = 'legacy';
    await this.notify(Method.Initialized);
  }

  /**
   * `server/discover` as the first request (MCP 2026-07-28, Basic: Lifecycle, Discovery). When
   * probing, an answer that is not modern means a legacy backend (false: run `initialize`); a
   * backend that exits during the probe is recorded legacy and the connect fails, so the next one
   * (after the supervisor's restart) runs `initialize` at once (docs/protocol-versions.md, "Modern
   * backends").
   */
  private async connectModern(probing: boolean): Promise<boolean> {
    const timeoutMs = probing
      ? (this.options.probeTimeoutMs ?? 5_000)
      : (this.options.initializeTimeoutMs ?? 30_000);
    const modern = new ModernSide({
      name: this.name,
      clock: this.clock,
      capabilities: this.options.capabilities ?? {},
      clientInfo: this.options.clientInfo,
      refreshTimeoutMs: this.options.initializeTimeoutMs ?? 30_000,
      send: (method, params, options) => this.send(method, params, options),
      mintId: () => this.nextId++,
      cancel: (id) => this.cancel(id),
      closed: () => this.closedReason !== undefined,
      discovered: (result) => {
        this.serverCapabilities = legacyServerCapabilities(result.capabilities);
        this.serverInfo = result.serverInfo;
        this.instructions = result.instructions;
      },
    });
    const outcome = await this.send(DISCOVER_METHOD, modern.envelope(undefined), { timeoutMs })
      .outcome;
    const verdict = probeVerdict(this.name, outcome, this.closedReason, probing);
    if (verdict.era) this.options.onEra?.(verdict.era);
    if (verdict.error) {
      await this.options.transport.close();
      throw verdict.error;
    }
    const discovery = verdict.discovery;
    if (verdict.era === 'legacy' || !discovery) return false;
    this.era = 'modern';
    this.revision = LATEST_LEGACY_REVISION;
    this.modern = modern;
    modern.discovered(discovery);
    modern.start();
    return true;
  }

  /** Sends a request with a proxy-minted id; never throws, the outcome says how it ended. */
  request(
    method: string,
    params: JsonObject | undefined,
    options: RequestOptions = {},
  ): PendingRequest {
    if (this.modern) return this.modern.request(method, params, options);
    return this.send(method, params, options);
  }

  /** One request on the wire, as given. */
  private send(
    method: string,
    params: JsonObject | undefined,
    options: RequestOptions = {},
  ): PendingRequest {
    const id = this.nextId++;
    if (this.closedReason !== undefined) {
      return { id, outcome: Promise.resolve(this.unavailable()) };
    }
    let outgoing = params;
    const waiter: Waiter = { resolve: () => {} };
    const onProgress = options.onProgress;
    if (onProgress) {
      const token = `${this.name}:${id}`;
      waiter.progressToken = token;
      this.progress.set(token, (progress) => {
        waiter.extend?.();
        onProgress(progress);
      });
      const meta = isObject(params?._meta) ? params._meta : {};
      outgoing = { ...params, _meta: { ...meta, progressToken: token } };
    }
    const outcome = new Promise<Outcome>((resolve) => {
      waiter.resolve = resolve;
    });
    this.waiters.set(id, waiter);
    if (options.timeoutMs !== undefined) {
      const ms = options.timeoutMs;
      const started = this.clock.now();
      const max = Math.max(ms, options.maxTimeoutMs ?? ms);
      let extended = false;
      const expire = () => {
        const after = extended
          ? `${this.clock.now() - started} ms (extended by progress, at most ${max} ms)`
          : `${ms} ms`;
        // Not `cancel()`: that would settle as cancelled, and a cancelled outcome gets no reply.
        void this.notify(Method.Cancelled, { requestId: id, reason: `timed out after ${after}` });
        this.settle(
          id,
          failed('request_timeout', `Request to backend "${this.name}" timed out after ${after}`),
        );
      };
      waiter.timer = this.clock.setTimeout(expire, ms);
      if (max > ms) {
        waiter.extend = () => {
          extended = true;
          this.clock.clearTimeout(waiter.timer);
          const left = Math.min(ms, started + max - this.clock.now());
          waiter.timer = this.clock.setTimeout(expire, Math.max(0, left));
        };
      }
    }
    const message: JsonRpcRequest =
      outgoing === undefined
        ? { jsonrpc: '2.0', id, method }
        : { jsonrpc: '2.0', id, method, params: outgoing };
    this.sendRequest(id, message);
    return { id, outcome };
  }

  /**
   * Hands a request to the transport. A message that cannot be serialized at all (JSON nested
   * deeper than the serializer's stack: a RangeError, thrown or rejected by the transport) is the
   * client's invalid params, not an unavailable backend: the backend has not seen a byte of it.
   */
  private sendRequest(id: number, message: JsonRpcRequest): void {
    const fail = (error: unknown) => {
      const why = error instanceof Error ? error.message : String(error);
      this.settle(
        id,
        error instanceof RangeError
          ? failed('invalid_params', `Invalid params: the request cannot be sent (${why})`)
          : failed(
              'backend_unavailable',
              `Backend "${this.name}" is unavailable: ${why}`,
              // An HTTP status stays visible: 401/403 decide no era (docs/protocol-versions.md).
              error instanceof SwitchyardError ? error.data : undefined,
            ),
      );
    };
    try {
      this.options.transport.send(message).catch(fail);
    } catch (error) {
      fail(error);
    }
  }

  /** Sends a notification; failures are reported, not thrown, because nobody waits for an answer. */
  async notify(method: string, params?: JsonObject): Promise<void> {
    if (this.closedReason !== undefined) return;
    if (this.era === 'modern' && NOT_SENT_TO_MODERN.includes(method)) return;
    const message: JsonRpcNotification =
      params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params };
    await this.options.transport.send(message).catch(() => {});
  }

  /**
   * Cancels an in-flight request: the backend gets `notifications/cancelled` with its own id and
   * the caller's outcome resolves as cancelled (no response is owed to a client that cancelled).
   */
  cancel(first: number, reason?: string): void {
    const id = this.modern ? this.modern.cancel(first) : first;
    if (!this.waiters.has(id)) return;
    void this.notify(
      Method.Cancelled,
      reason === undefined ? { requestId: id } : { requestId: id, reason },
    );
    this.settle(id, { kind: 'cancelled' });
  }

  /** Closes the transport; every waiting request ends with an error naming this backend. */
  async close(): Promise<void> {
    this.modern?.stop();
    this.shutdown('closed by the proxy');
    await this.options.transport.close();
  }

  private unavailable(): Outcome {
    return failed(
      'backend_unavailable',
      `Backend "${this.name}" is unavailable: ${this.closedReason}`,
      {
        server: this.name,
      },
    );
  }

  private shutdown(reason: string): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    for (const id of [...this.waiters.keys()]) this.settle(id, this.unavailable());
    this.options.onClose?.(reason);
  }

  private settle(id: number, outcome: Outcome): void {
    const waiter = this.waiters.get(id);
    if (!waiter) return;
    this.waiters.delete(id);
    if (waiter.timer !== undefined) this.clock.clearTimeout(waiter.timer);
    if (waiter.progressToken !== undefined) this.progress.delete(waiter.progressToken);
    waiter.resolve(outcome);
  }

  private receive(message: JsonRpcMessage): void {
    if (isRequest(message)) {
      void this.answer(message);
      return;
    }
    if (isNotification(message)) {
      if (message.method === Method.Progress) {
        const token = message.params?.progressToken;
        const handler = typeof token === 'string' ? this.progress.get(token) : undefined;
        if (handler && message.params) handler(message.params);
        return;
      }
      const relayed = this.modern ? this.modern.notification(message) : message;
      if (relayed) this.options.onNotification?.(relayed);
      return;
    }
    if (typeof message.id !== 'number') return;
    if (isFailure(message)) this.settle(message.id, { kind: 'error', error: message.error });
    else this.settle(message.id, { kind: 'result', result: message.result });
  }

  private async answer(request: JsonRpcRequest): Promise<void> {
    const outcome: Outcome =
      request.method === Method.Ping
        ? { kind: 'result', result: {} }
        : this.options.onRequest
          ? await this.options.onRequest(request)
          : failed('method_not_found', `Method not found: ${request.method}`);
    const reply: JsonRpcMessage =
      outcome.kind === 'result'
        ? { jsonrpc: '2.0', id: request.id, result: outcome.result }
        : {
            jsonrpc: '2.0',
            id: request.id,
            error:
              outcome.kind === 'error'
                ? outcome.error
                : wireError('request_timeout', 'Request cancelled'),
          };
    await this.options.transport.send(reply).catch(() => {});
  }
}
