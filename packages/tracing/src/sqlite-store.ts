import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { emptyRetention, retain } from './internal/sqlite-retention.js';
import {
  answerFromRow,
  feedbackFromRow,
  messageFromRow,
  responseFromRow,
  timelineFromRow,
  traceIdOf,
  unitFromRow,
} from './internal/sqlite-rows.js';
import { migrate, SCHEMA_VERSION } from './internal/sqlite-schema.js';
import type {
  ApplyResult,
  RetentionResult,
  StoredUnit,
  TraceStore,
  TraceWrite,
  UnitIndexEntry,
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
}

type Row = Record<string, unknown>;
type Statements = ReturnType<typeof prepare>;

const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

function prepare(db: Database.Database) {
  const s = (sql: string) => db.prepare(sql);
  return {
    insertUnit: s(`INSERT INTO units (id, source_key, server, kind, name, arguments_hash,
      content_hash, type, version, previous_version_id, size_bytes, tokens, summary, first_seen,
      last_seen, seen_count, score, score_weight, feedback_count)
      VALUES (@id, @sourceKey, @server, @kind, @name, @argumentsHash, @contentHash, @type, @version,
      @previousVersionId, @sizeBytes, @tokens, @summary, @firstSeen, @lastSeen, @seenCount, @score,
      @scoreWeight, @feedbackCount)
      ON CONFLICT(id) DO UPDATE SET last_seen = max(last_seen, excluded.last_seen)`),
    seen: s(
      'UPDATE units SET last_seen = max(last_seen, ?), seen_count = seen_count + 1 WHERE id = ?',
    ),
    insertCapture: s(`INSERT INTO captures (session_id, at, request_id, tool_call_id, traceparent,
      trace_id, server, kind, name, unit_id, response_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    upsertResponse: s(`INSERT INTO responses (id, session_id, principal, status, opened_at,
      closed_at, close_reason, unit_count, agent, model) VALUES (@id, @sessionId, @principal,
      @status, @openedAt, @closedAt, @closeReason, @unitCount, @agent, @model)
      ON CONFLICT(id) DO UPDATE SET status = excluded.status, closed_at = excluded.closed_at,
      close_reason = excluded.close_reason, unit_count = excluded.unit_count,
      agent = coalesce(excluded.agent, agent), model = coalesce(excluded.model, model)`),
    deleteLineage: s('DELETE FROM lineage WHERE response_id = ?'),
    insertLineage: s(
      'INSERT INTO lineage (response_id, unit_id, weight, retrieval) VALUES (?, ?, ?, ?)',
    ),
    insertFeedback: s(`INSERT INTO feedback (id, response_id, score, feedback_text, user_id, at)
      VALUES (?, ?, ?, ?, ?, ?)`),
    setScore: s('UPDATE units SET score = ?, score_weight = ?, feedback_count = ? WHERE id = ?'),
    insertAnswer: s(`INSERT INTO answers (id, response_id, at, agent, model, unit_ids, citations)
      VALUES (?, ?, ?, ?, ?, ?, ?)`),
    insertMessage: s(`INSERT INTO messages (session_id, at, hop, direction, server, message)
      VALUES (?, ?, ?, ?, ?, ?)`),
  };
}

function write(st: Statements, w: TraceWrite): void {
  switch (w.type) {
    case 'unit':
      st.insertUnit.run(w.unit);
      return;
    case 'seen':
      st.seen.run(w.at, w.unitId);
      return;
    case 'capture': {
      const c = w.capture;
      st.insertCapture.run(
        c.sessionId,
        c.at,
        c.requestId === null ? null : JSON.stringify(c.requestId),
        c.toolCallId,
        c.traceparent,
        traceIdOf(c.traceparent),
        c.server,
        c.kind,
        c.name,
        c.unitId,
        c.responseId,
      );
      return;
    }
    case 'response':
      st.upsertResponse.run(w.response);
      return;
    case 'lineage':
      st.deleteLineage.run(w.responseId);
      for (const e of w.entries)
        st.insertLineage.run(w.responseId, e.unitId, e.weight, e.retrieval);
      return;
    case 'feedback': {
      const f = w.feedback;
      st.insertFeedback.run(f.id, f.responseId, f.score, f.feedbackText, f.userId, f.at);
      for (const u of w.scores) st.setScore.run(u.score, u.scoreWeight, u.feedbackCount, u.unitId);
      return;
    }
    case 'answer': {
      const a = w.answer;
      st.insertAnswer.run(
        a.id,
        a.responseId,
        a.at,
        a.agent,
        a.model,
        JSON.stringify(a.unitIds),
        JSON.stringify(a.citations),
      );
      return;
    }
    case 'message':
      st.insertMessage.run(w.sessionId, w.at, w.hop, w.direction, w.server, w.json);
      return;
  }
}

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
  private st: Statements | undefined;
  private openError: Error | undefined;

  constructor(private readonly options: SqliteStoreOptions) {
    try {
      this.db = openDatabase(options);
      this.st = prepare(this.db);
    } catch (e) {
      this.openError = asError(e);
      this.report(this.openError);
      this.db = openReadOnly(options.file);
      if (this.db) this.st = prepare(this.db);
    }
  }

  apply(writes: readonly TraceWrite[]): ApplyResult {
    if (writes.length === 0) return { applied: 0, dropped: 0 };
    const { db, st } = this;
    if (!db || !st) {
      return { applied: 0, dropped: writes.length, error: this.openError ?? new Error('closed') };
    }
    let applied = 0;
    let dropped = 0;
    let error: Error | undefined;
    const one = db.transaction((w: TraceWrite) => write(st, w));
    try {
      db.transaction(() => {
        for (const w of writes) {
          try {
            one(w);
            applied++;
          } catch (e) {
            // SQLite may roll back the whole transaction itself (disk full, I/O error): then
            // nothing of the batch is stored and the rest must not run in autocommit mode.
            if (!db.inTransaction) throw e;
            dropped++;
            error ??= asError(e);
          }
        }
      })();
    } catch (e) {
      applied = 0;
      dropped = writes.length;
      error ??= asError(e);
    }
    if (error) this.report(error);
    return error ? { applied, dropped, error } : { applied, dropped };
  }

  unitIndex(): UnitIndexEntry[] {
    return this.all(
      [],
      'SELECT id, source_key, content_hash, version, type, kind, tokens, first_seen FROM units',
    ).map((r) => ({
      id: String(r.id),
      sourceKey: String(r.source_key),
      contentHash: String(r.content_hash),
      version: Number(r.version),
      type: String(r.type) as UnitIndexEntry['type'],
      kind: String(r.kind) as UnitIndexEntry['kind'],
      tokens: Number(r.tokens),
      firstSeen: Number(r.first_seen),
    }));
  }

  units(ids: readonly string[]): StoredUnit[] {
    if (ids.length === 0) return [];
    const marks = ids.map(() => '?').join(',');
    return this.all(ids, `SELECT * FROM units WHERE id IN (${marks})`).map(unitFromRow);
  }

  unitVersions(sourceKey: string): StoredUnit[] {
    return this.all([sourceKey], 'SELECT * FROM units WHERE source_key = ? ORDER BY version').map(
      unitFromRow,
    );
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

  messages(sessionId: string): RecordedMessage[] {
    return this.all([sessionId], 'SELECT * FROM messages WHERE session_id = ? ORDER BY seq').map(
      messageFromRow,
    );
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
    const { db } = this;
    if (!db) return;
    try {
      db.pragma('wal_checkpoint(TRUNCATE)');
    } catch (e) {
      this.report(e);
    }
    db.close();
    this.db = undefined;
    this.st = undefined;
    this.openError = new Error('The trace store is closed');
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
