import {
  completeToolResult,
  ErrorCode,
  featuresOf,
  type Hop,
  isFailure,
  isJsonObject,
  isListMethod,
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
  type ListMethod,
  Method,
  negotiateLegacyRevision,
  toJsonRpcError,
  translateNotification,
  translateRequest,
  translateResult,
} from '@switchyard/protocol';
import type { BackendSession, Outcome } from './backend-session.js';
import type { SessionOwner } from './directory.js';
import type { RouterCore } from './router.js';

/** Delivers a message to the client; `related` names the client request it belongs to. */
export type Sink = (message: JsonRpcMessage, related?: JsonRpcId) => void;

/** Which front a session came through. */
export interface SessionInfo {
  transport: string;
  sessionId?: string;
}

const PROXY_VERSION = '0.1.0';

/** Backend-to-client requests the proxy relays, and the client capability each needs (R5). */
const RELAYED_CAPABILITY: Readonly<Record<string, string>> = {
  'sampling/createMessage': 'sampling',
  'elicitation/create': 'elicitation',
  'roots/list': 'roots',
};

/**
 * The client capabilities a private backend session is given: those of its client that the proxy
 * relays (protocol.md §4.4), so the backend asks for exactly what this client can answer.
 */
function relayable(capabilities: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.values(RELAYED_CAPABILITY)) {
    const value = capabilities[key];
    if (isJsonObject(value)) out[key] = value;
  }
  return out;
}

function error(code: number, message: string, data?: unknown): Outcome {
  return { kind: 'error', error: toJsonRpcError(code, message, data) };
}

function stringParam(params: JsonObject | undefined, key: string): string | undefined {
  const value = params?.[key];
  return typeof value === 'string' ? value : undefined;
}

/**
 * One client's session with the aggregated server: its negotiated revision, and its requests in
 * flight at backends (client id → backend and backend id) so that cancellation and progress are
 * mapped both ways (spec R4) and a departing client's work is cancelled.
 */
export class ClientSession {
  revision: LegacyRevision | undefined;
  clientCapabilities: JsonObject = {};
  clientInfo: JsonObject | undefined;
  initialized = false;
  private readonly inflight = new Map<JsonRpcId, { session: BackendSession; id: number }>();
  private readonly subscribed = new Set<string>();
  private open = true;
  /** Backend requests relayed to this client, by the id the proxy gave them (spec R5). */
  private readonly relayed = new Map<JsonRpcId, (outcome: Outcome) => void>();
  private relayCount = 0;
  /** Requests of this session being handled (spec T5 limit). */
  private active = 0;
  /** Backend sessions of this client alone (`sessions: per-client`), by backend name (R5). */
  private readonly own = new Map<
    string,
    { opening: Promise<BackendSession>; session?: BackendSession }
  >();
  /** Settles once the client sent `notifications/initialized` (or left): relays wait for it. */
  private readonly initializedSignal: Promise<void>;
  private signalInitialized: () => void = () => {};

  constructor(
    private readonly core: RouterCore,
    private readonly sink: Sink,
    readonly info: SessionInfo,
  ) {
    this.initializedSignal = new Promise((resolve) => {
      this.signalInitialized = resolve;
    });
  }

  /** Delivers one valid client message (the transports' `FrontSession.handle`). */
  handle(message: JsonRpcMessage): void {
    if (!this.open) return;
    if (isRequest(message)) {
      const limit = this.core.options.maxConcurrentRequests;
      if (limit !== undefined && this.active >= limit) {
        this.reply(
          message.id,
          error(
            ErrorCode.ServerError,
            `Too many concurrent requests: this session's limit is ${limit}`,
            { limit },
          ),
        );
        return;
      }
      this.active++;
      this.core.begin();
      Promise.resolve()
        .then(() => this.dispatch(message))
        .catch((cause: unknown) => {
          this.core.logger?.error('request failed inside the proxy', {
            method: message.method,
            error: String(cause),
          });
          return error(ErrorCode.InternalError, 'Internal error');
        })
        .then((outcome) => this.reply(message.id, outcome))
        .finally(() => {
          this.active--;
          this.core.end();
        });
    } else if (isNotification(message)) {
      this.onNotification(message);
    } else {
      this.onResponse(message);
    }
  }

  /** The answer to a request this session relayed from a backend (spec R5). */
  private onResponse(message: JsonRpcResponse): void {
    if (message.id === null) return;
    const waiting = this.relayed.get(message.id);
    if (!waiting) return;
    this.relayed.delete(message.id);
    waiting(
      isFailure(message)
        ? { kind: 'error', error: message.error }
        : { kind: 'result', result: message.result },
    );
  }

  /** This session's requests in flight at `backend`. */
  waitingOn(backend: BackendSession): JsonRpcId[] {
    const ids: JsonRpcId[] = [];
    for (const [id, target] of this.inflight) if (target.session === backend) ids.push(id);
    return ids;
  }

  /**
   * Relays a backend's request (sampling, elicitation, roots) to this client (spec R5): refused
   * cleanly when the client did not declare the capability or its revision cannot carry it;
   * translated for the client's revision and sent, once the client is initialized, with a
   * proxy-minted id on the stream of the client request it belongs to; its answer, translated for
   * the backend's revision, is the outcome.
   */
  async relay(
    request: JsonRpcRequest,
    related: JsonRpcId | undefined,
    backend: BackendSession,
  ): Promise<Outcome> {
    const capability = RELAYED_CAPABILITY[request.method];
    if (!capability || !(capability in this.clientCapabilities)) {
      return error(
        ErrorCode.MethodNotFound,
        `Method not found: the client did not declare ${capability ?? request.method}`,
      );
    }
    // Before `notifications/initialized` a client may receive nothing but pings and logs (§4.1).
    if (!this.initialized) await this.initializedSignal;
    if (!this.open) return error(ErrorCode.InternalError, 'The client session has closed');
    const toClient = this.hop(backend.revision, this.clientRevision, this.clientCapabilities);
    const translated = translateRequest(request.method, request.params, toClient);
    if ('refused' in translated)
      return error(ErrorCode.MethodNotFound, `Method not found: ${translated.refused}`);
    const elicitationId = translated.params?.elicitationId;
    if (translated.params?.mode === 'url' && typeof elicitationId === 'string')
      this.core.elicitations.set(elicitationId, this);
    const id = `switchyard-${++this.relayCount}`;
    const outcome = await new Promise<Outcome>((resolve) => {
      this.relayed.set(id, resolve);
      const outgoing: JsonRpcRequest =
        translated.params === undefined
          ? { jsonrpc: '2.0', id, method: request.method }
          : { jsonrpc: '2.0', id, method: request.method, params: translated.params };
      this.sink(outgoing, related);
    });
    if (outcome.kind !== 'result') return outcome;
    const toBackend = this.hop(this.clientRevision, backend.revision);
    return { kind: 'result', result: translateResult(request.method, outcome.result, toBackend) };
  }

  /**
   * This client's own session with a `per-client` backend, opened on first use (protocol.md §4.3
   * a); its requests and notifications concern this client alone.
   */
  private async ownSession(
    backend: string,
    open: (owner: SessionOwner) => Promise<BackendSession>,
  ): Promise<{ session: BackendSession } | { error: Outcome }> {
    let entry = this.own.get(backend);
    if (!entry) {
      const opened: { opening: Promise<BackendSession>; session?: BackendSession } = {
        opening: open({
          capabilities: relayable(this.clientCapabilities),
          onRequest: (session, request) => this.relay(request, this.latestAt(session), session),
          onNotification: (notification) =>
            this.core.backendNotification(backend, notification, this),
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
        error: error(
          ErrorCode.BackendUnavailable,
          `Backend "${backend}" could not open a session for this client: ${reason}`,
          { server: backend, state: 'running' },
        ),
      };
    }
  }

  /** Closes this client's own session with `backend`, if it has one (the server is `state`). */
  closeOwn(backend: string, state: string): void {
    const entry = this.own.get(backend);
    if (!entry) return;
    this.own.delete(backend);
    this.core.logger?.debug('client backend session closed with its server', {
      server: backend,
      state,
    });
    entry.opening.then((session) => session.close()).catch(() => {});
  }

  /** The most recent request of this client in flight at `session`, if any. */
  private latestAt(session: BackendSession): JsonRpcId | undefined {
    let latest: JsonRpcId | undefined;
    for (const [id, target] of this.inflight) if (target.session === session) latest = id;
    return latest;
  }

  /** The revision this client negotiated (the canonical one until it has). */
  private get clientRevision(): LegacyRevision {
    return this.revision ?? LATEST_LEGACY_REVISION;
  }

  /** One direction of a hop, with losses reported to the router's observer and debug log (P3). */
  private hop(
    from: LegacyRevision | undefined,
    to: LegacyRevision | undefined,
    peerCapabilities?: JsonObject,
  ): Hop {
    const hop: Hop = {
      from: from ?? LATEST_LEGACY_REVISION,
      to: to ?? LATEST_LEGACY_REVISION,
      report: this.core.reportTranslation,
    };
    if (peerCapabilities) hop.peerCapabilities = peerCapabilities;
    return hop;
  }

  /** Sends a notification that belongs to no request (list_changed, log messages). */
  notify(message: JsonRpcNotification): void {
    if (!this.open || !this.initialized) return;
    const translated = translateNotification(
      message,
      this.hop(LATEST_LEGACY_REVISION, this.clientRevision),
    );
    if (translated) this.sink(translated);
  }

  /**
   * The client is gone: its in-flight requests are cancelled at their backends and its own backend
   * sessions closed (settles when they are, even those still opening).
   */
  close(): Promise<void> {
    if (!this.open) return Promise.resolve();
    this.open = false;
    this.core.sessions.delete(this);
    this.core.options.observer?.sessionClosed?.(this.info.transport);
    for (const { session, id } of this.inflight.values())
      session.cancel(id, 'client session closed');
    this.inflight.clear();
    for (const uri of this.subscribed) this.core.subscriptions.get(uri)?.delete(this);
    for (const [id, asked] of this.core.elicitations)
      if (asked === this) this.core.elicitations.delete(id);
    for (const waiting of this.relayed.values()) {
      waiting(error(ErrorCode.InternalError, 'The client session that was asked has closed'));
    }
    this.relayed.clear();
    this.signalInitialized();
    const closing = [...this.own.values()].map(({ opening }) =>
      opening.then((session) => session.close()).catch(() => {}),
    );
    this.own.clear();
    return Promise.all(closing).then(() => {});
  }

  private reply(id: JsonRpcId, outcome: Outcome): void {
    if (!this.open || outcome.kind === 'cancelled') return;
    const message: JsonRpcMessage =
      outcome.kind === 'result'
        ? { jsonrpc: '2.0', id, result: outcome.result }
        : { jsonrpc: '2.0', id, error: outcome.error };
    this.sink(message, id);
  }

  private onNotification(message: JsonRpcNotification): void {
    if (message.method === Method.Initialized) {
      this.initialized = true;
      this.signalInitialized();
      return;
    }
    if (message.method === Method.RootsListChanged) {
      // Only this client's own backend sessions were told its roots (spec R5).
      for (const { session } of this.own.values()) void session?.notify(message.method);
      return;
    }
    if (message.method === Method.Cancelled) {
      const requestId = message.params?.requestId;
      if (typeof requestId !== 'string' && typeof requestId !== 'number') return;
      const target = this.inflight.get(requestId);
      if (!target) return;
      this.inflight.delete(requestId);
      const reason = stringParam(message.params, 'reason');
      target.session.cancel(target.id, reason);
    }
  }

  private dispatch(request: JsonRpcRequest): Promise<Outcome> | Outcome {
    const { method, params } = request;
    switch (method) {
      case Method.Initialize:
        return this.initialize(params);
      case Method.Ping:
        return { kind: 'result', result: {} };
      case Method.ToolsCall:
        return this.callNamed('tools', request);
      case Method.PromptsGet:
        return this.callNamed('prompts', request);
      case Method.ResourcesRead:
        return this.callByUri(request);
      case Method.ResourcesSubscribe:
      case Method.ResourcesUnsubscribe:
        return this.subscription(request);
      case Method.CompletionComplete:
        return this.complete(request);
      case Method.LoggingSetLevel:
        return this.setLevel(params);
      default:
        if (isListMethod(method)) return this.list(method, params);
        return error(ErrorCode.MethodNotFound, `Method not found: ${method}`);
    }
  }

  /** A merged list (canonical: its items come from several backends) encoded for this client. */
  private async list(method: ListMethod, params: JsonObject | undefined): Promise<Outcome> {
    const outcome = await this.core.list(method, params);
    if (outcome.kind !== 'result') return outcome;
    const hop = this.hop(LATEST_LEGACY_REVISION, this.clientRevision);
    return { kind: 'result', result: translateResult(method, outcome.result, hop) };
  }

  /** Legacy handshake from the server side (protocol.md §4.3): echo or offer the latest. */
  private async initialize(params: JsonObject | undefined): Promise<Outcome> {
    const revision = negotiateLegacyRevision(params?.protocolVersion);
    this.revision = revision;
    this.clientCapabilities = isJsonObject(params?.capabilities) ? params.capabilities : {};
    this.clientInfo = isJsonObject(params?.clientInfo) ? params.clientInfo : undefined;
    // The handshake does not start lazy backends: only a real use does (spec S5).
    const live = await this.core.live(undefined, false);
    const declares = (key: string) => live.some(({ session }) => key in session.serverCapabilities);
    const subscribe = live.some(({ session }) => {
      const resources = session.serverCapabilities.resources;
      return isJsonObject(resources) && resources.subscribe === true;
    });
    // listChanged is always declared: backends that start late must be able to appear (§4.4).
    const capabilities: JsonObject = {
      tools: { listChanged: true },
      prompts: { listChanged: true },
      resources: subscribe ? { subscribe: true, listChanged: true } : { listChanged: true },
      logging: {},
    };
    if (declares('completions')) capabilities.completions = {};
    const instructions = live
      .filter(({ session }) => session.instructions)
      .map(({ entry, session }) => `## ${entry.name}\n${session.instructions}`)
      .join('\n\n');
    const result: JsonObject = {
      protocolVersion: revision,
      capabilities,
      serverInfo: this.core.options.serverInfo ?? { name: 'switchyard', version: PROXY_VERSION },
    };
    if (instructions) result.instructions = instructions;
    // The proxy's own answer is built in the canonical revision and encoded like any other; what
    // it leaves out for an older client is not a loss worth reporting.
    const hop: Hop = { from: LATEST_LEGACY_REVISION, to: revision };
    return { kind: 'result', result: translateResult(Method.Initialize, result, hop) };
  }

  /** Forwards a request to one backend with the client's progress and cancellation mapped. */
  private async forward(
    request: JsonRpcRequest,
    backend: string,
    params: JsonObject,
    /** The method whose result shape the answer has (a task's result is a tool result). */
    answers: string = request.method,
  ): Promise<Outcome> {
    const started = performance.now();
    const shared = await this.core.sessionOf(backend);
    const found =
      'session' in shared && shared.openPrivate
        ? await this.ownSession(backend, shared.openPrivate)
        : shared;
    if ('error' in found) {
      this.observe(backend, request.method, found.error, started);
      return found.error;
    }
    const limit = this.core.options.maxConcurrentRequests;
    if (limit !== undefined && found.session.pending >= limit) {
      const busy = error(
        ErrorCode.ServerError,
        `Too many concurrent requests: backend "${backend}" has ${limit} in flight`,
        {
          server: backend,
          limit,
        },
      );
      this.observe(backend, request.method, busy, started);
      return busy;
    }
    const backendRevision = found.session.revision;
    const translated = translateRequest(
      request.method,
      params,
      this.hop(this.clientRevision, backendRevision),
    );
    if ('refused' in translated)
      return error(ErrorCode.InvalidParams, `Invalid params: ${translated.refused}`);
    let outgoing = translated.params ?? params;
    const meta = isJsonObject(outgoing._meta) ? outgoing._meta : undefined;
    const clientToken = meta?.progressToken;
    const hasToken = typeof clientToken === 'string' || typeof clientToken === 'number';
    if (hasToken && meta) {
      const { progressToken: _dropped, ...rest } = meta;
      outgoing = { ...outgoing, _meta: rest };
    }
    const toClient = this.hop(backendRevision, this.clientRevision);
    const pending = found.session.request(request.method, outgoing, {
      timeoutMs: this.core.timeoutFor(backend),
      ...(this.core.options.maxRequestTimeoutMs === undefined
        ? {}
        : { maxTimeoutMs: this.core.options.maxRequestTimeoutMs }),
      ...(hasToken
        ? {
            onProgress: (progress: JsonObject) => {
              const notification = translateNotification(
                {
                  jsonrpc: '2.0',
                  method: Method.Progress,
                  params: { ...progress, progressToken: clientToken },
                },
                toClient,
              );
              if (notification) this.sink(notification, request.id);
            },
          }
        : {}),
    });
    this.inflight.set(request.id, { session: found.session, id: pending.id });
    const outcome = await pending.outcome;
    this.inflight.delete(request.id);
    this.observe(backend, request.method, outcome, started);
    if (outcome.kind !== 'result') return outcome;
    return { kind: 'result', result: translateResult(answers, outcome.result, toClient) };
  }

  private observe(server: string, method: string, outcome: Outcome, started: number): void {
    const observer = this.core.options.observer;
    if (!observer?.requestCompleted) return;
    const status =
      outcome.kind === 'result'
        ? 'ok'
        : outcome.kind === 'cancelled'
          ? 'cancelled'
          : outcome.error.code === ErrorCode.RequestTimeout
            ? 'timeout'
            : 'error';
    observer.requestCompleted({
      server,
      method,
      status,
      durationSeconds: (performance.now() - started) / 1000,
    });
  }

  private async callNamed(kind: 'tools' | 'prompts', request: JsonRpcRequest): Promise<Outcome> {
    const params = request.params ?? {};
    const name = stringParam(params, 'name');
    if (name === undefined)
      return error(ErrorCode.InvalidParams, 'Invalid params: "name" must be a string');
    const target = await this.core.resolveName(kind, name);
    if (!target) {
      const what = kind === 'tools' ? 'tool' : 'prompt';
      return error(ErrorCode.InvalidParams, `Unknown ${what}: ${name}`);
    }
    const outcome = target.taskRequired
      ? await this.callAsTask(request, target.backend, target.name)
      : await this.forward(request, target.backend, { ...params, name: target.name });
    // A client that has output schemas needs the structured content its tool promised.
    if (!target.outputSchema || outcome.kind !== 'result') return outcome;
    if (!featuresOf(this.clientRevision).structuredContent) return outcome;
    const result = completeToolResult(outcome.result, (feature) =>
      this.core.reportTranslation({
        from: LATEST_LEGACY_REVISION,
        to: this.clientRevision,
        feature,
        action: 'converted',
      }),
    );
    return { kind: 'result', result };
  }

  /**
   * A tool the backend runs only as a task, called synchronously for the client (protocol.md
   * §2.3; the proxy offers clients no tasks): the task is created at the backend, `tasks/result`
   * waits for its end (and carries its input requests, relayed like any other), and the client
   * gets the tool result. A cancellation or timeout cancels the task.
   */
  private async callAsTask(
    request: JsonRpcRequest,
    backend: string,
    name: string,
  ): Promise<Outcome> {
    const params = request.params ?? {};
    const created = await this.forward(request, backend, { ...params, name, task: {} });
    const task = created.kind === 'result' ? created.result.task : undefined;
    if (!isJsonObject(task) || typeof task.taskId !== 'string') return created;
    const taskId = task.taskId;
    const waiting: JsonRpcRequest = { ...request, method: Method.TasksResult, params: { taskId } };
    const outcome = await this.forward(waiting, backend, { taskId }, Method.ToolsCall);
    if (outcome.kind !== 'result')
      void this.forward({ ...waiting, method: Method.TasksCancel }, backend, { taskId });
    return outcome;
  }

  private async callByUri(request: JsonRpcRequest): Promise<Outcome> {
    const params = request.params ?? {};
    const uri = stringParam(params, 'uri');
    if (uri === undefined)
      return error(ErrorCode.InvalidParams, 'Invalid params: "uri" must be a string');
    const backend = await this.core.resolveUri(uri);
    if (!backend) return error(-32002, `Resource not found: ${uri}`, { uri });
    return this.forward(request, backend, params);
  }

  /** Subscriptions are remembered per session so `resources/updated` reaches subscribers only (R6). */
  private async subscription(request: JsonRpcRequest): Promise<Outcome> {
    const outcome = await this.callByUri(request);
    const uri = stringParam(request.params, 'uri');
    if (outcome.kind !== 'result' || uri === undefined) return outcome;
    const subscribers = this.core.subscriptions.get(uri) ?? new Set<ClientSession>();
    if (request.method === Method.ResourcesSubscribe) {
      subscribers.add(this);
      this.subscribed.add(uri);
    } else {
      subscribers.delete(this);
      this.subscribed.delete(uri);
    }
    if (subscribers.size > 0) this.core.subscriptions.set(uri, subscribers);
    else this.core.subscriptions.delete(uri);
    return outcome;
  }

  /**
   * Completions go where the prompt or resource they complete lives. A backend without them
   * (`-32601`: 2024-11-05 servers need not declare the capability, §2.1) gives no suggestions
   * rather than an error, so a client can ask the aggregate without knowing who has them.
   */
  private async complete(request: JsonRpcRequest): Promise<Outcome> {
    const outcome = await this.routeCompletion(request);
    if (outcome.kind === 'error' && outcome.error.code === ErrorCode.MethodNotFound)
      return { kind: 'result', result: { completion: { values: [] } } };
    return outcome;
  }

  private async routeCompletion(request: JsonRpcRequest): Promise<Outcome> {
    const params = request.params ?? {};
    const ref = isJsonObject(params.ref) ? params.ref : undefined;
    if (ref?.type === 'ref/prompt' && typeof ref.name === 'string') {
      const target = await this.core.resolveName('prompts', ref.name);
      if (!target) return error(ErrorCode.InvalidParams, `Unknown prompt: ${ref.name}`);
      return this.forward(request, target.backend, {
        ...params,
        ref: { ...ref, name: target.name },
      });
    }
    const uri = ref?.type === 'ref/resource' ? ref.uri : undefined;
    if (typeof uri === 'string') {
      const backend = await this.core.resolveUri(uri);
      if (!backend) return error(-32002, `Resource not found: ${uri}`, { uri });
      return this.forward(request, backend, params);
    }
    return error(
      ErrorCode.InvalidParams,
      'Invalid params: "ref" must be a ref/prompt or ref/resource',
    );
  }

  /** `logging/setLevel` fans out to every backend that logs (R6); the client gets one answer. */
  private async setLevel(params: JsonObject | undefined): Promise<Outcome> {
    if (typeof params?.level !== 'string')
      return error(ErrorCode.InvalidParams, 'Invalid params: "level" must be a string');
    const live = await this.core.live('logging');
    // This client's own backend sessions log to it alone: they get its level too.
    const own = [...this.own].flatMap(([name, { session }]) =>
      session && 'logging' in session.serverCapabilities ? [{ name, session }] : [],
    );
    const targets = [...live.map(({ entry, session }) => ({ name: entry.name, session })), ...own];
    await Promise.all(
      targets.map(
        ({ name, session }) =>
          session.request(
            Method.LoggingSetLevel,
            { level: params.level },
            { timeoutMs: this.core.timeoutFor(name) },
          ).outcome,
      ),
    );
    return { kind: 'result', result: {} };
  }
}
