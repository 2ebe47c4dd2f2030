import type { Clock } from '@switchyard/protocol';
import type { ApplyResult, TraceStore, TraceWrite } from '../store.js';

export interface WriteQueueOptions {
  store: TraceStore;
  clock: Clock;
  intervalMs: number;
  batchSize: number;
  /** Called with every batch as it goes to the store (the read cache drops what it makes stale). */
  onSent(batch: readonly TraceWrite[]): void;
}

/**
 * The writes of the tracer, queued on the request path and sent to the store in one batch on the
 * clock (or as soon as a batch is full). A store with `applyLater` applies them off this thread;
 * `flush` waits for it (blocking) where a read must see them. Applying never throws: what the
 * store could not take is counted as dropped, with the last error.
 */
export class WriteQueue {
  private pending: TraceWrite[] = [];
  private timer: unknown;
  /** Whether the timer is the next-turn one of a full batch. */
  private soon = false;
  private closed = false;
  private last: Promise<void> = Promise.resolve();
  flushed = 0;
  dropped = 0;
  lastError: { message: string; at: number } | null = null;

  constructor(private readonly options: WriteQueueOptions) {}

  get queued(): number {
    return this.pending.length;
  }

  push(write: TraceWrite): void {
    if (this.closed) {
      this.fail(new Error('The tracer is closed'), 1);
      return;
    }
    this.pending.push(write);
    const { clock } = this.options;
    if (this.pending.length >= this.options.batchSize && !this.soon) {
      // A full batch is sent on the next turn of the clock, not on this request's path.
      if (this.timer !== undefined) clock.clearTimeout(this.timer);
      this.soon = true;
      this.timer = clock.setTimeout(() => void this.send(), 0);
    } else if (this.timer === undefined) {
      this.timer = clock.setTimeout(() => void this.send(), this.options.intervalMs);
    }
  }

  /** Sends every queued write; resolves once the store has applied it and every earlier batch. */
  send(): Promise<void> {
    if (this.timer !== undefined) {
      this.options.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.soon = false;
    if (this.pending.length === 0) return this.last;
    const batch = this.pending.splice(0);
    const records = batch.length;
    // Every read settles the store first, so dropping stale entries now is early enough.
    this.options.onSent(batch);
    const { store } = this.options;
    if (!store.applyLater) {
      this.record(() => store.apply(batch), records);
      return this.last;
    }
    let later: Promise<ApplyResult>;
    try {
      later = store.applyLater(batch);
    } catch (error) {
      this.fail(error, records);
      return this.last;
    }
    this.last = later.then(
      (result) => this.record(() => result, records),
      (error: unknown) => this.fail(error, records),
    );
    return this.last;
  }

  /** Sends every queued write and blocks until the store has applied them: reads see them. */
  flush(): void {
    void this.send();
    try {
      this.options.store.settle?.();
    } catch (error) {
      this.fail(error, 0);
    }
  }

  /** Flushes and refuses (counts as dropped) every later write. */
  close(): void {
    this.flush();
    this.closed = true;
  }

  fail(error: unknown, count: number): void {
    this.dropped += count;
    this.lastError = {
      message: error instanceof Error ? error.message : String(error),
      at: this.options.clock.now(),
    };
  }

  private record(apply: () => ApplyResult, records: number): void {
    try {
      const result = apply();
      this.flushed += result.applied;
      if (result.dropped > 0) this.fail(result.error ?? new Error('Write dropped'), result.dropped);
    } catch (error) {
      this.fail(error, records);
    }
  }
}
