import type { Clock } from '@switchyard/protocol';
import { failed, type Outcome } from './outcome.js';

/**
 * Why a request was refused a slot: its queue was full, or it waited `queueTimeoutMs` in vain. The
 * error code it gets (docs/architecture.md, "Errors") and the `reason` label of
 * `switchyard_requests_rejected_total` (docs/operations.md, "Admission").
 */
export type Refusal = 'queue_full' | 'queue_timeout';

/** How a request's wait for a slot ended: with a slot, refused, or withdrawn by its client. */
export type Admission = 'admitted' | 'withdrawn' | Refusal;

/** A request waiting in a gate's queue. */
export interface Ticket {
  /** Settles when the wait ends; `admitted` means the request now holds a slot. */
  readonly admission: Promise<Admission>;
  /** Takes the request out of the queue (its client cancelled it or left); no-op once it ended. */
  withdraw(): void;
}

/** The limits of one gate (docs/operations.md, "Admission"). */
export interface GateLimits {
  /** Requests holding a slot at once (`Infinity`: no limit). */
  maxInFlight: number;
  /** Requests waiting for a slot; one more is refused `queue_full` (0: refused at once). */
  maxPending: number;
  /** How long a request waits for a slot before it is refused `queue_timeout` (`Infinity`: no end). */
  queueTimeoutMs: number;
}

export interface GateOptions extends GateLimits {
  clock: Clock;
  /** The queue grew or shrank to `depth` (for a gauge). */
  onDepth?: (depth: number) => void;
}

/**
 * Admission in front of something that takes a bounded number of requests at once, in the manner of
 * Envoy's circuit breakers (max requests, max pending): a request over the limit waits in a bounded
 * FIFO queue instead of failing, and only a full queue or an expired wait is refused.
 */
export interface Gate {
  readonly limits: GateLimits;
  /** Requests holding a slot now. */
  readonly inFlight: number;
  /** Requests waiting for one now. */
  readonly queued: number;
  /**
   * Takes a slot (`admitted`, to be given back with {@link leave}), refuses at once when the queue
   * is full, or queues the request: the ticket says how its wait ends. Requests are admitted in
   * the order they came.
   */
  enter(): 'admitted' | 'queue_full' | Ticket;
  /** Gives back one slot: the oldest waiting request takes it over. Once per admission. */
  leave(): void;
}

interface Waiter {
  resolve: (admission: Admission) => void;
  timer: unknown;
}

/** One gate on `options.clock`; see {@link Gate}. */
export function createGate(options: GateOptions): Gate {
  const { clock, maxInFlight, maxPending, queueTimeoutMs } = options;
  const limits: GateLimits = { maxInFlight, maxPending, queueTimeoutMs };
  let inFlight = 0;
  // A Set keeps insertion order: its first element is the oldest waiter, and a withdrawn one
  // leaves from the middle in constant time.
  const waiting = new Set<Waiter>();

  const end = (waiter: Waiter, admission: Admission): void => {
    if (!waiting.delete(waiter)) return;
    clock.clearTimeout(waiter.timer);
    options.onDepth?.(waiting.size);
    waiter.resolve(admission);
  };

  return {
    limits,
    get inFlight() {
      return inFlight;
    },
    get queued() {
      return waiting.size;
    },
    enter() {
      // Nobody overtakes a waiting request: with a queue, a free slot is already promised.
      if (inFlight < maxInFlight && waiting.size === 0) {
        inFlight++;
        return 'admitted';
      }
      if (waiting.size >= maxPending) return 'queue_full';
      const waiter: Waiter = { resolve: () => {}, timer: undefined };
      const admission = new Promise<Admission>((resolve) => {
        waiter.resolve = resolve;
      });
      waiting.add(waiter);
      if (Number.isFinite(queueTimeoutMs))
        waiter.timer = clock.setTimeout(() => end(waiter, 'queue_timeout'), queueTimeoutMs);
      options.onDepth?.(waiting.size);
      return { admission, withdraw: () => end(waiter, 'withdrawn') };
    },
    leave() {
      const next: Waiter | undefined = waiting.values().next().value;
      // The slot passes straight to the oldest waiter, so the count in flight stays.
      if (next) end(next, 'admitted');
      else if (inFlight > 0) inFlight--;
    },
  };
}

/**
 * Enters `gate`, waiting in its queue when it must. While it waits, `onQueued` holds the way out
 * (a client's cancellation or departure withdraws it) and returns what forgets it.
 */
export async function admit(
  gate: Gate,
  onQueued: (withdraw: () => void) => () => void,
): Promise<Admission> {
  const entry = gate.enter();
  if (typeof entry === 'string') return entry;
  const forget = onQueued(entry.withdraw);
  const admission = await entry.admission;
  forget();
  return admission;
}

/** One gate per backend, made on first use, all with the same limits. */
export interface BackendGates {
  readonly limits: GateLimits;
  of(server: string): Gate;
}

export interface BackendGatesOptions extends GateLimits {
  clock: Clock;
  /** A backend's queue grew or shrank to `depth` (`switchyard_backend_queue_depth`). */
  onDepth?: (server: string, depth: number) => void;
}

/**
 * The gates in front of the backends. One set serves every router of a proxy (the aggregate
 * endpoint and each per-server one), so a backend's limit holds whichever endpoint a request
 * came through; a `sessions: per-client` backend's sessions share their server's gate.
 */
export function createBackendGates(options: BackendGatesOptions): BackendGates {
  const { clock, onDepth, ...limits } = options;
  const gates = new Map<string, Gate>();
  return {
    limits,
    of(server) {
      let gate = gates.get(server);
      if (!gate) {
        gate = createGate({
          ...limits,
          clock,
          ...(onDepth ? { onDepth: (depth: number) => onDepth(server, depth) } : {}),
        });
        gates.set(server, gate);
      }
      return gate;
    },
  };
}

/** What a refused client should wait before trying again: `data.retryAfterMs` of a refusal. */
export const RETRY_AFTER_MS = 1000;

/**
 * The error a refused request gets, from the error table: `queue_full` or `queue_timeout` with
 * `data: { server, reason, retryAfterMs }` (`server` is left out when the refusing gate is the
 * client session's own).
 */
export function refusal(reason: Refusal, limits: GateLimits, server?: string): Outcome {
  const where = server === undefined ? 'this session' : `backend "${server}"`;
  const retry = `retry after ${RETRY_AFTER_MS} ms`;
  const message =
    reason === 'queue_full'
      ? `Too many requests: ${where} has ${limits.maxInFlight} in flight and ${limits.maxPending} waiting; ${retry}`
      : `Too many requests: no free slot at ${where} within ${limits.queueTimeoutMs} ms; ${retry}`;
  const data =
    server === undefined
      ? { reason, retryAfterMs: RETRY_AFTER_MS }
      : { server, reason, retryAfterMs: RETRY_AFTER_MS };
  return failed(reason, message, data);
}
