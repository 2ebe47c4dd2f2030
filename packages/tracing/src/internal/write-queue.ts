import type { Clock } from '@switchyard/protocol';
import type { ApplyResult, StoreBatch, TraceStore, TraceWrite } from '../store.js';

export interface WriteQueueOptions {
  store: TraceStore;
  clock: Clock;
  intervalMs: number;
  batchSize: number;
  /** Called with every write as it is queued (the read cache drops the rows it makes stale). */
  onQueued(write: TraceWrite): void;
  /** Called as a batch goes to the store (the read cache drops its lists). */
  onSent(): void;
  /** Queues writes held back (a capture's, see `TracerOptions.defer`) before any other. */
  drain?(): void;
  /** Queues what must be in a batch before it is sent (responses still being weighed). */
  beforeSend?(): void;
}

/** A batch of a store without `openBatch`: the writes are held and handed over together. */
function heldBatch(store: TraceStore): StoreBatch {
  const writes: TraceWrite[] = [];
  return {
    add: (write) => writes.push(write),
    commit: () => (store.applyLater ? store.applyLater(writes) : store.apply(writes)),
  };
}

/**
 * The writes of the tracer, queued on the request path and sent to the store in one batch on the
 * clock (or as soon as a batch is full). The batch takes each write as it is queued (a SQLite
 * store encodes it at once and sends full pieces to its writer thread); a store that applies off
 * this thread is waited for (blocking) by `flush` where a read must see the writes. Applying
 * never throws: what the store could not take is counted as dropped, with the last error.
 */
export class WriteQueue {
  private batch: StoreBatch | undefined;
  private count = 0;
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
    return this.count;
  }

  /** Runs the held-back work now (what it learns is needed before a batch or a read). */
  drainHeld(): void {
    this.options.drain?.();
  }

  push(write: TraceWrite): void {
    this.drainHeld();
    if (this.closed) {
      this.fail(new Error('The tracer is closed'), 1);
      return;
    }
    const { store, clock } = this.options;
    this.batch ??= store.openBatch ? store.openBatch() : heldBatch(store);
    try {
      this.batch.add(write);
    } catch (error) {
      this.fail(error, 1);
      return;
    }
    this.count++;
    this.options.onQueued(write);
    if (this.count >= this.options.batchSize && !this.soon) {
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
    this.options.beforeSend?.();
    this.drainHeld();
    if (this.timer !== undefined) {
      this.options.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.soon = false;
    const { batch, count } = this;
    if (!batch || count === 0) return this.last;
    this.batch = undefined;
    this.count = 0;
    // Every read settles the store first, so dropping stale lists now is early enough.
    this.options.onSent();
    let applied: ApplyResult | Promise<ApplyResult>;
    try {
      applied = batch.commit();
    } catch (error) {
      this.fail(error, count);
      return this.last;
    }
    if (!(applied instanceof Promise)) {
      this.record(applied, count);
      return this.last;
    }
    this.last = applied.then(
      (result) => this.record(result, count),
      (error: unknown) => this.fail(error, count),
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

  private record(result: ApplyResult, records: number): void {
    if (!result || typeof result.applied !== 'number') {
      this.fail(new Error('The store gave no result'), records);
      return;
    }
    this.flushed += result.applied;
    if (result.dropped > 0) this.fail(result.error ?? new Error('Write dropped'), result.dropped);
  }
}
