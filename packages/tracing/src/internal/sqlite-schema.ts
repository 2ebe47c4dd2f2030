import type Database from 'better-sqlite3';

/**
 * Schema migrations, applied in order; `PRAGMA user_version` holds how many have run. A new
 * migration is appended, never edited, so a database of any earlier version upgrades in place.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE units (
    id TEXT PRIMARY KEY,
    source_key TEXT NOT NULL,
    server TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    arguments_hash TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    type TEXT NOT NULL,
    version INTEGER NOT NULL,
    previous_version_id TEXT REFERENCES units(id) ON DELETE SET NULL,
    size_bytes INTEGER NOT NULL,
    tokens INTEGER NOT NULL,
    summary TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    seen_count INTEGER NOT NULL DEFAULT 1,
    score REAL NOT NULL DEFAULT 0,
    score_weight REAL NOT NULL DEFAULT 0,
    feedback_count INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX units_source ON units(source_key, version);
  CREATE INDEX units_score ON units(feedback_count, score);
  CREATE INDEX units_last_seen ON units(last_seen);
  CREATE INDEX units_previous ON units(previous_version_id);

  CREATE TABLE responses (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    principal TEXT,
    status TEXT NOT NULL,
    opened_at INTEGER NOT NULL,
    closed_at INTEGER,
    close_reason TEXT,
    unit_count INTEGER NOT NULL DEFAULT 0,
    agent TEXT,
    model TEXT
  );
  CREATE INDEX responses_session ON responses(session_id, opened_at);
  CREATE INDEX responses_opened ON responses(opened_at);

  CREATE TABLE lineage (
    response_id TEXT NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
    unit_id TEXT NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    weight REAL NOT NULL,
    retrieval REAL NOT NULL,
    PRIMARY KEY (response_id, unit_id)
  );
  CREATE INDEX lineage_unit ON lineage(unit_id);

  CREATE TABLE feedback (
    id TEXT PRIMARY KEY,
    response_id TEXT NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
    score REAL NOT NULL,
    feedback_text TEXT,
    user_id TEXT,
    at INTEGER NOT NULL
  );
  CREATE INDEX feedback_at ON feedback(at);
  CREATE INDEX feedback_response ON feedback(response_id);

  CREATE TABLE answers (
    id TEXT PRIMARY KEY,
    response_id TEXT NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
    at INTEGER NOT NULL,
    agent TEXT,
    model TEXT,
    unit_ids TEXT NOT NULL,
    citations TEXT NOT NULL
  );
  CREATE INDEX answers_response ON answers(response_id, at);

  CREATE TABLE captures (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    request_id TEXT,
    tool_call_id TEXT,
    traceparent TEXT,
    trace_id TEXT,
    server TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    response_id TEXT NOT NULL
  );
  CREATE INDEX captures_session ON captures(session_id, seq);
  CREATE INDEX captures_trace ON captures(trace_id);
  CREATE INDEX captures_at ON captures(at);

  CREATE TABLE messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    hop TEXT NOT NULL,
    direction TEXT NOT NULL,
    server TEXT,
    message TEXT NOT NULL
  );
  CREATE INDEX messages_session ON messages(session_id, seq);
  CREATE INDEX messages_at ON messages(at);
  `,
  // Messages are stored in chunks: those of one session in one batch (up to a bound) share a row,
  // a JSON array of [at, hop, direction, server, message]. Rows of `messages` are still read.
  // Fewer index entries per capture: units without feedback, units without a previous version and
  // captures without a trace id are left out of the indexes that only look for the others, and
  // retention scans units instead of keeping an index on last_seen that every capture moves.
  `
  DROP INDEX units_score;
  CREATE INDEX units_score ON units(score, feedback_count) WHERE feedback_count > 0;
  DROP INDEX units_previous;
  CREATE INDEX units_previous ON units(previous_version_id) WHERE previous_version_id IS NOT NULL;
  DROP INDEX units_last_seen;
  DROP INDEX captures_trace;
  CREATE INDEX captures_trace ON captures(trace_id) WHERE trace_id IS NOT NULL;
  CREATE TABLE message_chunks (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL,
    first_at INTEGER NOT NULL,
    last_at INTEGER NOT NULL,
    count INTEGER NOT NULL,
    messages TEXT NOT NULL
  );
  CREATE INDEX message_chunks_session ON message_chunks(session_id, seq);
  CREATE INDEX message_chunks_at ON message_chunks(last_at);
  `,
  // A new source's key is a hash, so every new unit put its index entry on a random page of
  // units_source, and each commit wrote as many index pages as it had new units (twice the
  // writer's work per capture once the index outgrew the page cache). Only the versions after the
  // first are indexed now; a first version is found through its successor's previous_version_id.
  `
  DROP INDEX units_source;
  CREATE INDEX units_source ON units(source_key, version) WHERE version > 1;
  `,
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the database to {@link SCHEMA_VERSION}, each migration in one transaction. */
export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new Error(
      `Trace database schema ${current} is newer than this Switchyard (${SCHEMA_VERSION})`,
    );
  }
  for (let version = current; version < SCHEMA_VERSION; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version] as string);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
