import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { type BatchOutcome, createApplier, type FlatBatch } from './internal/sqlite-apply.js';
import { emptyRetention, retain } from './internal/sqlite-retention.js';
import {
  answerFromRow,
  feedbackFromRow,
  messageFromRow,
  messagesFromChunk,
  responseFromRow,
  timelineFromRow,
  unitFromRow,
} from './internal/sqlite-rows.js';
import { migrate, SCHEMA_VERSION } from './internal/sqlite-schema.js';
import { BatchPlan, planBatch, WRITE_SQL } from './internal/sqlite-writes.js';
import { WorkerWriter } from './internal/worker-writer.js';
import type {
  ApplyResult,
  RetentionResult,
  StoreBatch,
  StoredUnit,
  TraceStore,
  TraceWrite,
} from './store.js';
import type {
  AnswerRecord,
  FeedbackRecord,
  ImpactEntry,
  RecordedMessage,
  ResponseFilter,
  ResponseSummary,
  SessionSummary,
  TimelineEntry,
} from './types.js';

export interface SqliteStoreOptions {
  /** A file path (its directory is created), or ':memory:'. */
  file: string;
  /** Called with every error the store swallows (open, write, read, retention). */
  onError?: (error: Error) => void;
  /**
   * A hard cap on the database's pages (`PRAGMA max_page_count`): writes past it fail as on a
   * full disk and are dropped and counted.
   */
  maxPageCount?: number;
  /**
   * Where `applyLater` writes a file database: on a thread of its own (`thread`, the default)
   * or on the calling one (`inline`). An in-memory database is always written inline.
   */
  writer?: 'thread' | 'inline';
}

type Row = Record<string, unknown>;

/** How many ids go in one read of units. */
const READ_CHUNK = 500;

const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));
const resultOf = (o: BatchOutcome): ApplyResult =>
  o.error === undefined
    ? { applied: o.applied, dropped: o.dropped }
    : { applied: o.applied, dropped: o.dropped, error: new Error(o.error) };

function openDatabase(options: SqliteStoreOptions): Database.Database {
  if (options.file !== ':memory:') mkdirSync(dirname(options.file), { recursive: true });
  const db = new Database(options.file);
  try {
    // auto_vacuum only takes effect before the first table exists; it lets retention give pages
    // back to the file system with incremental_vacuum instead of a full VACUUM.
    if ((db.pragma('user_version', { simple: true }) as number) === 0) {
      db.pragma('auto_vacuum = INCREMENTAL');
    }
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 2000');
    if (options.maxPageCount) db.pragma(`max_page_count = ${Math.floor(options.maxPageCount)}`);
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * A database that exists but cannot be written (read-only file or file system), opened for
 * reading so that the traces it holds stay visible; every write to it fails and is counted.
 */
function openReadOnly(file: string): Database.Database | undefined {
  if (file === ':memory:') return undefined;
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    if ((db.pragma('user_version', { simple: true }) as number) === SCHEMA_VERSION) return db;
    db.close();
  } catch {
    // Not there or not readable either: the store stays empty.
  }
  return undefined;
}

/**
 * The SQLite trace store (better-sqlite3): WAL with `synchronous=NORMAL` (a process crash loses
 * no committed batch), foreign keys on, migrations by `user_version`, each batch in one
 * transaction with a savepoint per write so that one bad write drops only itself. A database that
 * cannot be opened gives a store that drops (and counts) every write and reads as empty; it never
 * throws.
 */
export function openSqliteStore(options: SqliteStoreOptions): TraceStore {
  return new SqliteTraceStore(options);
}

class SqliteTraceStore implements TraceStore {
  private db: Database.Database | undefined;
  private applier: ReturnType<typeof createApplier> | undefined;
  private writer: WorkerWriter | undefined;
  private openError: Error | undefined;

  constructor(private readonly options: SqliteStoreOptions) {
    try {
      this.db = openDatabase(options);
      this.applier = createApplier(this.db, WRITE_SQL);
      if (options.file !== ':memory:' && options.writer !== 'inline') {
        this.writer = new WorkerWriter({
          file: options.file,
          sql: WRITE_SQL,
          ...(options.maxPageCount ? { maxPageCount: options.maxPageCount } : {}),
        });
      }
    } catch (e) {
      this.openError = asError(e);
      this.report(this.openError);
      this.db = openReadOnly(options.file);
      if (this.db) this.applier = createApplier(this.db, WRITE_SQL);
    }
  }

  apply(writes: readonly TraceWrite[]): ApplyResult {
    if (writes.length === 0) return { applied: 0, dropped: 0 };
    return this.applyPlanned([planBatch(writes)], writes.length);
  }

  private applyPlanned(pieces: FlatBatch[], count: number): ApplyResult {
    const { applier } = this;
    if (!applier) {
      return { applied: 0, dropped: count, error: this.openError ?? new Error('closed') };
    }
    const batch =
      pieces.length === 1 ? (pieces[0] as FlatBatch) : ([] as FlatBatch).concat(...pieces);
    return this.reported(resultOf(applier(batch)));
  }

  async applyLater(writes: readonly TraceWrite[]): Promise<ApplyResult> {
    if (!this.writer || writes.length === 0) return this.apply(writes);
    const outcome = await this.writer.post(planBatch(writes), writes.length);
    return this.reported(resultOf(outcome));
  }

  settle(): void {
    this.writer?.settle();
  }

  /** On the writer thread, each full piece of the plan goes to the thread as it fills. */
  openBatch(): StoreBatch {
    const plan = new BatchPlan();
    const { writer } = this;
    if (!writer) {
      return {
        add: (write) => plan.add(write),
        commit: () => this.applyPlanned(plan.finish(), plan.size),
      };
    }
    const sending = writer.begin();
    return {
      add: (write) => {
        plan.add(write);
        for (const piece of plan.takeFull()) writer.part(sending, piece);
      },
      commit: async () => {
        const outcome = await writer.finish(sending, plan.finish(), plan.size);
        return this.reported(resultOf(outcome));
      },
    };
  }

  unitCount(): number {
    return Number(this.get([], 'SELECT count(*) AS n FROM units')?.n ?? 0);
  }

  /** In reads of {@link READ_CHUNK} ids: SQLite binds at most 32,766 parameters. */
  units(ids: readonly string[]): StoredUnit[] {
    const found: StoredUnit[] = [];
    for (let i = 0; i < ids.length; i += READ_CHUNK) {
      const chunk = ids.slice(i, i + READ_CHUNK);
      const marks = chunk.map(() => '?').join(',');
      for (const row of this.all(chunk, `SELECT * FROM units WHERE id IN (${marks})`)) {
        found.push(unitFromRow(row));
      }
    }
    return found;
  }

  /** The indexed later versions, and the first one through the second's `previous_version_id`. */
  unitVersions(sourceKey: string): StoredUnit[] {
    return this.all(
      { sourceKey },
      `SELECT * FROM units WHERE source_key = @sourceKey AND version > 1
       UNION ALL
       SELECT * FROM units WHERE id IN (SELECT previous_version_id FROM units
         WHERE source_key = @sourceKey AND version = 2)
       ORDER BY version`,
    ).map(unitFromRow);
  }

  unitImpact(unitId: string, { minWeight = 0, limit = 100 }): ImpactEntry[] {
    return this.all(
      [unitId, minWeight, limit],
      `SELECT l.response_id, l.weight, r.session_id, r.closed_at FROM lineage l
       JOIN responses r ON r.id = l.response_id WHERE l.unit_id = ? AND l.weight >= ?
       ORDER BY coalesce(r.closed_at, r.opened_at) DESC LIMIT ?`,
    ).map((r) => ({
      responseId: String(r.response_id),
      sessionId: String(r.session_id),
      weight: Number(r.weight),
      closedAt: r.closed_at === null ? null : Number(r.closed_at),
    }));
  }

  responses({ sessionId, since, until, limit = 100 }: ResponseFilter): ResponseSummary[] {
    const params = {
      sessionId: sessionId ?? null,
      since: since ?? null,
      until: until ?? null,
      limit,
    };
    return this.all(
      params,
      `SELECT * FROM responses WHERE (@sessionId IS NULL OR session_id = @sessionId)
       AND (@since IS NULL OR opened_at >= @since) AND (@until IS NULL OR opened_at < @until)
       ORDER BY opened_at DESC, rowid DESC LIMIT @limit`,
    ).map(responseFromRow);
  }

  response(id: string): ResponseSummary | undefined {
    const row = this.get([id], 'SELECT * FROM responses WHERE id = ?');
    return row ? responseFromRow(row) : undefined;
  }

  lineage(responseId: string): Array<{ unitId: string; weight: number; retrieval: number }> {
    return this.all(
      [responseId],
      'SELECT unit_id, weight, retrieval FROM lineage WHERE response_id = ? ORDER BY weight DESC',
    ).map((r) => ({
      unitId: String(r.unit_id),
      weight: Number(r.weight),
      retrieval: Number(r.retrieval),
    }));
  }

  answer(responseId: string): AnswerRecord | undefined {
    const sql = 'SELECT * FROM answers WHERE response_id = ? ORDER BY at DESC, rowid DESC';
    const row = this.get([responseId], sql);
    return row ? answerFromRow(row) : undefined;
  }

  feedback({
    responseId,
    since,
    limit = 100,
  }: {
    responseId?: string;
    since?: number;
    limit?: number;
  }): FeedbackRecord[] {
    return this.all(
      { responseId: responseId ?? null, since: since ?? null, limit },
      `SELECT * FROM feedback WHERE (@responseId IS NULL OR response_id = @responseId)
       AND (@since IS NULL OR at >= @since) ORDER BY at DESC, rowid DESC LIMIT @limit`,
    ).map(feedbackFromRow);
  }

  scoredUnits({ min, max, limit }: { min?: number; max?: number; limit: number }): StoredUnit[] {
    const sql =
      min !== undefined
        ? `SELECT * FROM units WHERE feedback_count > 0 AND score >= ?
           ORDER BY score DESC, feedback_count DESC LIMIT ?`
        : `SELECT * FROM units WHERE feedback_count > 0 AND score <= ?
           ORDER BY score ASC, feedback_count DESC LIMIT ?`;
    return this.all([min ?? max ?? -1, limit], sql).map(unitFromRow);
  }

  timeline(sessionId: string): TimelineEntry[] {
    return this.all([sessionId], 'SELECT * FROM captures WHERE session_id = ? ORDER BY seq').map(
      timelineFromRow,
    );
  }

  responseOfTrace(traceId: string): string | undefined {
    const sql = 'SELECT response_id FROM captures WHERE trace_id = ? ORDER BY seq DESC';
    const row = this.get([traceId.toLowerCase()], sql);
    return row ? String(row.response_id) : undefined;
  }

  latestResponse(sessionId: string): string | undefined {
    const sql = 'SELECT id FROM responses WHERE session_id = ? ORDER BY opened_at DESC, rowid DESC';
    const row = this.get([sessionId], sql);
    return row ? String(row.id) : undefined;
  }

  /** Rows of the first schema and chunks, by time; `seq` is the message's position in the session. */
  messages(sessionId: string): RecordedMessage[] {
    const rows = this.all([sessionId], 'SELECT * FROM messages WHERE session_id = ? ORDER BY seq');
    const sql = 'SELECT messages FROM message_chunks WHERE session_id = ? ORDER BY seq';
    const all = rows.map(messageFromRow);
    for (const chunk of this.all([sessionId], sql)) all.push(...messagesFromChunk(chunk));
    // An exchange's messages are stored together when it ends; by time, concurrent exchanges
    // interleave as they crossed (the sort is stable: ties keep the recorded order).
    all.sort((a, b) => a.at - b.at);
    all.forEach((m, i) => {
      m.seq = i + 1;
    });
    return all;
  }

  sessions(limit: number): SessionSummary[] {
    return this.all(
      [limit],
      `SELECT c.session_id, max(r.principal) AS principal, min(c.at) AS first_at,
         max(c.at) AS last_at, count(*) AS captures, count(DISTINCT c.response_id) AS responses
       FROM captures c LEFT JOIN responses r ON r.id = c.response_id
       GROUP BY c.session_id ORDER BY last_at DESC LIMIT ?`,
    ).map((r) => ({
      sessionId: String(r.session_id),
      principal: r.principal === null ? null : String(r.principal),
      firstAt: Number(r.first_at),
      lastAt: Number(r.last_at),
      captures: Number(r.captures),
      responses: Number(r.responses),
    }));
  }

  retain(options: { before: number; maxSizeBytes?: number }): RetentionResult {
    return this.read(emptyRetention(), (d) => retain(d, options));
  }

  close(): void {
    this.writer?.close();
    this.writer = undefined;
    const { db } = this;
    if (!db) return;
    try {
      db.pragma('wal_checkpoint(TRUNCATE)');
    } catch (e) {
      this.report(e);
    }
    db.close();
    this.db = undefined;
    this.applier = undefined;
    this.openError = new Error('The trace store is closed');
  }

  private reported(result: ApplyResult): ApplyResult {
    if (result.error) this.report(result.error);
    return result;
  }

  private report(e: unknown): void {
    this.options.onError?.(asError(e));
  }

  /** Runs a read; a broken or closed store, or a failing read, gives `fallback`. */
  private read<T>(fallback: T, fn: (d: Database.Database) => T): T {
    if (!this.db) return fallback;
    try {
      return fn(this.db);
    } catch (e) {
      this.report(e);
      return fallback;
    }
  }

  private all(params: unknown, sql: string): Row[] {
    return this.read([], (d) => d.prepare(sql).all(params as unknown[]) as Row[]);
  }

  private get(params: unknown, sql: string): Row | undefined {
    return this.read(undefined, (d) => d.prepare(sql).get(params as unknown[]) as Row | undefined);
  }
}
