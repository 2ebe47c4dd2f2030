import { randomUUID } from 'node:crypto';
import {
  type Clock,
  decodeRequestState,
  encodeRequestState,
  failure,
  inputKeyOf,
  inputRequestOf,
  inputResponseOf,
  isJsonObject,
  type JsonObject,
  type JsonRpcFailure,
  type JsonRpcId,
  type JsonRpcRequest,
  type JsonRpcResponse,
  newRequestStateKey,
  type RequestStateRefusal,
  requestDigest,
  wireError,
} from '@switchyard/protocol';
import type { Cancellation } from './modern-session.js';

/**
 * What a modern request being served learns of its pending call: the call ended (the backend's
 * legacy answer), or the backend asks the client something (an `InputRequiredResult` to send).
 */
export type Turn =
  | { kind: 'final'; answer: JsonRpcResponse }
  | { kind: 'input'; inputRequests: JsonObject; requestState: string };

/** How a pending call reaches its backend call on the internal session. */
export interface BackendCall {
  /** Answers one of the backend's requests to the client. */
  answer(message: JsonRpcResponse): void;
  /** Gives up on the backend call (`notifications/cancelled`) and forgets it. */
  cancel(reason: string): void;
}

/** One thing the client is asked: the backend's request (none for a `-32042`) and its modern form. */
interface Ask {
  request: JsonRpcRequest | undefined;
  input: JsonObject;
}

/** A short, readable key prefix per input request method. */
const KEY_PREFIX: Readonly<Record<string, string>> = {
  'elicitation/create': 'elicitation',
  'sampling/createMessage': 'sampling',
  'roots/list': 'roots',
};

/**
 * One modern request kept open across MRTR rounds (MCP 2026-07-28, Basic: Multi Round-Trip
 * Requests; docs/protocol-versions.md, "The modern era (2026-07-28)"). The legacy backend call stays
 * in flight; what it asks the client is collected for one turn (what arrives together goes in one
 * `InputRequiredResult`), and each retry's `inputResponses` answer it. `resend` calls have no
 * backend call in flight: they stand for a `-32042` whose retry sends the request again.
 */
export class PendingCall {
  readonly handle = randomUUID();
  /** The round the next valid `requestState` names; advanced when a state is claimed. */
  round = 0;
  /** Asked by the backend and not yet put to the client, by the key minted for them. */
  private readonly asks = new Map<string, Ask>();
  /** Put to the client in the last round, waiting for the retry's responses. */
  private readonly issued = new Map<string, Ask>();
  private listener: ((turn: Turn) => void) | undefined;
  private final: JsonRpcResponse | undefined;
  private flushing = false;
  private expiry: unknown;
  private keys = 0;
  private ended = false;
  /** Responses the first request came with, not yet used (see {@link given}). */
  private readonly upfront = new Map<string, unknown>();

  constructor(
    private readonly rounds: InputRounds,
    readonly principal: string,
    /** The request's method and params, digested when the first state is issued. */
    private readonly asked: { method: string; params: JsonObject | undefined },
    private readonly backend: BackendCall | undefined,
    /** Asked up front, for a `resend` call (the URL elicitations of a `-32042`). */
    preset: JsonObject[] = [],
  ) {
    for (const input of preset) {
      this.issued.set(`elicitation-${++this.keys}`, { request: undefined, input });
    }
  }

  private digested: string | undefined;

  /** The digest of the request this call answers (computed once, only for calls that take input). */
  get digest(): string {
    this.digested ??= requestDigest(this.asked.method, this.asked.params);
    return this.digested;
  }

  get resend(): boolean {
    return this.backend === undefined;
  }

  /** Responses given up front, by key: a backend request under one of these keys is answered. */
  given(responses: JsonObject): void {
    for (const [key, value] of Object.entries(responses)) this.upfront.set(key, value);
  }

  /** A backend request related to this call: put to the client at the end of this turn. */
  ask(request: JsonRpcRequest): void {
    const prefix = KEY_PREFIX[request.method] ?? 'input';
    const input = inputRequestOf(request.method, request.params) ?? { method: request.method };
    // A modern backend's own key, when the request came from one and the key is free here.
    const named = inputKeyOf(request.params);
    const key =
      named !== undefined && !this.asks.has(named) && !this.issued.has(named)
        ? named
        : `${prefix}-${++this.keys}`;
    const answered = this.upfront.has(key) ? inputResponseOf(this.upfront.get(key)) : undefined;
    this.upfront.delete(key);
    if (answered) {
      this.backend?.answer({ jsonrpc: '2.0', id: request.id, result: answered });
      return;
    }
    this.asks.set(key, { request, input });
    this.schedule();
  }

  /** The backend call's answer: to the request being served, or kept for the next retry. */
  finish(answer: JsonRpcResponse): void {
    this.final = answer;
    for (const [, ask] of [...this.asks, ...this.issued]) this.refuse(ask, 'the call ended');
    this.asks.clear();
    this.issued.clear();
    if (this.listener) this.deliver({ kind: 'final', answer });
  }

  /**
   * Waits for what the client must hear next about this call, on behalf of the client request
   * being served; when that request goes away (`cancelled`), the call is abandoned.
   */
  wait(cancelled: Cancellation | undefined): Promise<Turn> {
    this.rounds.clock.clearTimeout(this.expiry);
    this.expiry = undefined;
    return new Promise<Turn>((resolve) => {
      let stopListening: (() => void) | undefined;
      this.listener = (turn) => {
        stopListening?.();
        resolve(turn);
      };
      stopListening = cancelled?.(() => this.abandon('the modern client went away'));
      if (this.final) this.deliver({ kind: 'final', answer: this.final });
      else if (this.issued.size > 0) this.flush();
      else if (this.asks.size > 0) this.schedule();
    });
  }

  /**
   * The retry's `inputResponses` answer the requests of the last round, each translated back to
   * a legacy result; a response that is not a result object gets the backend an error. A request
   * the retry left unanswered stays open and is asked again in the next round, as a server
   * SHOULD (MCP 2026-07-28, Basic: Multi Round-Trip Requests; docs/protocol-versions.md).
   */
  respond(inputResponses: unknown): void {
    const responses = isJsonObject(inputResponses) ? inputResponses : {};
    for (const [key, ask] of [...this.issued]) {
      if (!(key in responses)) continue;
      this.issued.delete(key);
      const result = inputResponseOf(responses[key]);
      if (result && ask.request)
        this.backend?.answer({ jsonrpc: '2.0', id: ask.request.id, result });
      else if (!result) this.refuse(ask, `the client's response for "${key}" is not a result`);
    }
  }

  /**
   * Gives up on the call (expired, the client went away, shutdown): the backend's open requests
   * get an error, the backend call is cancelled, and a request being served gets an error.
   */
  abandon(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.rounds.clock.clearTimeout(this.expiry);
    this.rounds.forget(this);
    for (const [, ask] of [...this.asks, ...this.issued]) this.refuse(ask, reason);
    this.asks.clear();
    this.issued.clear();
    if (!this.final) this.backend?.cancel(reason);
    this.deliver({
      kind: 'final',
      answer: failure(null, 'connection_closed', `Request abandoned: ${reason}`),
    });
  }

  /** Ends a call whose answer has gone to the client. */
  done(): void {
    if (this.ended) return;
    this.ended = true;
    this.rounds.clock.clearTimeout(this.expiry);
    this.rounds.forget(this);
  }

  private refuse({ request }: Ask, reason: string): void {
    if (!request) return;
    this.backend?.answer({
      jsonrpc: '2.0',
      id: request.id,
      error: wireError('internal_error', `${request.method} not answered: ${reason}`),
    });
  }

  private schedule(): void {
    if (!this.listener || this.flushing) return;
    this.flushing = true;
    // Backend requests sent together go out in one round; a pipe or socket may split a burst
    // over several reads, so they are collected for a moment (`collectMs`, on the clock).
    const flush = () => {
      this.flushing = false;
      if (this.listener && !this.final) this.flush();
    };
    if (this.rounds.collectMs > 0) this.rounds.clock.setTimeout(flush, this.rounds.collectMs);
    else setImmediate(flush);
  }

  /** Puts the collected requests to the client: one `InputRequiredResult`, a fresh state. */
  private flush(): void {
    for (const [key, request] of this.asks) this.issued.set(key, request);
    this.asks.clear();
    const inputRequests: JsonObject = {};
    for (const [key, { input }] of this.issued) inputRequests[key] = input;
    const requestState = this.rounds.issue(this);
    this.expiry = this.rounds.clock.setTimeout(
      () => this.abandon('its requestState expired'),
      this.rounds.ttlMs,
    );
    this.deliver({ kind: 'input', inputRequests, requestState });
  }

  private deliver(turn: Turn): void {
    const listener = this.listener;
    this.listener = undefined;
    listener?.(turn);
  }
}

/** Why a retry is refused, as the client reads it. */
const REFUSALS: Readonly<Record<RequestStateRefusal | 'replayed' | 'missing', string>> = {
  malformed: 'requestState is not one this proxy issued',
  tampered: 'requestState failed its integrity check (tampered, or issued by another process)',
  another_principal: 'requestState belongs to another principal',
  expired: 'requestState has expired',
  digest_mismatch:
    'requestState was issued for another request (the retry must repeat the method and params)',
  replayed: 'requestState was already used or its call is no longer pending',
  missing: 'inputResponses need the requestState they answer',
};

/**
 * The pending calls of one bridge and the key their states are signed with (one random key per
 * process: a state never outlives the process that holds its call). States are issued with
 * {@link encodeRequestState} and checked with {@link decodeRequestState}.
 */
export class InputRounds {
  private readonly key = newRequestStateKey();
  private readonly pending = new Map<string, PendingCall>();

  constructor(
    readonly clock: Clock,
    readonly ttlMs: number,
    /** How long backend requests are collected into one round (0: what arrives in one turn). */
    readonly collectMs: number,
  ) {}

  /** Keeps a new call pending for `principal`, for the request `method` + `params`. */
  open(
    principal: string,
    method: string,
    params: JsonObject | undefined,
    backend: BackendCall | undefined,
    preset?: JsonObject[],
  ): PendingCall {
    const call = new PendingCall(this, principal, { method, params }, backend, preset);
    this.pending.set(call.handle, call);
    return call;
  }

  /** A fresh state for the current round of `call`. */
  issue(call: PendingCall): string {
    return encodeRequestState(
      {
        handle: call.handle,
        round: call.round,
        principal: call.principal,
        expiresAt: this.clock.now() + this.ttlMs,
        digest: call.digest,
      },
      this.key,
    );
  }

  /**
   * Checks a retry's `requestState` and claims the round it names (a state works once: the next
   * round needs the next state): the pending call, or the -32602 answer saying what is wrong.
   */
  claim(
    id: JsonRpcId,
    principal: string,
    method: string,
    params: JsonObject | undefined,
  ): PendingCall | JsonRpcFailure {
    const state = params?.requestState;
    if (typeof state !== 'string') return this.refusal(id, 'missing');
    const checked = decodeRequestState(state, this.key, {
      principal,
      now: this.clock.now(),
      digest: requestDigest(method, params),
    });
    if ('refused' in checked) return this.refusal(id, checked.refused);
    const call = this.pending.get(checked.payload.handle);
    if (!call || call.round !== checked.payload.round) return this.refusal(id, 'replayed');
    call.round++;
    return call;
  }

  forget(call: PendingCall): void {
    if (this.pending.get(call.handle) === call) this.pending.delete(call.handle);
  }

  /** Abandons every pending call (shutdown). */
  close(reason: string): void {
    for (const call of [...this.pending.values()]) call.abandon(reason);
  }

  get size(): number {
    return this.pending.size;
  }

  private refusal(id: JsonRpcId, why: keyof typeof REFUSALS): JsonRpcFailure {
    return failure(id, 'invalid_params', `Invalid params: ${REFUSALS[why]}`, { reason: why });
  }
}
