import type { Clock } from '@switchyard/protocol';
import type { TraceStore, TraceWrite } from '../store.js';

export interface WriteQueueOptions {
  store: TraceStore;
  clock: Clock;
  intervalMs: number;
  batchSize: number;
  /** Redacts a message (as parsed JSON) before it is stored. */
  redact?: (value: unknown) => unknown;
  /** Called after every applied batch (the read cache drops what it made stale). */
  onApplied(batch: readonly TraceWrite[]): void;
}

/**
 * The writes of the tracer, queued on the request path and applied in one batch by the store on
 * the clock (or as soon as a batch is full). Applying never throws: what the store could not take
 * is counted as dropped, with the last error.
 */
export class WriteQueue {
  private pending: TraceWrite[] = [];
  private timer: unknown;
  private closed = false;
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
    if (this.pending.length >= this.options.batchSize) {
      // A full batch is applied on the next turn of the clock, not on this request's path.
      if (this.timer !== undefined) clock.clearTimeout(this.timer);
      this.timer = clock.setTimeout(() => this.flush(), 0);
    } else if (this.timer === undefined) {
      this.timer = clock.setTimeout(() => this.flush(), this.options.intervalMs);
    }
  }

  /** Applies every queued write now. */
  flush(): void {
    if (this.timer !== undefined) {
      this.options.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.pending.length === 0) return;
    const batch = this.pending.splice(0).map((w) => this.prepare(w));
    try {
      const result = this.options.store.apply(batch);
      this.flushed += result.applied;
      if (result.dropped > 0) this.fail(result.error ?? new Error('Write dropped'), result.dropped);
    } catch (error) {
      this.fail(error, batch.length);
    }
    this.options.onApplied(batch);
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

  /** Messages are redacted here, off the request path (they were snapshotted as JSON there). */
  private prepare(write: TraceWrite): TraceWrite {
    const { redact } = this.options;
    if (write.type !== 'message' || !redact) return write;
    return { ...write, json: JSON.stringify(redact(JSON.parse(write.json)) ?? null) };
  }
}
