import type Database from 'better-sqlite3';

/** One statement run: the index of its SQL in the list the applier was made with, and its params. */
export type Op = [statement: number, params: unknown];

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
  const statements = sql.map((text) => db.prepare(text));
  const run = (ops: ReadonlyArray<readonly [number, unknown]>) => {
    for (const [index, params] of ops) {
      const statement = statements[index];
      if (!statement) throw new Error(`No statement ${index}`);
      if (params === undefined) statement.run();
      else statement.run(params as unknown[]);
    }
  };
  const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
  type Groups = ReadonlyArray<ReadonlyArray<readonly [number, unknown]>>;
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

  /** Applies `batch`; group i stands for `weights[i]` (default 1) writes in the counts. */
  return (batch: Groups, weights: readonly number[] = []): BatchOutcome => {
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
