import {
  acknowledgement,
  type Clock,
  discoverResult,
  failure,
  honouredFilter,
  isJsonObject,
  isRequest,
  isResponse,
  type JsonObject,
  type JsonRpcFailure,
  type JsonRpcId,
  type JsonRpcMessage,
  type JsonRpcRequest,
  type JsonRpcResponse,
  LATEST_LEGACY_REVISION,
  listenFilter,
  listenNotification,
  listenResult,
  Method,
  MRTR_METHODS,
  modernError,
  relayedCapabilities,
  requestedLogLevel,
  stripEnvelope,
} from '@switchyard/protocol';
import type { FrontSession, OpenSession } from './front-session.js';
import { isRetry, modernAnswer, withGivenResponses } from './internal/modern-answers.js';
import { ModernCalls } from './internal/modern-calls.js';
import { refuseRequest, routeLog } from './internal/modern-drops.js';
import {
  cancelInternal,
  type InternalSession,
  internalKeyOf,
  listToolSchemas,
  MAX_CLIENT_SESSIONS,
  type ModernCall,
  type ModernDrop,
  type ModernShared,
  requestOf,
  SHARED,
  sharedCall,
  type ToolList,
} from './internal/modern-session.js';

export interface ModernBridgeOptions {
  openSession: OpenSession;
  /** The front the modern requests come through, as the client sessions it opens report it. */
  transport: string;
  clock: Clock;
  /** An internal session with nothing in flight for this long is closed (default 5 min). */
  idleMs?: number;
  /**
   * How long a `requestState` of an `InputRequiredResult` may be retried with, on `clock`; the
   * backend call is cancelled when it runs out (default 5 min).
   */
  requestStateTtlMs?: number;
  /**
   * How long a legacy backend's requests during one call are collected into one
   * `InputRequiredResult`, on `clock` (default 25 ms; 0 collects what arrives in one turn).
   */
  inputCollectMs?: number;
  /** Hears every backend message a modern client could not be given (for a metric and a log). */
  onDropped?: (drop: ModernDrop) => void;
  /**
   * Hears when a principal's further client programs start sharing one session (for a log):
   * their context-tracing responses are grouped together from then on.
   */
  onShared?: (shared: ModernShared) => void;
}

export type {
  ModernCall,
  ModernDrop,
  ModernDropReason,
  ModernShared,
} from './internal/modern-session.js';

/**
 * Serves modern (MCP 2026-07-28) requests through the router's legacy client sessions
 * (docs/protocol-versions.md, "The modern era (2026-07-28)"). Each (principal, capability profile,
 * client program named in `clientInfo`) gets one internal session, opened with a synthetic
 * `initialize` carrying the capabilities the bridge can honour for that client, and reused until
 * it idles, so namespacing, admission, metrics and tracing apply unchanged. Requests get
 * bridge-minted ids (clients of one session may reuse ids), the envelope is stripped before they
 * reach the router, and answers are turned into the modern shape.
 */
export class ModernBridge {
  private readonly sessions = new Map<string, InternalSession>();
  /** The listen streams being served, each ended gracefully by calling it. */
  private readonly listens = new Set<() => void>();
  private sequence = 0;
  private readonly calls: ModernCalls;
  /**
   * Tool input schemas by name, per principal, as read and once read (so most calls check their
   * headers without waiting a turn); see {@link toolInputSchema}.
   */
  private readonly toolLists = new Map<string, ToolList>();

  constructor(private readonly options: ModernBridgeOptions) {
    this.calls = new ModernCalls({
      clock: options.clock,
      ttlMs: options.requestStateTtlMs ?? 5 * 60_000,
      collectMs: options.inputCollectMs ?? 25,
      quiet: (session) => {
        if (session.waiting.size === 0) this.idle(session);
      },
      serve: (call) => this.request(call),
    });
  }

  /**
   * The `inputSchema` of tool `name` as `tools/list` shows it to the call's principal, for the
   * HTTP front's `Mcp-Param-*` check (MCP 2026-07-28, Transports: Streamable HTTP, Custom Headers
   * from Tool Parameters). The list is read once and kept until an internal session hears
   * `tools/list_changed` or one ends, so a list no live session would hear change is not kept.
   */
  toolInputSchema(
    call: ModernCall,
    name: string,
  ): JsonObject | undefined | Promise<JsonObject | undefined> {
    const key = call.principal ?? '';
    const known = this.toolLists.get(key);
    if (known?.schemas) return known.schemas.get(name);
    if (known) return known.reading.then((schemas) => schemas?.get(name));
    const { request, envelope, principal } = call;
    const list: ToolList = {
      reading: listToolSchemas((c) => this.request(c), { request, envelope, principal }).then(
        (schemas) => {
          if (this.toolLists.get(key) !== list) return schemas;
          if (schemas) list.schemas = schemas;
          else this.toolLists.delete(key);
          return schemas;
        },
      ),
    };
    this.toolLists.set(key, list);
    return list.reading.then((schemas) => schemas?.get(name));
  }

  /** Answers `server/discover` from a fresh synthetic `initialize` of the aggregate. */
  async discover(call: ModernCall): Promise<JsonRpcResponse> {
    const session = this.openInternal(call, `discover-${++this.sequence}`);
    const ready = await session.ready;
    session.front.close();
    if ('error' in ready) return this.failed(call, ready);
    return { jsonrpc: '2.0', id: call.request.id, result: discoverResult(ready.result) };
  }

  /** Answers one modern request through the internal session of its principal, profile, client. */
  request(call: ModernCall): Promise<JsonRpcResponse> {
    if (isRetry(call.request.params)) return this.calls.resume(call);
    const { call: served, given } = withGivenResponses(call);
    const key = internalKeyOf(this.sessions, served);
    let session = this.sessions.get(key);
    if (!session) {
      const shared = key.endsWith(SHARED);
      session = this.openInternal(shared ? sharedCall(served) : served, key);
      this.sessions.set(key, session);
      if (shared) {
        const { principal, envelope } = served;
        const { clientInfo } = envelope;
        this.options.onShared?.({ principal, clientInfo, limit: MAX_CLIENT_SESSIONS });
      }
    }
    const opened = session;
    // A session in use is ready: most requests go on at once, in this turn, and the promise of
    // the call itself is handed back (no async wrapper, whose own promise would settle a turn
    // later: docs/performance.md, "Eras", fifth round).
    if (session.answered) return this.serve(served, opened, session.answered, given);
    return session.ready.then((ready) => this.serve(served, opened, ready, given));
  }

  /** Serves a request on its internal session, once that session has its `initialize` answer. */
  private serve(
    call: ModernCall,
    session: InternalSession,
    ready: JsonRpcResponse,
    given: JsonObject | undefined,
  ): Promise<JsonRpcResponse> {
    if ('error' in ready) {
      this.end(session);
      return Promise.resolve(this.failed(call, ready));
    }
    const serverInfo = isJsonObject(ready.result.serverInfo) ? ready.result.serverInfo : {};
    const { request } = call;
    const params = stripEnvelope(request.params);
    const message: Omit<JsonRpcRequest, 'jsonrpc' | 'id'> = { method: request.method };
    if (params !== undefined) message.params = params;
    if (MRTR_METHODS.includes(request.method)) {
      return this.calls.start(
        call,
        session,
        `modern-${++this.sequence}`,
        message,
        serverInfo,
        given,
      );
    }
    return this.exchange(session, message, call).then((answer) => {
      if (session.waiting.size === 0) this.idle(session);
      return modernAnswer(request, answer, serverInfo);
    });
  }

  /**
   * Serves `subscriptions/listen` (MCP 2026-07-28, Basic: Subscriptions) on an internal session of
   * its own, so its resource subscriptions and notifications belong to this stream alone: the
   * filter is cut to what the proxy's legacy capabilities can deliver, each resource URI becomes
   * `resources/subscribe` (a URI whose subscribe fails is not acknowledged), then the
   * acknowledgement goes out first, then the list changes and resource updates the filter admits,
   * each with the subscription id. When the client goes away (`cancelled`) the URIs are unsubscribed
   * and the session closed; on shutdown ({@link close}) the same, and the stream ends with a
   * `SubscriptionsListenResult`.
   */
  async listen(call: ModernCall): Promise<JsonRpcResponse> {
    const { request, cancelled } = call;
    const session = this.openInternal(call, `listen-${++this.sequence}`);
    const ready = await session.ready;
    if ('error' in ready) {
      session.front.close();
      return this.failed(call, ready);
    }
    const capabilities = isJsonObject(ready.result.capabilities) ? ready.result.capabilities : {};
    const honoured = honouredFilter(request.params?.notifications, capabilities);
    const subscribed: string[] = [];
    for (const uri of listenFilter(honoured).resourceSubscriptions) {
      const subscribe = { method: Method.ResourcesSubscribe, params: { uri } };
      const answer = await this.exchange(session, subscribe, {
        request,
        ...(cancelled ? { cancelled } : {}),
      });
      if ('result' in answer) subscribed.push(uri);
    }
    if (subscribed.length > 0) honoured.resourceSubscriptions = subscribed;
    else delete honoured.resourceSubscriptions;
    const filter = listenFilter(honoured);
    let end: () => void = () => {};
    let gone = false;
    let stopListening: (() => void) | undefined;
    const ended = new Promise<'shutdown' | 'gone'>((resolve) => {
      end = () => resolve('shutdown');
      stopListening = cancelled?.(() => {
        gone = true;
        resolve('gone');
      });
    });
    if (!gone) {
      call.notify?.(acknowledgement(honoured, request.id));
      session.listener = (notification) => {
        const message = listenNotification(notification, filter, request.id);
        if (message) call.notify?.(message);
      };
    }
    this.listens.add(end);
    const how = await ended;
    stopListening?.();
    this.listens.delete(end);
    session.listener = undefined;
    for (const uri of subscribed) {
      await this.exchange(
        session,
        { method: Method.ResourcesUnsubscribe, params: { uri } },
        {
          request,
        },
      );
    }
    session.front.close();
    if (how === 'gone') return failure(request.id, 'connection_closed', 'The listen stream closed');
    const serverInfo = isJsonObject(ready.result.serverInfo) ? ready.result.serverInfo : {};
    return { jsonrpc: '2.0', id: request.id, result: listenResult(request.id, serverInfo) };
  }

  /** Closes every internal session (shutdown); their waiting requests get an error. */
  close(): void {
    this.calls.close('the proxy is shutting down');
    for (const end of [...this.listens]) end();
    for (const session of [...this.sessions.values()]) this.end(session);
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Calls whose backend asked something, kept pending between MRTR rounds (or being served). */
  get pendingCalls(): number {
    return this.calls.pending;
  }

  /**
   * Sends one request on an internal session under a bridge-minted id and resolves with its
   * answer; the call's progress goes to its `notify`, and its `cancelled` cancels it.
   */
  private exchange(
    session: InternalSession,
    message: Omit<JsonRpcRequest, 'jsonrpc' | 'id'>,
    call: Pick<ModernCall, 'request' | 'notify' | 'cancelled'>,
  ): Promise<JsonRpcResponse> {
    const { request } = call;
    const id = `modern-${++this.sequence}`;
    return new Promise<JsonRpcResponse>((settle) => {
      const logLevel = requestedLogLevel(request.params);
      let stopListening: (() => void) | undefined;
      const answered = (answer: JsonRpcResponse) => {
        stopListening?.();
        settle(answer);
      };
      session.waiting.set(id, {
        clientId: request.id,
        settle: answered,
        notify: call.notify,
        logLevel,
      });
      session.front.handle(requestOf(id, message));
      if (!session.waiting.has(id)) return;
      stopListening = call.cancelled?.(() => {
        if (!cancelInternal(session, id, 'the modern client went away')) return;
        settle(failure(request.id, 'connection_closed', 'Request cancelled by the client'));
      });
    });
  }

  /** The answer to a request whose internal session could not be opened. */
  private failed(call: ModernCall, answer: JsonRpcFailure): JsonRpcResponse {
    return { jsonrpc: '2.0', id: call.request.id, error: modernError(answer.error) };
  }

  /**
   * Opens a router client session and runs the legacy handshake on it: `initialize` in the
   * canonical revision with the capabilities the bridge relays for this client, then
   * `notifications/initialized` (MCP 2025-11-25, Basic: Lifecycle).
   */
  private openInternal(call: ModernCall, key: string): InternalSession {
    let answered: (answer: JsonRpcResponse) => void = () => {};
    const session: InternalSession = {
      key,
      front: undefined as unknown as FrontSession,
      ready: new Promise((resolve) => {
        answered = resolve;
      }),
      waiting: new Map(),
      idleTimer: undefined,
      quietSince: 0,
    };
    const initializeId = `modern-initialize-${++this.sequence}`;
    session.front = this.options.openSession(
      (message, related) => {
        if (isResponse(message) && message.id === initializeId) {
          if ('result' in message)
            session.front.handle({ jsonrpc: '2.0', method: Method.Initialized });
          session.answered = message;
          answered(message);
        } else this.route(session, message, related);
      },
      {
        transport: this.options.transport,
        ...(call.principal === undefined ? {} : { principal: call.principal }),
      },
    );
    session.front.handle({
      jsonrpc: '2.0',
      id: initializeId,
      method: Method.Initialize,
      params: {
        protocolVersion: LATEST_LEGACY_REVISION,
        capabilities: relayedCapabilities(call.envelope.capabilities),
        clientInfo: call.envelope.clientInfo ?? { name: 'modern-client', version: '0' },
      },
    });
    return session;
  }

  /**
   * What the router sends an internal session: answers go to their request, progress to its
   * stream; a request related to a call that may take input goes to that call (MRTR), any other
   * is refused; log messages go where `routeLog` says; other notifications (list changes,
   * resource updates) go to the listen stream the session serves, if any, which keeps what its
   * filter admits.
   */
  private route(
    session: InternalSession,
    message: JsonRpcMessage,
    related: JsonRpcId | undefined,
  ): void {
    if (isResponse(message)) {
      const waiting = message.id === null ? undefined : session.waiting.get(message.id);
      if (!waiting || message.id === null) return;
      session.waiting.delete(message.id);
      waiting.settle(message);
      return;
    }
    if (isRequest(message)) {
      const waiting = related === undefined ? undefined : session.waiting.get(related);
      if (waiting?.ask) waiting.ask(message);
      else {
        const reason = waiting ? 'request_without_mrtr' : 'request_outside_call';
        refuseRequest(session, message, reason, this.options.onDropped);
      }
      return;
    }
    if (message.method === Method.Message) {
      routeLog(session, message, related, this.options.onDropped);
      return;
    }
    if (message.method === Method.ToolsListChanged) this.toolLists.clear();
    if (message.method !== Method.Progress) session.listener?.(message);
    else if (related !== undefined) session.waiting.get(related)?.notify?.(message);
  }

  /**
   * The session has nothing in flight: it ends after `idleMs` without a request. One timer per
   * quiet stretch rather than one per request: when it fires, it checks how long the session has
   * really been quiet, and waits the rest.
   */
  private idle(session: InternalSession): void {
    if (this.sessions.get(session.key) !== session) return;
    session.quietSince = this.options.clock.now();
    if (session.idleTimer === undefined) this.expireAfter(session, this.idleMs);
  }

  private get idleMs(): number {
    return this.options.idleMs ?? 5 * 60_000;
  }

  private expireAfter(session: InternalSession, delayMs: number): void {
    session.idleTimer = this.options.clock.setTimeout(() => {
      session.idleTimer = undefined;
      // Busy: the request in flight makes it idle again when it ends.
      if (session.waiting.size > 0) return;
      const left = session.quietSince + this.idleMs - this.options.clock.now();
      if (left > 0) this.expireAfter(session, left);
      else this.end(session);
    }, delayMs);
  }

  private end(session: InternalSession): void {
    if (this.sessions.get(session.key) === session) this.sessions.delete(session.key);
    this.toolLists.clear();
    this.options.clock.clearTimeout(session.idleTimer);
    for (const waiting of session.waiting.values()) {
      waiting.settle(failure(waiting.clientId, 'connection_closed', 'The proxy session closed'));
    }
    session.waiting.clear();
    session.front.close();
  }
}
