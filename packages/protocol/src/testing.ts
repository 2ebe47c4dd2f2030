import type { Clock } from './clock.js';

interface Timer {
  at: number;
  every: number | undefined;
  callback: () => void;
}

/**
 * A clock that moves only when a test says so: timers and intervals fire in due order inside
 * {@link ManualClock.advance}, so timeouts, backoff and debouncing are tested without sleeping.
 * The one fake clock of the repository's tests.
 */
export class ManualClock implements Clock {
  private time: number;
  private nextHandle = 1;
  private readonly timers = new Map<number, Timer>();

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    return this.add(callback, ms, undefined);
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  setInterval(callback: () => void, ms: number): unknown {
    return this.add(callback, ms, Math.max(1, ms));
  }

  clearInterval(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Timers and intervals not yet fired (intervals count until cleared). */
  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, firing every timer that falls due, earliest first. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let due: [number, Timer] | undefined;
      for (const entry of this.timers) {
        if (entry[1].at <= end && (!due || entry[1].at < due[1].at)) due = entry;
      }
      if (!due) break;
      const [handle, timer] = due;
      this.time = timer.at;
      if (timer.every === undefined) this.timers.delete(handle);
      else timer.at += timer.every;
      timer.callback();
    }
    this.time = end;
  }

  /**
   * Moves time forward by `ms` in steps, letting promises settle between them: for code that
   * awaits between timers (a timer's callback resolves a promise whose continuation sets the next).
   */
  async advanceAsync(ms: number, step = Math.max(1, Math.ceil(ms / 20))): Promise<void> {
    const end = this.time + ms;
    while (this.time < end) {
      this.advance(Math.min(step, end - this.time));
      await settle();
    }
  }

  /**
   * Moves time forward by `ms` one due time at a time, letting promises settle before the first
   * and after each: a timer set by the continuation of an earlier one (a health probe that
   * schedules the next, a restart after a backoff) fires within the same call, at the exact time
   * it would on the real clock.
   */
  async advanceTimerByTimer(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      await settle();
      let next: number | undefined;
      for (const timer of this.timers.values()) {
        if (timer.at <= end && (next === undefined || timer.at < next)) next = timer.at;
      }
      if (next === undefined) break;
      this.advance(next - this.time);
    }
    this.advance(end - this.time);
    await settle();
  }

  private add(callback: () => void, ms: number, every: number | undefined): number {
    const handle = this.nextHandle++;
    this.timers.set(handle, { at: this.time + Math.max(0, ms), every, callback });
    return handle;
  }
}

/** Lets pending promise continuations run: a few microtask turns, then one macrotask turn. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
  await new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Polls `check` until it returns something other than `undefined`/`false`, on the real clock (it
 * waits for other processes and sockets, which a manual clock cannot move). The one `until` of the
 * repository's tests; fails with `what` after `timeoutMs`.
 */
export async function until<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what = 'condition',
  timeoutMs = 10_000,
  intervalMs = 10,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * A client's `initialize` request (id 1) with no capabilities: the first message of every test
 * session opened by hand rather than through an SDK client.
 */
export function initializeMessage(protocolVersion = '2025-06-18', clientName = 't') {
  return {
    jsonrpc: '2.0' as const,
    id: 1,
    method: 'initialize',
    params: { protocolVersion, capabilities: {}, clientInfo: { name: clientName, version: '1' } },
  };
}
