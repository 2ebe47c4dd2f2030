import {
  type Clock,
  failure,
  isJsonObject,
  type JsonObject,
  type JsonRpcRequest,
  type JsonRpcResponse,
  requestedLogLevel,
  urlElicitationsOf,
} from '@switchyard/protocol';
import { InputRounds, PendingCall } from './input-rounds.js';
import { finalAnswer, inputRequired, withoutRetryKeys } from './modern-answers.js';
import {
  cancelInternal,
  type InternalSession,
  type ModernCall,
  requestOf,
  type Waiting,
} from './modern-session.js';

/** Where a pending call lives: its internal session, its id there, and the proxy's identity. */
interface Held {
  session: InternalSession;
  id: string;
  serverInfo: JsonObject;
}

export interface ModernCallsOptions {
  clock: Clock;
  /** How long a `requestState` is good for (on `clock`). */
  ttlMs: number;
  /** How long backend requests are collected into one round (on `clock`; 0: one turn). */
  collectMs: number;
  /** A request goes quiet on its session (nothing in flight may let it idle). */
  quiet(session: InternalSession): void;
  /** Serves a request anew (the retry of a `-32042` sends the original again). */
  serve(call: ModernCall): Promise<JsonRpcResponse>;
}

/**
 * The calls that may take input (`tools/call`, `prompts/get`, `resources/read`) of a modern client
 * over a legacy backend: MRTR emulated with proxy state (MCP 2026-07-28, Basic: Multi Round-Trip
 * Requests; docs/protocol-versions.md, "The modern era (2026-07-28)"). A backend's request during
 * the call answers the client with an `InputRequiredResult` while the backend call stays pending;
 * the client's retry (`inputResponses` + `requestState`) answers the backend and waits again.
 */
export class ModernCalls {
  private readonly rounds: InputRounds;
  private readonly held = new WeakMap<PendingCall, Held>();

  constructor(private readonly options: ModernCallsOptions) {
    this.rounds = new InputRounds(options.clock, options.ttlMs, options.collectMs);
  }

  /**
   * Sends the call as `id` on the session and serves its first turn. The pending call is made
   * when the backend first asks something: most calls ask nothing, and are answered without one
   * (docs/performance.md, "Eras"). Such a call's final answer is made in the same turn as the
   * backend's answer arrives, and settles the promise the front waits on: awaiting it here first
   * put a few more turns, and whatever else they let run, before the answer went out
   * (docs/performance.md, "Eras", fifth round).
   */
  start(
    call: ModernCall,
    session: InternalSession,
    id: string,
    message: Omit<JsonRpcRequest, 'jsonrpc' | 'id'>,
    serverInfo: JsonObject,
    /** Responses the request came with: they answer the backend's requests of those keys. */
    given?: JsonObject,
  ): Promise<JsonRpcResponse> {
    const { request } = call;
    let pending: PendingCall | undefined;
    return new Promise<JsonRpcResponse>((resolve) => {
      let stopListening: (() => void) | undefined;
      const answered = (answer: JsonRpcResponse) => {
        stopListening?.();
        this.options.quiet(session);
        resolve(this.settled(call, answer, serverInfo));
      };
      const waiting: Waiting = {
        clientId: request.id,
        settle: (answer) => {
          if (pending) pending.finish(answer);
          else answered(answer);
        },
        notify: call.notify,
        logLevel: requestedLogLevel(request.params),
        ask: (asked) => {
          if (!pending) {
            stopListening?.();
            pending = this.pendingCall(call, session, id, serverInfo, given);
            resolve(this.turn(call, pending));
          }
          pending.ask(asked);
        },
      };
      session.waiting.set(id, waiting);
      session.front.handle(requestOf(id, message));
      if (pending || session.waiting.get(id) !== waiting) return;
      stopListening = call.cancelled?.(() => {
        if (pending || !this.cancelBackend(session, id, 'the modern client went away')) return;
        answered(
          failure(null, 'connection_closed', 'Request abandoned: the modern client went away'),
        );
      });
    });
  }

  /** The pending call of a call whose backend asks the client something. */
  private pendingCall(
    call: ModernCall,
    session: InternalSession,
    id: string,
    serverInfo: JsonObject,
    given: JsonObject | undefined,
  ): PendingCall {
    const { request } = call;
    const pending = this.rounds.open(call.principal ?? '', request.method, request.params, {
      answer: (reply) => session.front.handle(reply),
      cancel: (reason) => {
        this.cancelBackend(session, id, reason);
      },
    });
    if (given) pending.given(given);
    this.held.set(pending, { session, id, serverInfo });
    return pending;
  }

  /**
   * Gives up on the backend call `id` (`notifications/cancelled`) and forgets it; false when it
   * had already ended.
   */
  private cancelBackend(session: InternalSession, id: string, reason: string): boolean {
    if (!cancelInternal(session, id, reason)) return false;
    this.options.quiet(session);
    return true;
  }

  /**
   * A retry: its `requestState` checked and claimed (else -32602 saying why), its
   * `inputResponses` delivered to the backend, then the next turn; for a `-32042` the original
   * request is sent again.
   */
  async resume(call: ModernCall): Promise<JsonRpcResponse> {
    const { request } = call;
    const claimed = this.rounds.claim(
      request.id,
      call.principal ?? '',
      request.method,
      request.params,
    );
    if (!(claimed instanceof PendingCall)) return claimed;
    if (claimed.resend) {
      claimed.done();
      const params = withoutRetryKeys(request.params);
      return this.options.serve({
        ...call,
        request: { ...request, ...(params === undefined ? {} : { params }) },
      });
    }
    claimed.respond(request.params?.inputResponses);
    return this.turn(call, claimed);
  }

  /** Abandons every pending call (shutdown): backend requests refused, calls cancelled. */
  close(reason: string): void {
    this.rounds.close(reason);
  }

  /** Calls whose backend asked something, pending now (between rounds, or being served). */
  get pending(): number {
    return this.rounds.size;
  }

  /**
   * Waits for what the client hears next: an `InputRequiredResult`, or the final answer. Progress
   * and the logs this request asked for go to its stream while it waits.
   */
  private async turn(call: ModernCall, pending: PendingCall): Promise<JsonRpcResponse> {
    const held = this.held.get(pending);
    if (!held) throw new Error('a pending call without its session');
    const waiting = held.session.waiting.get(held.id);
    if (waiting) {
      waiting.notify = call.notify;
      waiting.logLevel = requestedLogLevel(call.request.params);
    }
    const turn = await pending.wait(call.cancelled);
    if (waiting) {
      waiting.notify = undefined;
      waiting.logLevel = undefined;
    }
    if (turn.kind === 'input') return inputRequired(call.request.id, turn, held.serverInfo);
    pending.done();
    this.options.quiet(held.session);
    return this.settled(call, turn.answer, held.serverInfo);
  }

  /**
   * The final answer, except a `-32042` (URL elicitation required, retired in 2026-07-28): it
   * becomes an `InputRequiredResult` of URL-mode elicitations whose retry sends the request again
   * (docs/protocol-versions.md).
   */
  private settled(
    call: ModernCall,
    answer: JsonRpcResponse,
    serverInfo: JsonObject,
  ): JsonRpcResponse | Promise<JsonRpcResponse> {
    const { request } = call;
    const urls = 'error' in answer ? urlElicitationsOf(answer.error) : undefined;
    if (urls && !declaresUrlElicitation(call.envelope.capabilities)) {
      // Servers MUST NOT send inputRequests the client's capabilities lack (MCP 2026-07-28,
      // Basic: Multi Round-Trip Requests); `elicitation: {}` means form mode only.
      return failure(
        request.id,
        'missing_client_capability',
        'Missing required client capability: the server asks for URL-mode elicitation',
        { requiredCapabilities: { elicitation: { url: {} } } },
      );
    }
    if (urls) {
      const principal = call.principal ?? '';
      const resend = this.rounds.open(principal, request.method, request.params, undefined, urls);
      return resend
        .wait(undefined)
        .then((turn) =>
          turn.kind === 'input'
            ? inputRequired(request.id, turn, serverInfo)
            : finalAnswer(request, answer, serverInfo, call.envelope.capabilities),
        );
    }
    return finalAnswer(request, answer, serverInfo, call.envelope.capabilities);
  }
}

/** Whether client capabilities include URL-mode elicitation (`elicitation.url`). */
function declaresUrlElicitation(capabilities: JsonObject): boolean {
  const elicitation = capabilities.elicitation;
  return isJsonObject(elicitation) && isJsonObject(elicitation.url);
}
