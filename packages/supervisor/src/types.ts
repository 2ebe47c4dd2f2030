import type { Clock } from '@switchyard/protocol';

export type { Clock };
/**
 * The backend lifecycle states of spec S1. `degraded`: running but failing health checks (calls
 * fail fast); `backoff`: waiting to restart after a failure; `failed`: given up (crash loop, or
 * restarts disabled) until started by hand.
 */
export type SupervisedState =
  | 'stopped'
  | 'starting'
  | 'running'
  | 'degraded'
  | 'backoff'
  | 'failed'
  | 'stopping';

/** A live connection to one backend, as the supervisor sees it. */
export interface Connection {
  /**
   * One health probe with its own timeout (spec S3). True when the backend answered at all (an
   * error response still proves it is alive), false on timeout or a dead connection. Never throws.
   */
  probe(method: string, timeoutMs: number): Promise<boolean>;
  /** Closes the connection and ends the backend (stdin, SIGTERM, SIGKILL for a process). */
  close(): Promise<void>;
  /** True while requests are in flight: an idle stop waits for them (spec S5). */
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

/** Restart on failure (spec S2). */
export interface RestartPolicy {
  onFailure: boolean;
  /** Restarts allowed within {@link windowMs}; one more failure means `failed` (a crash loop). */
  maxRestarts: number;
  /** First backoff delay; doubles with each consecutive failure. */
  baseDelayMs: number;
  maxDelayMs: number;
  windowMs: number;
  /** After this long running, the consecutive-failure count (and so the delay) resets. */
  stableMs: number;
  /** Fraction of the delay randomised either way, so that many backends do not restart in step. */
  jitter: number;
}

/** Health checking (spec S3). */
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
  /** Start on first use ({@link BackendSupervisor.start} from a wake-up), not with the others (S5). */
  lazy?: boolean;
  /** Stop after this long without {@link BackendSupervisor.touch}; the next use starts it again (S5). */
  idleStopMs?: number;
}

/** Every transition and restart is an event with a reason and a timestamp (spec S1). */
export type SupervisorEvent =
  | {
      type: 'state';
      server: string;
      from: SupervisedState;
      to: SupervisedState;
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
  | { type: 'health'; server: string; ok: boolean; consecutiveFailures: number; at: number };
