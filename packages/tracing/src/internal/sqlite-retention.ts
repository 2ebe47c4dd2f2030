import type Database from 'better-sqlite3';
import type { RetentionResult } from '../store.js';

type Row = Record<string, unknown>;

export const emptyRetention = (): RetentionResult => ({
  responses: 0,
  units: 0,
  captures: 0,
  messages: 0,
});

/** Bytes in pages that hold data (the file may be larger until the free pages are vacuumed). */
const usedBytes = (d: Database.Database): number =>
  ((d.pragma('page_count', { simple: true }) as number) -
    (d.pragma('freelist_count', { simple: true }) as number)) *
  (d.pragma('page_size', { simple: true }) as number);

interface Cutoffs {
  responses: number;
  captures: number;
  messages: number;
  /** Message chunks whose last message is older than this. */
  chunks: number;
  units: number;
}

function sweep(d: Database.Database, cut: Cutoffs, result: RetentionResult): void {
  d.transaction(() => {
    // Deleting a response cascades to its lineage, feedback and answers.
    result.responses += d
      .prepare("DELETE FROM responses WHERE status = 'closed' AND closed_at < ?")
      .run(cut.responses).changes;
    result.captures += d.prepare('DELETE FROM captures WHERE at < ?').run(cut.captures).changes;
    result.messages += d.prepare('DELETE FROM messages WHERE at < ?').run(cut.messages).changes;
    const chunks = 'FROM message_chunks WHERE last_at < ?';
    const row = d.prepare(`SELECT coalesce(sum(count), 0) AS n ${chunks}`).get(cut.chunks) as Row;
    d.prepare(`DELETE ${chunks}`).run(cut.chunks);
    result.messages += Number(row.n);
    result.units += d
      .prepare(
        `DELETE FROM units WHERE last_seen < ?
         AND NOT EXISTS (SELECT 1 FROM lineage l WHERE l.unit_id = units.id)`,
      )
      .run(cut.units).changes;
  })();
}

/** The value just past the oldest fifth of a table's rows (by `column`). */
function fifth(d: Database.Database, table: string, column: string, where = '1'): number {
  const row = d
    .prepare(
      `SELECT ${column} AS v FROM ${table} WHERE ${where} ORDER BY ${column}
       LIMIT 1 OFFSET (SELECT count(*) / 5 FROM ${table} WHERE ${where})`,
    )
    .get() as Row | undefined;
  return row ? Number(row.v) + 1 : Number.NEGATIVE_INFINITY;
}

/**
 * Age first: closed responses (with their lineage, feedback and answers), captures and messages
 * older than `before`, and units that no response refers to, last seen before it. Then, while the
 * used pages exceed `maxSizeBytes`, the oldest fifth of each again. Free pages go back to the
 * file system with `incremental_vacuum` (the schema is created with `auto_vacuum=INCREMENTAL`).
 */
export function retain(
  d: Database.Database,
  { before, maxSizeBytes }: { before: number; maxSizeBytes?: number },
): RetentionResult {
  const result = emptyRetention();
  const age = { responses: before, captures: before, messages: before, chunks: before };
  sweep(d, { ...age, units: before }, result);
  for (let round = 0; maxSizeBytes !== undefined && round < 40; round++) {
    if (usedBytes(d) <= maxSizeBytes) break;
    const total = () => result.responses + result.units + result.captures + result.messages;
    const removedBefore = total();
    const cut: Cutoffs = {
      responses: fifth(d, 'responses', 'closed_at', "status = 'closed'"),
      captures: fifth(d, 'captures', 'at'),
      messages: fifth(d, 'messages', 'at'),
      chunks: fifth(d, 'message_chunks', 'last_at'),
      units: fifth(d, 'units', 'last_seen'),
    };
    sweep(d, cut, result);
    if (total() === removedBefore) break;
  }
  d.pragma('incremental_vacuum');
  return result;
}
