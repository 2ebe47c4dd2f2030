import {
  acceptsLegacyRevision,
  type Clock,
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
  type MessageTransport,
  Method,
  resolveRevision,
  SwitchyardError,
  systemClock,
  wireError,
} from '@switchyard/protocol';
import { failed, type Outcome } from './outcome.js';

/** A request in flight at a backend: its backend-side id and how it will end. */
export interface PendingRequest {
  readonly id: number;
  readonly outcome: Promise<Outcome>;
}

export interface RequestOptions {
  /** After this long the backend gets `notifications/cancelled` and the caller a timeout error. */
  timeoutMs?: number;
  /**
   * Each progress notification restarts the timeout, up to this much in all since the request was
   * sent, so long tools that report progress are not cut off (docs/operations.md, "Limits").
   * Default: no extension.
   */
  maxTimeoutMs?: number;
  /** Called for each `notifications/progress` of this request (a fresh token is minted per hop). */
  onProgress?: (params: JsonObject) => void;
}

export interface BackendSessionOptions {
  /** The backend's configured name, used in every error so a client knows which one failed. */
  name: string;
  transport: MessageTransport;
  /** Who the proxy says it is in `initialize`. */
  clientInfo: { name: string; version: string };
  /** What the proxy declares to this backend as its client capabilities. */
  capabilities?: JsonObject;
  initializeTimeoutMs?: number;
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
  revision: LegacyRevision | undefined;
  serverCapabilities: JsonObject = {};
  serverInfo: JsonObject | undefined;
  instructions: string | undefined;

  private nextId = 1;
  private readonly waiters = new Map<number, Waiter>();
  private readonly progress = new Map<string, (params: JsonObject) => void>();
  private closedReason: string | undefined;
  private readonly clock: Clock;

  constructor(private readonly options: BackendSessionOptions) {
    this.clock = options.clock ?? systemClock;
  }

  get name(): string {
    return this.options.name;
  }

  /** Requests sent and not yet answered. */
  get pending(): number {
    return this.waiters.size;
  }

  /** Why the connection ended, or undefined while it is open. */
  get closed(): string | undefined {
    return this.closedReason;
  }

  /**
   * Starts the transport and runs the `initialize` handshake. Throws a {@link SwitchyardError}
   * (`initialize_failed`, `unsupported_revision`).
   */
  async connect(): Promise<void> {
    const { transport } = this.options;
    transport.onmessage = (message) => this.receive(message);
    transport.onclose = (reason) => this.shutdown(reason);
    transport.onerror = () => {};
    await transport.start();
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
    await this.notify(Method.Initialized);
  }

  /** Sends a request with a proxy-minted id; never throws, the outcome says how it ended. */
  request(
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
          : failed('backend_unavailable', `Backend "${this.name}" is unavailable: ${why}`),
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
    const message: JsonRpcNotification =
      params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params };
    await this.options.transport.send(message).catch(() => {});
  }

  /**
   * Cancels an in-flight request: the backend gets `notifications/cancelled` with its own id and
   * the caller's outcome resolves as cancelled (no response is owed to a client that cancelled).
   */
  cancel(id: number, reason?: string): void {
    if (!this.waiters.has(id)) return;
    void this.notify(
      Method.Cancelled,
      reason === undefined ? { requestId: id } : { requestId: id, reason },
    );
    this.settle(id, { kind: 'cancelled' });
  }

  /** Closes the transport; every waiting request ends with an error naming this backend. */
  async close(): Promise<void> {
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
      this.options.onNotification?.(message);
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
