import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  answerFromRow,
  feedbackFromRow,
  messageFromRow,
  responseFromRow,
  timelineFromRow,
  traceIdOf,
  unitFromRow,
} from './internal/sqlite-rows.js';
import { migrate } from './internal/sqlite-schema.js';
import type {
  ApplyResult,
  RetentionResult,
  TraceStore,
  TraceWrite,
  UnitIndexEntry,
} from './store.js';

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
 * The SQLite trace store (better-sqlite3): WAL with `synchronous=NORMAL` (a process crash loses
 * no committed batch), foreign keys on, migrations by `user_version`, each batch in one
 * transaction with a savepoint per write so that one bad write drops only itself. A database that
 * cannot be opened gives a store that drops (and counts) every write and reads as empty; it never
 * throws.
 */
export function openSqliteStore(options: SqliteStoreOptions): TraceStore {
  const report = (e: unknown) => options.onError?.(asError(e));
  let db: Database.Database | undefined;
  let st: Statements | undefined;
  let openError: Error | undefined;
  try {
    db = openDatabase(options);
    st = prepare(db);
  } catch (e) {
    openError = asError(e);
    report(openError);
  }

  const read = <T>(fallback: T, fn: (d: Database.Database) => T): T => {
    if (!db) return fallback;
    try {
      return fn(db);
    } catch (e) {
      report(e);
      return fallback;
    }
  };
  const all = (d: Database.Database, sql: string, ...params: unknown[]) =>
    d.prepare(sql).all(...params) as Row[];

  return {
    apply(writes: readonly TraceWrite[]): ApplyResult {
      if (writes.length === 0) return { applied: 0, dropped: 0 };
      if (!db || !st) {
        return { applied: 0, dropped: writes.length, error: openError ?? new Error('closed') };
      }
      const d = db;
      const statements = st;
      let applied = 0;
      let dropped = 0;
      let error: Error | undefined;
      const one = d.transaction((w: TraceWrite) => write(statements, w));
      try {
        d.transaction(() => {
          for (const w of writes) {
            try {
              one(w);
              applied++;
            } catch (e) {
              // SQLite may roll back the whole transaction itself (disk full, I/O error): then
              // nothing of the batch is stored and the rest must not run in autocommit mode.
              if (!d.inTransaction) throw e;
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
      if (error) report(error);
      return error ? { applied, dropped, error } : { applied, dropped };
    },
    unitIndex: () =>
      read([], (d) =>
        all(
          d,
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
        })),
      ),
    units: (ids) =>
      read([], (d) =>
        ids.length === 0
          ? []
          : all(d, `SELECT * FROM units WHERE id IN (${ids.map(() => '?').join(',')})`, ...ids).map(
              unitFromRow,
            ),
      ),
    unitVersions: (sourceKey) =>
      read([], (d) =>
        all(d, 'SELECT * FROM units WHERE source_key = ? ORDER BY version', sourceKey).map(
          unitFromRow,
        ),
      ),
    unitImpact: (unitId, { minWeight = 0, limit = 100 }) =>
      read([], (d) =>
        all(
          d,
          `SELECT l.response_id, l.weight, r.session_id, r.closed_at FROM lineage l
           JOIN responses r ON r.id = l.response_id WHERE l.unit_id = ? AND l.weight >= ?
           ORDER BY coalesce(r.closed_at, r.opened_at) DESC LIMIT ?`,
          unitId,
          minWeight,
          limit,
        ).map((r) => ({
          responseId: String(r.response_id),
          sessionId: String(r.session_id),
          weight: Number(r.weight),
          closedAt: r.closed_at === null ? null : Number(r.closed_at),
        })),
      ),
    responses: ({ sessionId, since, until, limit = 100 }) =>
      read([], (d) =>
        all(
          d,
          `SELECT * FROM responses WHERE (@sessionId IS NULL OR session_id = @sessionId)
           AND (@since IS NULL OR opened_at >= @since) AND (@until IS NULL OR opened_at < @until)
           ORDER BY opened_at DESC, rowid DESC LIMIT @limit`,
          { sessionId: sessionId ?? null, since: since ?? null, until: until ?? null, limit },
        ).map(responseFromRow),
      ),
    response: (id) =>
      read(undefined, (d) => {
        const row = d.prepare('SELECT * FROM responses WHERE id = ?').get(id) as Row | undefined;
        return row ? responseFromRow(row) : undefined;
      }),
    lineage: (responseId) =>
      read([], (d) =>
        all(
          d,
          'SELECT unit_id, weight, retrieval FROM lineage WHERE response_id = ? ORDER BY weight DESC',
          responseId,
        ).map((r) => ({
          unitId: String(r.unit_id),
          weight: Number(r.weight),
          retrieval: Number(r.retrieval),
        })),
      ),
    answer: (responseId) =>
      read(undefined, (d) => {
        const row = d
          .prepare('SELECT * FROM answers WHERE response_id = ? ORDER BY at DESC, rowid DESC')
          .get(responseId) as Row | undefined;
        return row ? answerFromRow(row) : undefined;
      }),
    feedback: ({ responseId, since, limit = 100 }) =>
      read([], (d) =>
        all(
          d,
          `SELECT * FROM feedback WHERE (@responseId IS NULL OR response_id = @responseId)
           AND (@since IS NULL OR at >= @since) ORDER BY at DESC, rowid DESC LIMIT @limit`,
          { responseId: responseId ?? null, since: since ?? null, limit },
        ).map(feedbackFromRow),
      ),
    scoredUnits: ({ min, max, limit }) =>
      read([], (d) =>
        min !== undefined
          ? all(
              d,
              `SELECT * FROM units WHERE feedback_count > 0 AND score >= ?
               ORDER BY score DESC, feedback_count DESC LIMIT ?`,
              min,
              limit,
            ).map(unitFromRow)
          : all(
              d,
              `SELECT * FROM units WHERE feedback_count > 0 AND score <= ?
               ORDER BY score ASC, feedback_count DESC LIMIT ?`,
              max ?? -1,
              limit,
            ).map(unitFromRow),
      ),
    timeline: (sessionId) =>
      read([], (d) =>
        all(d, 'SELECT * FROM captures WHERE session_id = ? ORDER BY seq', sessionId).map(
          timelineFromRow,
        ),
      ),
    responseOfTrace: (traceId) =>
      read(undefined, (d) => {
        const row = d
          .prepare('SELECT response_id FROM captures WHERE trace_id = ? ORDER BY seq DESC')
          .get(traceId.toLowerCase()) as Row | undefined;
        return row ? String(row.response_id) : undefined;
      }),
    latestResponse: (sessionId) =>
      read(undefined, (d) => {
        const row = d
          .prepare(
            'SELECT id FROM responses WHERE session_id = ? ORDER BY opened_at DESC, rowid DESC',
          )
          .get(sessionId) as Row | undefined;
        return row ? String(row.id) : undefined;
      }),
    messages: (sessionId) =>
      read([], (d) =>
        all(d, 'SELECT * FROM messages WHERE session_id = ? ORDER BY seq', sessionId).map(
          messageFromRow,
        ),
      ),
    sessions: (limit) =>
      read([], (d) =>
        all(
          d,
          `SELECT c.session_id, max(r.principal) AS principal, min(c.at) AS first_at,
             max(c.at) AS last_at, count(*) AS captures, count(DISTINCT c.response_id) AS responses
           FROM captures c LEFT JOIN responses r ON r.id = c.response_id
           GROUP BY c.session_id ORDER BY last_at DESC LIMIT ?`,
          limit,
        ).map((r) => ({
          sessionId: String(r.session_id),
          principal: r.principal === null ? null : String(r.principal),
          firstAt: Number(r.first_at),
          lastAt: Number(r.last_at),
          captures: Number(r.captures),
          responses: Number(r.responses),
        })),
      ),
    retain: (opts) => read(emptyRetention(), (d) => retain(d, opts)),
    close() {
      if (!db) return;
      try {
        db.pragma('wal_checkpoint(TRUNCATE)');
      } catch (e) {
        report(e);
      }
      db.close();
      db = undefined;
      st = undefined;
      openError = new Error('The trace store is closed');
    },
  };
}

const emptyRetention = (): RetentionResult => ({
  responses: 0,
  units: 0,
  captures: 0,
  messages: 0,
});

const usedBytes = (d: Database.Database): number =>
  ((d.pragma('page_count', { simple: true }) as number) -
    (d.pragma('freelist_count', { simple: true }) as number)) *
  (d.pragma('page_size', { simple: true }) as number);

/**
 * Age first: closed responses (with their lineage, feedback and answers), captures and messages
 * older than `before`, then units no response refers to that were last seen before it. Then, while
 * the used pages exceed `maxSizeBytes`, the oldest fifth of each again.
 */
function retain(
  d: Database.Database,
  { before, maxSizeBytes }: { before: number; maxSizeBytes?: number },
): RetentionResult {
  const result = emptyRetention();
  const sweep = (cut: { responses: number; captures: number; messages: number; units: number }) =>
    d.transaction(() => {
      result.responses += d
        .prepare("DELETE FROM responses WHERE status = 'closed' AND closed_at < ?")
        .run(cut.responses).changes;
      result.captures += d.prepare('DELETE FROM captures WHERE at < ?').run(cut.captures).changes;
      result.messages += d.prepare('DELETE FROM messages WHERE at < ?').run(cut.messages).changes;
      result.units += d
        .prepare(
          `DELETE FROM units WHERE last_seen < ?
           AND NOT EXISTS (SELECT 1 FROM lineage l WHERE l.unit_id = units.id)`,
        )
        .run(cut.units).changes;
    })();
  sweep({ responses: before, captures: before, messages: before, units: before });
  const quantile = (table: string, column: string, where = '1'): number => {
    const row = d
      .prepare(
        `SELECT ${column} AS v FROM ${table} WHERE ${where} ORDER BY ${column}
         LIMIT 1 OFFSET (SELECT count(*) / 5 FROM ${table} WHERE ${where})`,
      )
      .get() as Row | undefined;
    return row ? Number(row.v) + 1 : Number.NEGATIVE_INFINITY;
  };
  for (let round = 0; maxSizeBytes !== undefined && round < 40; round++) {
    if (usedBytes(d) <= maxSizeBytes) break;
    const before = { ...result };
    sweep({
      responses: quantile('responses', 'closed_at', "status = 'closed'"),
      captures: quantile('captures', 'at'),
      messages: quantile('messages', 'at'),
      units: quantile('units', 'last_seen'),
    });
    if (JSON.stringify(before) === JSON.stringify(result)) break;
  }
  d.pragma('incremental_vacuum');
  return result;
}
