import {
  ANSWERED_LOCALLY,
  type Clock,
  DISCOVER_METHOD,
  type Discovery,
  type JsonObject,
  type JsonRpcNotification,
  LISTEN_METHOD,
  legacyNotification,
  Method,
  MRTR_METHODS,
  modernClientCapabilities,
  readDiscovery,
  SUBSCRIPTION_METHODS,
  withModernEnvelope,
} from '@switchyard/protocol';
import { ListenStream } from './modern-listen-stream.js';
import { legacyOutcome, type Rounds, runRounds } from './modern-rounds.js';
import type { Outcome } from './outcome.js';
import type { PendingRequest, RequestOptions } from './request-options.js';

/** The shortest time between two background `server/discover` refreshes. */
export const MIN_DISCOVERY_REFRESH_MS = 30_000;

/** What the modern side needs of its backend session. */
export interface ModernSideHost {
  readonly name: string;
  readonly clock: Clock;
  /** What the session declares when a request names no client of its own. */
  readonly capabilities: JsonObject;
  readonly clientInfo: { name: string; version: string };
  /** How long a background `server/discover` may take. */
  readonly refreshTimeoutMs: number;
  /** One request on the wire, as given. */
  send(method: string, params: JsonObject | undefined, options: RequestOptions): PendingRequest;
  /** A fresh id for a request answered without the wire. */
  mintId(): number;
  /** A `DiscoverResult` was taken in: the session's capabilities, identity and instructions. */
  discovered(result: Discovery): void;
  /** Cancels a request of the session by its id. */
  cancel(id: number): void;
  /** Whether the session has closed. */
  closed(): boolean;
}

/**
 * What a backend session does differently with a modern (MCP 2026-07-28) backend, which it
 * presents to the router as a 2025-11-25 one (docs/protocol-versions.md, "Modern backends"): the
 * envelope on every request, results and errors in the legacy shape, MRTR run to its end, the
 * `DiscoverResult` cached for its `ttlMs`, and `ping` and `logging/setLevel` answered here.
 */
export class ModernSide {
  /** Exchanges by the id of their first round, which is the id the caller knows. */
  private readonly rounds = new Map<number, Rounds>();
  private discovery: { at: number; result: Discovery; refreshing: boolean } | undefined;
  private logLevel: string | undefined;
  private minted = 0;
  private readonly listen: ListenStream;

  constructor(private readonly host: ModernSideHost) {
    this.listen = new ListenStream({
      clock: host.clock,
      capabilities: () => this.discovery?.result.capabilities ?? {},
      send: (params) => host.send(LISTEN_METHOD, this.envelope(params), {}),
      cancel: (id) => host.cancel(id),
      closed: () => host.closed(),
    });
  }

  /** Opens the listen stream once connected. */
  start(): void {
    this.listen.start();
  }

  /** Ends the listen stream. */
  stop(): void {
    this.listen.stop();
  }

  /** Requests that are not work in flight (the open listen stream). */
  get background(): number {
    return this.listen.open ? 1 : 0;
  }

  /** A backend notification as legacy clients get it (see `legacyNotification`). */
  notification(notification: JsonRpcNotification): JsonRpcNotification | undefined {
    return legacyNotification(notification);
  }

  /** Takes in a `DiscoverResult` (the first, or a refreshed one). */
  discovered(result: Discovery): void {
    this.discovery = { at: this.host.clock.now(), result, refreshing: false };
    this.host.discovered(result);
  }

  /** The `_meta` envelope of one modern request (MCP 2026-07-28, Basic: `_meta`). */
  envelope(params: JsonObject | undefined, options: RequestOptions = {}): JsonObject {
    const capabilities = options.clientCapabilities ?? this.host.capabilities;
    return withModernEnvelope(params, {
      capabilities: modernClientCapabilities(capabilities),
      clientInfo: this.host.clientInfo,
      ...(this.logLevel === undefined ? {} : { logLevel: this.logLevel }),
    });
  }

  /**
   * Cancels the exchange first sent as `first`: a wait for client input ends at once; the id of
   * the round in flight is returned, for the backend to hear of.
   */
  cancel(first: number): number {
    const rounds = this.rounds.get(first);
    if (!rounds) return first;
    rounds.cancelled = true;
    rounds.stop?.();
    return rounds.current;
  }

  /**
   * A request to a modern backend: the envelope added, the answer in the legacy shape, MRTR run
   * to its end for the methods that have it; `ping` becomes `server/discover` (which refreshes
   * the cached discovery), `logging/setLevel` is kept for the envelopes of later requests,
   * `resources/subscribe` and `resources/unsubscribe` change the listen stream's filter.
   */
  request(method: string, params: JsonObject | undefined, options: RequestOptions): PendingRequest {
    const { host } = this;
    if (ANSWERED_LOCALLY.includes(method)) {
      if (method === Method.LoggingSetLevel && typeof params?.level === 'string') {
        this.logLevel = params.level;
      }
      if (method !== Method.Ping) return { id: host.mintId(), outcome: Promise.resolve(ok()) };
      const pending = host.send(DISCOVER_METHOD, this.envelope(undefined), options);
      return { id: pending.id, outcome: pending.outcome.then((o) => this.rediscovered(o)) };
    }
    if (SUBSCRIPTION_METHODS.includes(method) && typeof params?.uri === 'string') {
      this.listen.change(method, params.uri);
      return { id: host.mintId(), outcome: Promise.resolve(ok()) };
    }
    this.refreshDiscovery();
    const first = host.send(method, this.envelope(params, options), options);
    if (!MRTR_METHODS.includes(method)) {
      return { id: first.id, outcome: first.outcome.then((o) => legacyOutcome(method, o)) };
    }
    const state: Rounds = { current: first.id, cancelled: false };
    this.rounds.set(first.id, state);
    const rounds = {
      name: host.name,
      send: (retry: JsonObject | undefined) =>
        host.send(method, this.envelope(retry, options), options),
      ask: options.onServerRequest,
      mint: () => `${host.name}-elicitation-${++this.minted}`,
    };
    const outcome = runRounds(rounds, method, params, state, first.outcome).finally(() =>
      this.rounds.delete(first.id),
    );
    return { id: first.id, outcome };
  }

  /** A `server/discover` answer taken in: the cache refreshed, a ping answered. */
  private rediscovered(outcome: Outcome): Outcome {
    if (outcome.kind !== 'result') return outcome;
    const discovery = readDiscovery(outcome.result);
    if (discovery) this.discovered(discovery);
    return ok();
  }

  /**
   * Asks `server/discover` again in the background once the cached answer's `ttlMs` ran out, and
   * at most every {@link MIN_DISCOVERY_REFRESH_MS}: a `ttlMs` of 0 ("revalidate each time") would
   * otherwise double every request.
   */
  private refreshDiscovery(): void {
    const cached = this.discovery;
    if (!cached || cached.refreshing) return;
    const ttl = Math.max(cached.result.ttlMs, MIN_DISCOVERY_REFRESH_MS);
    if (this.host.clock.now() < cached.at + ttl) return;
    cached.refreshing = true;
    void this.host
      .send(DISCOVER_METHOD, this.envelope(undefined), { timeoutMs: this.host.refreshTimeoutMs })
      .outcome.then((o) => {
        cached.refreshing = false;
        this.rediscovered(o);
      });
  }
}

function ok(): Outcome {
  return { kind: 'result', result: {} };
}
