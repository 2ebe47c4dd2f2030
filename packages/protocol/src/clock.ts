/**
 * Time, injected: every timestamp and timer of Switchyard goes through one of these, so that
 * timeouts, backoff, debouncing, sweeping and durations are testable without sleeping (tests pass
 * the manual clock of `@switchyard/protocol/testing`; production passes nothing).
 */
export interface Clock {
  /** Milliseconds since the epoch, with sub-millisecond precision where the platform has it. */
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

type NodeTimer = ReturnType<typeof setTimeout>;

/**
 * The real clock. `now` is `performance.timeOrigin + performance.now()`: epoch-based like
 * `Date.now()`, precise enough for sub-millisecond request durations. Its timers never keep the
 * process alive on their own.
 */
export const systemClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeTimer),
  setInterval: (callback, ms) => {
    const handle = setInterval(callback, ms);
    handle.unref?.();
    return handle;
  },
  clearInterval: (handle) => clearInterval(handle as NodeTimer),
};

/** Resolves after `ms` on `clock`. */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}
