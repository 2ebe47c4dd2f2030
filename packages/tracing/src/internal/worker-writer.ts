import { createRequire } from 'node:module';
import {
  MessageChannel,
  type MessagePort,
  receiveMessageOnPort,
  Worker,
} from 'node:worker_threads';
import { type BatchOutcome, createApplier, type FlatBatch } from './sqlite-apply.js';

export interface WorkerWriterOptions {
  file: string;
  maxPageCount?: number;
  /** The statements that the ops of a batch refer to by index. */
  sql: readonly string[];
  /** How long {@link WorkerWriter.settle} waits for the thread before giving up; default 10 s. */
  settleTimeoutMs?: number;
}

interface WriterData {
  port: MessagePort;
  signal: Int32Array;
  driver: string;
  file: string;
  maxPageCount: number;
  sql: readonly string[];
  nice: number;
}

type Ack = BatchOutcome & { id: number };

/** A batch being sent to the thread in pieces: the thread's port it started on. */
export interface WriterBatch {
  id: number;
  port: MessagePort | undefined;
  error?: string;
}

/**
 * The writer thread's nice value (Linux): 10 weighs about a tenth of a request-serving thread, so
 * a busy machine gives it a few percent of a core, which keeps up with thousands of captures a
 * second, while a reader waiting for it (`settle`) never waits on a thread that gets nothing.
 */
const WRITER_NICE = 10;

/**
 * Batches posted and not yet committed beyond which the next is dropped (and counted) rather than
 * queued: at the default 200 ms batches, ten seconds of captures the thread has not caught up on.
 */
const MAX_PENDING = 50;

/** A thread that keeps exiting is not started again after this many exits in a row. */
const MAX_RESTARTS = 5;

/**
 * The writer thread's main. Like `createApplier`, it runs from its source text, so it refers to
 * nothing outside its body: modules come through `load` (the thread's `require`).
 */
function writerMain(load: (id: string) => unknown, makeApplier: typeof createApplier): void {
  const threads = load('node:worker_threads') as typeof import('node:worker_threads');
  const { port, signal, driver, file, maxPageCount, sql, nice } = threads.workerData as WriterData;
  try {
    // A lower priority than the threads that serve requests (docs/tracing.md, "Storage"): when
    // the cores are busy, the writes take the spare time rather than time from the exchanges.
    // Linux only (a thread id is a process id to setpriority); elsewhere the thread keeps the
    // process's priority.
    const fs = load('node:fs') as typeof import('node:fs');
    const tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
    if (tid > 0 && nice > 0) (load('node:os') as typeof import('node:os')).setPriority(tid, nice);
  } catch {
    // Not Linux, or not allowed.
  }
  const Database = load(driver) as typeof import('better-sqlite3');
  let db: import('better-sqlite3').Database | undefined;
  let apply: ReturnType<typeof createApplier> | undefined;
  let openError = '';
  try {
    db = new Database(file, { fileMustExist: true });
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 2000');
    // Room for the units' primary key (its entries go to random places: unit ids come from
    // hashes) so that a growing database does not read its pages back for every new unit.
    db.pragma('cache_size = -32768');
    if (maxPageCount > 0) db.pragma(`max_page_count = ${maxPageCount}`);
    apply = makeApplier(db, sql);
  } catch (e) {
    openError = e instanceof Error ? e.message : String(e);
  }
  const ack = (message: Ack) => {
    port.postMessage(message);
    Atomics.add(signal, 0, 1);
    Atomics.notify(signal, 0);
  };
  // The leading pieces of the batches being received, by id; the last piece comes with its count.
  const held = new Map<number, FlatBatch[]>();
  type Message = { id: number; part?: FlatBatch; batch?: FlatBatch; count?: number; drop?: true };
  port.on('message', (m: Message) => {
    if (m.drop) {
      held.delete(m.id);
      return;
    }
    if (m.part) {
      const parts = held.get(m.id);
      if (parts) parts.push(m.part);
      else held.set(m.id, [m.part]);
      return;
    }
    if (!m.batch) {
      db?.close();
      ack({ id: m.id, applied: 0, dropped: 0 });
      port.close();
      return;
    }
    const parts = held.get(m.id);
    held.delete(m.id);
    const batch = parts ? ([] as FlatBatch).concat(...parts, m.batch) : m.batch;
    const outcome = apply ? apply(batch) : { applied: 0, dropped: m.count ?? 0, error: openError };
    ack({ id: m.id, ...outcome });
  });
}

const SOURCE = `const __name = (f) => f;\n(${writerMain.toString()})(require, ${createApplier.toString()});`;

/**
 * Applies batches on a thread of its own that owns the write connection, so that SQLite's work
 * leaves the event loop that serves requests. `post` resolves when the thread has committed the
 * batch (or dropped it); `settle` blocks until every posted batch is done, for reads that must see
 * them. A thread that exits drops (and reports) the batches it held and is started again on the
 * next batch. See docs/tracing.md, "Storage".
 */
export class WorkerWriter {
  private worker: Worker | undefined;
  private port: MessagePort | undefined;
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));
  private readonly pending = new Map<number, { count: number; done(o: BatchOutcome): void }>();
  private nextId = 1;
  private exits = 0;
  private closed = false;

  constructor(private readonly options: WorkerWriterOptions) {}

  /** Sends a batch of `count` writes; resolves once the thread has committed or dropped it. */
  post(batch: FlatBatch, count: number): Promise<BatchOutcome> {
    return this.finish(this.begin(), [batch], count);
  }

  /**
   * Starts a batch whose pieces are sent as they are ready (`part`), before the last ones and the
   * count (`finish`): the thread holds them and commits the whole batch in one transaction.
   */
  begin(): WriterBatch {
    return { id: this.nextId++, port: this.closed ? undefined : this.start() };
  }

  part(batch: WriterBatch, piece: FlatBatch): void {
    if (!batch.port || batch.port !== this.port) return;
    try {
      batch.port.postMessage({ id: batch.id, part: piece });
    } catch (e) {
      batch.error = String(e);
    }
  }

  /** Sends the last pieces; resolves once the thread has committed or dropped the batch. */
  finish(batch: WriterBatch, pieces: FlatBatch[], count: number): Promise<BatchOutcome> {
    const { id, port } = batch;
    if (!port || port !== this.port || batch.error !== undefined) {
      // Pieces sent to a thread that has since exited are gone: none of the batch is applied.
      const error =
        batch.error ??
        (this.closed
          ? 'The trace store is closed'
          : port
            ? 'The writer thread exited'
            : 'The writer thread is not running');
      return Promise.resolve({ applied: 0, dropped: count, error });
    }
    if (this.pending.size >= MAX_PENDING) {
      // The thread lets go of the pieces it holds of this batch and stores none of it.
      port.postMessage({ id, batch: [], count: 0, drop: true });
      return Promise.resolve({ applied: 0, dropped: count, error: 'The writer thread is behind' });
    }
    return new Promise((resolve) => {
      try {
        const last = pieces.pop() ?? [];
        for (const part of pieces) port.postMessage({ id, part });
        port.postMessage({ id, batch: last, count });
      } catch (e) {
        resolve({ applied: 0, dropped: count, error: String(e) });
        return;
      }
      this.pending.set(id, { count, done: resolve });
      this.hold(true);
    });
  }

  /** Blocks until every posted batch is committed or dropped (or the timeout has passed). */
  settle(): void {
    const deadline = Date.now() + (this.options.settleTimeoutMs ?? 10_000);
    while (this.pending.size > 0 && this.port) {
      const seen = Atomics.load(this.signal, 0);
      const received = receiveMessageOnPort(this.port);
      if (received) {
        this.acknowledge(received.message as Ack);
        continue;
      }
      if (this.worker?.threadId === -1) {
        this.lost(this.worker, 'The writer thread exited');
        return;
      }
      const left = deadline - Date.now();
      if (left <= 0) return;
      Atomics.wait(this.signal, 0, seen, Math.min(left, 100));
    }
  }

  /** Settles, closes the thread's connection and stops the thread. */
  close(): void {
    if (this.closed) return;
    const { port, worker } = this;
    if (port && worker) {
      const id = this.nextId++;
      this.pending.set(id, { count: 0, done: () => {} });
      port.postMessage({ id });
      this.settle();
    }
    this.closed = true;
    this.worker = undefined;
    this.port = undefined;
    port?.close();
    void worker?.terminate();
  }

  private start(): MessagePort | undefined {
    if (this.port) return this.port;
    if (this.exits >= MAX_RESTARTS) return undefined;
    const { port1, port2 } = new MessageChannel();
    const data: WriterData = {
      port: port2,
      signal: this.signal,
      driver: createRequire(import.meta.url).resolve('better-sqlite3'),
      file: this.options.file,
      maxPageCount: Math.floor(this.options.maxPageCount ?? 0),
      sql: this.options.sql,
      nice: WRITER_NICE,
    };
    const worker = new Worker(SOURCE, { eval: true, workerData: data, transferList: [port2] });
    worker.on('error', (e) => this.lost(worker, `The writer thread failed: ${e.message}`));
    worker.on('exit', (code) => this.lost(worker, `The writer thread exited (${code})`));
    port1.on('message', (m: Ack) => this.acknowledge(m));
    this.worker = worker;
    this.port = port1;
    this.hold(false);
    return port1;
  }

  private acknowledge(m: Ack): void {
    const entry = this.pending.get(m.id);
    if (!entry) return;
    this.pending.delete(m.id);
    this.exits = 0;
    entry.done(m.error === undefined ? { applied: m.applied, dropped: m.dropped } : m);
    if (this.pending.size === 0) this.hold(false);
  }

  /** The thread is gone: what it held is dropped, and the next batch starts a new one. */
  private lost(worker: Worker, error: string): void {
    if (worker !== this.worker) return;
    this.exits++;
    this.port?.close();
    this.worker = undefined;
    this.port = undefined;
    const held = [...this.pending.values()];
    this.pending.clear();
    for (const entry of held) entry.done({ applied: 0, dropped: entry.count, error });
  }

  /** The thread keeps the process alive only while it holds batches. */
  private hold(busy: boolean): void {
    if (busy) {
      this.worker?.ref();
      this.port?.ref();
    } else {
      this.worker?.unref();
      this.port?.unref();
    }
  }
}
