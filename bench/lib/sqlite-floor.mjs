// The least CPU that storing context tracing's rows in SQLite costs per traced call on this
// machine (docs/performance.md, "Tracing cost", seventh round): a lower bound for any SQLite store
// of docs/tracing.md's model, measured next to the tracing bench's figures.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { statCpuMs } from './proc-cpu.mjs';

/** CPU µs the calling thread has used: /proc/thread-self on Linux, else the whole process. */
function threadCpuUs() {
  const ms = statCpuMs('/proc/thread-self/stat');
  if (!Number.isNaN(ms)) return ms * 1000;
  const { user, system } = process.cpuUsage();
  return user + system;
}

/**
 * CPU µs per traced call of SQLite alone, with the least schema the model needs: a unit row
 * found by its id (a content hash, so each new id lands at a random place in the index, as
 * Switchyard's do), a capture row found by session, and the unit's row in its response (found
 * by response and by unit, for a unit's impact), in WAL mode with `synchronous = NORMAL`
 * and transactions of `perBatch` calls (the tracer's writer commits every 200 ms: 320 calls at
 * 1,600 requests/s). `existing` units are stored first, as in a store that has run for a while.
 * No version link, size, type, response row or hop messages: Switchyard's own rows cost more.
 */
export function sqliteFloor(dir, { existing = 100_000, perBatch = 320, batches = 60 } = {}) {
  const file = join(dir, 'floor.db');
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('cache_size = -32768'); // the tracing writer's own page cache
    db.exec(`CREATE TABLE units (id TEXT PRIMARY KEY, seen INTEGER NOT NULL, summary TEXT NOT NULL);
      CREATE TABLE captures (seq INTEGER PRIMARY KEY, session_id TEXT NOT NULL, at INTEGER NOT NULL,
        unit_id TEXT NOT NULL);
      CREATE INDEX captures_session ON captures(session_id, seq);
      CREATE TABLE lineage (response_id TEXT NOT NULL, unit_id TEXT NOT NULL, weight REAL NOT NULL,
        PRIMARY KEY (response_id, unit_id));
      CREATE INDEX lineage_unit ON lineage(unit_id);`);
    const unit = db.prepare('INSERT INTO units (id, seen, summary) VALUES (?, ?, ?)');
    const capture = db.prepare('INSERT INTO captures (session_id, at, unit_id) VALUES (?, ?, ?)');
    const lineage = db.prepare(
      'INSERT INTO lineage (response_id, unit_id, weight) VALUES (?, ?, ?)',
    );
    const summary = `Echo: ${'x'.repeat(64)}`;
    let n = 0;
    // 0: the unit alone; 1: and its capture; 2: and its row in a closed response.
    const batch = db.transaction((ids, rows) => {
      for (const id of ids) {
        unit.run(id, ++n, summary);
        if (rows > 0) capture.run(`s-${n % 8}`, n, id);
        if (rows > 1)
          lineage.run(`resp_${String(Math.floor(n / 100)).padStart(10, '0')}`, id, 0.01);
      }
    });
    // Ids are made before the clock starts: hashing is the tracer's work, not SQLite's.
    const ids = (count) =>
      Array.from({ length: count }, () => `ctx_${randomBytes(16).toString('hex')}`);
    for (let stored = 0; stored < existing; stored += perBatch) batch(ids(perBatch), 2);
    const per = (rows) => {
      const all = Array.from({ length: batches }, () => ids(perBatch));
      const before = threadCpuUs();
      for (const each of all) batch(each, rows);
      return (threadCpuUs() - before) / (batches * perBatch);
    };
    const unitOnly = per(0);
    const unitAndCapture = per(1);
    const withLineage = per(2);
    return { unitOnly, unitAndCapture, withLineage, existing, perBatch };
  } finally {
    db.close();
    rmSync(file, { force: true });
    rmSync(`${file}-wal`, { force: true });
    rmSync(`${file}-shm`, { force: true });
  }
}
