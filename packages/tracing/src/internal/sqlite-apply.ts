import type Database from 'better-sqlite3';

/** A value bound to a statement parameter. */
export type Value = string | number | null;

/**
 * A batch as one flat list of plain values (cheap to send to another thread): for each group of
 * statement runs that stands or falls together, its weight (how many writes it stands for) and
 * its number of runs; for each run, the index of its SQL in the applier's list, its number of
 * parameters and the parameters.
 */
export type FlatBatch = Value[];

/** The outcome of a batch, as plain data (it crosses from the writer thread). */
export interface BatchOutcome {
  applied: number;
  dropped: number;
  error?: string;
}

/**
 * Applies batches of writes (each write a list of statement runs) to `db`: the whole batch in one
 * transaction, and only when a write fails, again with a savepoint per write so that the failing
 * one drops only itself. When SQLite rolls back the transaction by itself (full disk, I/O error),
 * the batch is dropped whole.
 *
 * Self-contained on purpose: its source text is also what the writer thread runs
 * (`worker-writer.ts`), so it refers to nothing outside its own body.
 */
export function createApplier(db: Database.Database, sql: readonly string[]) {
  type Run = [statement: number, params: Value[]];
  type Groups = Run[][];
  const statements = sql.map((text) => db.prepare(text));
  const run = (ops: Run[]) => {
    for (const [index, params] of ops) {
      const statement = statements[index];
      if (!statement) throw new Error(`No statement ${index}`);
      statement.run(params);
    }
  };
  const decode = (flat: FlatBatch) => {
    const groups: Groups = [];
    const weights: number[] = [];
    let i = 0;
    while (i < flat.length) {
      weights.push(Number(flat[i++]));
      const runs: Run[] = [];
      for (let n = Number(flat[i++]); n > 0; n--) {
        const index = Number(flat[i++]);
        const count = Number(flat[i++]);
        runs.push([index, flat.slice(i, i + count)]);
        i += count;
      }
      groups.push(runs);
    }
    return { groups, weights };
  };
  const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
  const all = db.transaction((batch: Groups) => {
    for (const ops of batch) run(ops);
  });
  const one = db.transaction(run);

  const carefully = (batch: Groups, weights: readonly number[], total: number) => {
    let applied = 0;
    let dropped = 0;
    let error: string | undefined;
    try {
      db.transaction(() => {
        batch.forEach((ops, i) => {
          const weight = weights[i] ?? 1;
          try {
            one(ops);
            applied += weight;
          } catch (e) {
            // SQLite may have rolled back the whole transaction itself: then nothing of the batch
            // is stored and the rest must not run in autocommit mode.
            if (!db.inTransaction) throw e;
            dropped += weight;
            error ??= message(e);
          }
        });
      })();
    } catch (e) {
      applied = 0;
      dropped = total;
      error ??= message(e);
    }
    return error === undefined ? { applied, dropped } : { applied, dropped, error };
  };

  /** Applies a batch; its counts are in writes (the groups' weights). */
  return (flat: FlatBatch): BatchOutcome => {
    const { groups: batch, weights } = decode(flat);
    let total = 0;
    for (let i = 0; i < batch.length; i++) total += weights[i] ?? 1;
    if (total === 0) return { applied: 0, dropped: 0 };
    try {
      all(batch);
      return { applied: total, dropped: 0 };
    } catch {
      return carefully(batch, weights, total);
    }
  };
}
