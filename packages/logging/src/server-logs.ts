import { existsSync, lstatSync, mkdirSync, readlinkSync, renameSync } from 'node:fs';
import { readlink, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { type Clock, systemClock } from '@switchyard/protocol';
import DailyRotateFile from 'winston-daily-rotate-file';
import {
  CURRENT_LOG,
  fileDate,
  formatLine,
  LOG_FILE_BASE,
  LOG_FILE_EXTENSION,
  listLogFiles,
  readInto,
} from './internal/log-files.js';
import { RotatingFile } from './internal/rotating-file.js';
import { checkName } from './internal/server-name.js';
import type { LogLine, LogStream, LogStreamFilter } from './log-line.js';
import { type SecretSet, secretSetOf } from './secret-set.js';
import { ServerLogsError, type ServerLogsErrorCode } from './server-logs-error.js';

const MIB = 1024 * 1024;
const DAY_MS = 24 * 60 * 60 * 1000;
/** After a failed write, lines are dropped for this long before the file is opened again. */
const RETRY_AFTER_MS = 1000;
const DEFAULT_TAIL_LINES = 100;

/** Options of {@link createServerLogs}: where, how large and how old (docs/operations.md, "Logs"). */
export interface ServerLogsOptions {
  /** Root of the per-server directories: `<dir>/<server>/server.log`. */
  dir: string;
  /**
   * Size at which the current file is rotated (default 10 MiB). The library counts in whole KiB
   * and rotates before the first line written past the limit, so a file may exceed it by one line.
   */
  maxSizeBytes?: number;
  /** Rotated files last modified longer ago than this are deleted (default 2 days). */
  maxAgeMs?: number;
  /**
   * Values that must never reach a log file, a tail or a subscriber (docs/operations.md,
   * "Secrets"): a fixed list, or a {@link SecretSet} whose values may be replaced while running.
   */
  secrets?: Iterable<string> | SecretSet;
  /** Source of line timestamps, of "now" for age limits, and of the age-limit timer. */
  clock?: Clock;
  /** Failures to write, link or clean up, reported instead of thrown. Default: ignored. */
  onError?: (error: ServerLogsError) => void;
}

/** Options of {@link ServerLogs.tail}: the `lines` and `type` of `GET /api/logs/<server>`. */
export interface TailOptions {
  /** How many lines at most (default 100). */
  lines?: number;
  type?: LogStreamFilter;
}

/** Options of {@link ServerLogs.subscribe}: back-fill and filter of the log stream. */
export interface SubscribeOptions {
  /** Deliver the last N matching lines before the live ones. */
  backfill?: number;
  type?: LogStreamFilter;
}

/** Receives log lines, already redacted. */
export type LogListener = (line: LogLine) => void;

interface ServerState {
  readonly name: string;
  readonly dir: string;
  readonly listeners: Set<LogListener>;
  file: RotatingFile | undefined;
  /** The file being written (the target of `server.log`), never deleted for age. */
  currentFile: string | undefined;
  /** Clock time before which no new file is opened after a failure. */
  retryAt: number;
  /** Resolves once every transport retired so far has closed its files. */
  retired: Promise<void>;
  /** While positive, lines queue in `pending` instead of going to a file (see `hold`). */
  holds: number;
  pending: string[];
  readonly holdTasks: Set<Promise<unknown>>;
}

/**
 * Per-backend rotating log files with tail and live subscription (docs/operations.md, "Logs").
 *
 * Each server writes `<dir>/<server>/server-YYYY-MM-DD[.N].log` through winston-daily-rotate-file,
 * and `<dir>/<server>/server.log` is a symbolic link to the file being written. Files rotate at
 * `maxSizeBytes` and at each UTC day; rotated files older than `maxAgeMs` are deleted while running.
 * Secrets are redacted before a line reaches a file or a listener, and again when lines are read
 * back. Disk failures are reported through `onError` and never thrown: lines are dropped until a
 * file can be opened again.
 */
export class ServerLogs {
  private readonly dir: string;
  private readonly maxSizeBytes: number;
  private readonly maxAgeMs: number;
  private readonly clock: Clock;
  private readonly secrets: SecretSet;
  private readonly onError: (error: ServerLogsError) => void;
  private readonly servers = new Map<string, ServerState>();
  private readonly tasks = new Set<Promise<void>>();
  private readonly sweepTimer: unknown;
  private closing: Promise<void> | undefined;

  constructor(options: ServerLogsOptions) {
    this.dir = options.dir;
    this.maxSizeBytes = positive('maxSizeBytes', options.maxSizeBytes ?? 10 * MIB);
    this.maxAgeMs = positive('maxAgeMs', options.maxAgeMs ?? 2 * DAY_MS);
    this.clock = options.clock ?? systemClock;
    this.secrets = secretSetOf(options.secrets);
    this.onError = options.onError ?? (() => {});
    // A quiet server never rotates, so age limits are also enforced on a timer, while running; a
    // file is deleted at most a quarter of its allowed age late.
    const every = Math.min(Math.max(this.maxAgeMs / 4, 1000), 10 * 60 * 1000);
    this.sweepTimer = this.clock.setInterval(() => {
      for (const state of this.servers.values()) this.track(this.sweep(state));
    }, every);
  }

  /**
   * Appends a line to the server's log as `[<ISO timestamp>] [STDOUT|STDERR|PROXY] <line>` and
   * hands it to subscribers. A multi-line text becomes one log line per line. Ignored after
   * {@link close}. Throws only for an invalid server name (`invalid_params`).
   */
  write(server: string, stream: LogStream, line: string): void {
    const state = this.state(server);
    if (this.closing !== undefined) return;
    const timestamp = new Date(this.clock.now()).toISOString();
    const texts = this.secrets
      .redact(line)
      .replace(/\r?\n$/, '')
      .split(/\r?\n/);
    for (const text of texts) {
      const entry: LogLine = { timestamp, stream, text };
      this.append(state, formatLine(entry));
      for (const listener of state.listeners) this.deliver(state, listener, entry);
    }
  }

  /**
   * The last `lines` lines of the server's log, oldest first, optionally of one stream:
   * read backwards in chunks from the current file, then from rotated files as needed. Includes
   * every line written before the call. A server without logs has none. Rejects with
   * `invalid_params` for an invalid name.
   */
  async tail(server: string, options: TailOptions = {}): Promise<LogLine[]> {
    checkName(server);
    return this.collect(
      server,
      Math.max(0, Math.floor(options.lines ?? DEFAULT_TAIL_LINES)),
      options.type,
    );
  }

  /**
   * Calls `listener` with each line written from now on, optionally preceded by the last
   * `backfill` lines, with neither gap nor repeat between the two. Returns the unsubscribe function.
   * Throws only for an invalid server name (`invalid_params`).
   */
  subscribe(server: string, listener: LogListener, options: SubscribeOptions = {}): () => void {
    const state = this.state(server);
    const { type } = options;
    const backfill = Math.max(0, Math.floor(options.backfill ?? 0));
    let queued: LogLine[] | undefined = backfill > 0 ? [] : undefined;
    let active = true;
    const entry: LogListener = (line) => {
      if (type !== undefined && line.stream !== type) return;
      if (queued) queued.push(line);
      else listener(line);
    };
    state.listeners.add(entry);
    if (backfill > 0) {
      void this.collect(server, backfill, type)
        .catch((error: unknown) => {
          this.report('BACKFILL_FAILED', state.name, 'could not read the back-fill', error);
          return [];
        })
        .then((lines) => {
          const live = queued ?? [];
          queued = undefined;
          if (!active) return;
          for (const line of [...lines, ...live]) this.deliver(state, listener, line);
        });
    }
    return () => {
      active = false;
      state.listeners.delete(entry);
    };
  }

  /** Writes out every line written so far, closes all files and stops age enforcement. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.clock.clearInterval(this.sweepTimer);
    for (const state of this.servers.values()) {
      state.listeners.clear();
      while (state.holdTasks.size > 0) await Promise.allSettled([...state.holdTasks]);
      this.retire(state);
      await state.retired;
    }
    while (this.tasks.size > 0) await Promise.all([...this.tasks]);
  }

  private state(server: string): ServerState {
    checkName(server);
    let state = this.servers.get(server);
    if (state === undefined) {
      state = {
        name: server,
        dir: join(this.dir, server),
        listeners: new Set(),
        file: undefined,
        currentFile: undefined,
        retryAt: Number.NEGATIVE_INFINITY,
        retired: Promise.resolve(),
        holds: 0,
        pending: [],
        holdTasks: new Set(),
      };
      this.servers.set(server, state);
    }
    return state;
  }

  private append(state: ServerState, line: string): void {
    if (state.holds > 0) {
      state.pending.push(line);
      return;
    }
    const file = state.file ?? this.open(state);
    if (file === undefined) return;
    try {
      file.write(line);
    } catch (error) {
      this.fail(state, file, error);
    }
  }

  private open(state: ServerState): RotatingFile | undefined {
    if (this.clock.now() < state.retryAt) return undefined;
    try {
      mkdirSync(state.dir, { recursive: true, mode: 0o700 });
      this.moveAsideForeignLog(state);
      const transport = new DailyRotateFile({
        dirname: state.dir,
        filename: LOG_FILE_BASE,
        extension: LOG_FILE_EXTENSION,
        datePattern: 'YYYY-MM-DD',
        utc: true,
        maxSize: this.maxSizeBytes,
        createSymlink: true,
        symlinkName: CURRENT_LOG,
        eol: '\n',
        options: { flags: 'a', mode: 0o600 },
      });
      const file: RotatingFile = new RotatingFile(transport, {
        onNewFile: (path) => this.onNewFile(state, path),
        onError: (error) => this.fail(state, file, error),
      });
      state.file = file;
      return file;
    } catch (error) {
      this.report('WRITE_FAILED', state.name, `could not open the log of ${state.name}`, error);
      state.retryAt = this.clock.now() + RETRY_AFTER_MS;
      return undefined;
    }
  }

  /**
   * The library only replaces `server.log` when it is already a link: a regular file of that name
   * (written by something else) would silently stay stale, so it is moved aside as a rotated file.
   */
  private moveAsideForeignLog(state: ServerState): void {
    const link = join(state.dir, CURRENT_LOG);
    let info: ReturnType<typeof lstatSync>;
    try {
      info = lstatSync(link);
    } catch {
      return;
    }
    if (info.isSymbolicLink()) return;
    const aside = join(state.dir, `server-${fileDate(info.mtimeMs)}.0${LOG_FILE_EXTENSION}`);
    if (!info.isFile() || existsSync(aside)) {
      this.report('LINK_FAILED', state.name, `${link} is in the way of the current-log link`);
      return;
    }
    renameSync(link, aside);
  }

  private onNewFile(state: ServerState, path: string): void {
    state.currentFile = path;
    let target: string | undefined;
    try {
      target = readlinkSync(join(state.dir, CURRENT_LOG));
    } catch {
      target = undefined;
    }
    if (target !== basename(path)) {
      this.report('LINK_FAILED', state.name, `${CURRENT_LOG} does not point at ${basename(path)}`);
    }
    this.track(this.sweep(state));
  }

  private fail(state: ServerState, file: RotatingFile, error: unknown): void {
    this.report('WRITE_FAILED', state.name, `could not write the log of ${state.name}`, error);
    if (state.file !== file) return;
    state.retryAt = this.clock.now() + RETRY_AFTER_MS;
    this.retire(state);
  }

  /** Ends the server's transport, if any; the next line opens a new one on the same file. */
  private retire(state: ServerState): void {
    const file = state.file;
    if (file === undefined) return;
    state.file = undefined;
    state.retired = Promise.all([state.retired, file.end()]).then(() => {});
  }

  /**
   * Runs `read` with every line written so far on disk and none written after: the transport is
   * ended (the library's streams take no write callbacks, so closing is the only way to know that
   * a line reached the file), and lines written meanwhile wait in memory until `read` is done.
   * The first part runs synchronously, which is what makes `subscribe`'s back-fill exact.
   */
  private hold<T>(state: ServerState, read: () => Promise<T>): Promise<T> {
    state.holds++;
    this.retire(state);
    const task = state.retired.then(read).finally(() => {
      state.holds--;
      if (state.holds > 0) return;
      const lines = state.pending;
      state.pending = [];
      for (const line of lines) this.append(state, line);
    });
    state.holdTasks.add(task);
    const forget = () => state.holdTasks.delete(task);
    void task.then(forget, forget);
    return task;
  }

  /** A tail of a server that has not written in this run reads its files without keeping state. */
  private async collect(
    server: string,
    count: number,
    type: LogStreamFilter | undefined,
  ): Promise<LogLine[]> {
    if (count === 0) return [];
    const state = this.servers.get(server);
    const dir = join(this.dir, server);
    const files = await (state ? this.hold(state, () => listLogFiles(dir)) : listLogFiles(dir));
    const found: LogLine[] = [];
    for (const file of files) {
      if (await readInto(found, file, count, type)) break;
    }
    // Read back through the secrets in force: files of an earlier run may predate one of them.
    return found.reverse().map((line) => ({ ...line, text: this.secrets.redact(line.text) }));
  }

  /** Deletes files past the age limit, except the one being written or linked as current. */
  private async sweep(state: ServerState): Promise<void> {
    const cutoff = this.clock.now() - this.maxAgeMs;
    try {
      const linked = await readlink(join(state.dir, CURRENT_LOG)).catch(() => undefined);
      const keep = new Set([
        state.currentFile,
        linked === undefined ? undefined : join(state.dir, linked),
      ]);
      for (const file of await listLogFiles(state.dir)) {
        if (keep.has(file.path) || file.mtimeMs >= cutoff) continue;
        await unlink(file.path).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error;
        });
      }
    } catch (error) {
      this.report(
        'CLEANUP_FAILED',
        state.name,
        `could not delete old logs of ${state.name}`,
        error,
      );
    }
  }

  private track(task: Promise<void>): void {
    this.tasks.add(task);
    void task.then(() => this.tasks.delete(task));
  }

  private deliver(state: ServerState, listener: LogListener, line: LogLine): void {
    try {
      listener(line);
    } catch (error) {
      this.report('LISTENER_FAILED', state.name, 'a log subscriber threw', error);
    }
  }

  private report(
    code: ServerLogsErrorCode,
    server: string,
    message: string,
    cause?: unknown,
  ): void {
    try {
      this.onError(new ServerLogsError(code, server, message, { cause }));
    } catch {
      // A failing error handler must not turn a logging problem into the caller's exception.
    }
  }
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive number, got ${value}`);
  }
  return value;
}

/** Creates the per-server rotating logs under `options.dir`; see {@link ServerLogs}. */
export function createServerLogs(options: ServerLogsOptions): ServerLogs {
  return new ServerLogs(options);
}
