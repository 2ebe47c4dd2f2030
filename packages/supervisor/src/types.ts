import type { BackendState } from '@switchyard/protocol';

/** A live connection to one backend, as the supervisor sees it. */
export interface Connection {
  /**
   * One health probe with its own timeout. True when the backend answered at all (an
   * error response still proves it is alive), false on timeout or a dead connection. Never throws.
   */
  probe(method: string, timeoutMs: number): Promise<boolean>;
  /** Closes the connection and ends the backend (stdin, SIGTERM, SIGKILL for a process). */
  close(): Promise<void>;
  /** True while requests are in flight: an idle stop waits for them. */
  busy?(): boolean;
}

/** Opens a connection; `onLost` is called once if it dies on its own later (exit, socket error). */
export type Connector = (events: {
  /**
   * The connection died. `immediate`: the backend is fine but forgot our session (an expired
   * Streamable HTTP session): reconnect at once the first time instead of backing off.
   */
  onLost: (reason: string, options?: { immediate?: boolean }) => void;
}) => Promise<Connection>;

/** Restart on failure (docs/operations.md, "Restarts"). */
export interface RestartPolicy {
  onFailure: boolean;
  /** Restarts allowed within {@link windowMs}; one more failure means `failed` (a crash loop). */
  maxRestarts: number;
  /**
   * Wait before the first restart of a run of consecutive failures. Default 0: a backend that
   * crashes once is served again as soon as it has restarted.
   */
  firstDelayMs?: number;
  /** Wait before the second restart in a row; doubles with each further consecutive failure. */
  baseDelayMs: number;
  maxDelayMs: number;
  windowMs: number;
  /** After this long running, the consecutive-failure count (and so the delay) resets. */
  stableMs: number;
  /** Fraction of the delay randomised either way, so that many backends do not restart in step. */
  jitter: number;
}

/** Health checking (docs/operations.md, "Health checks"). */
export interface HealthPolicy {
  enabled: boolean;
  intervalMs: number;
  timeoutMs: number;
  /** Consecutive failed probes before the backend is restarted (or reconnected). */
  failureThreshold: number;
  method: string;
}

/** What the supervisor needs to run one backend. */
export interface BackendSpec {
  name: string;
  enabled: boolean;
  connect: Connector;
  restart: RestartPolicy;
  health: HealthPolicy;
  /**
   * Start on first use ({@link BackendSupervisor.start} from a wake-up), not with the others
   * (docs/operations.md, "Lazy start and idle stop").
   */
  lazy?: boolean;
  /** Stop after this long without {@link BackendSupervisor.touch}; the next use starts it again. */
  idleStopMs?: number;
}

/**
 * Every transition and restart is an event with a reason and a timestamp (docs/operations.md,
 * "Backend states").
 */
export type SupervisorEvent =
  | {
      type: 'state';
      server: string;
      from: BackendState;
      to: BackendState;
      reason: string;
      at: number;
    }
  | {
      type: 'restart-scheduled';
      server: string;
      attempt: number;
      delayMs: number;
      reason: string;
      at: number;
    }
  /** A scheduled restart happens now (the one counted in `switchyard_backend_restarts_total`). */
  | { type: 'restart'; server: string; attempt: number; reason: string; at: number }
  | { type: 'health'; server: string; ok: boolean; consecutiveFailures: number; at: number };
