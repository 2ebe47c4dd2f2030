import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { until } from '@switchyard/protocol/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../sqlite-store.js';
import type { TraceWrite } from '../store.js';
import { planBatch, WRITE_SQL } from './sqlite-writes.js';
import { WorkerWriter } from './worker-writer.js';

const scratch = mkdtempSync(join(tmpdir(), 'switchyard-writer-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const message = (sessionId: string, at: number): TraceWrite => ({
  type: 'message',
  sessionId,
  at,
  hop: 'client',
  direction: 'in',
  server: null,
  json: JSON.stringify({ at }),
});

/** A migrated database file and a writer thread on it. */
function setup(name: string) {
  const file = join(scratch, name, 'trace.db');
  const store = openSqliteStore({ file, writer: 'inline' });
  const writer = new WorkerWriter({ file, sql: WRITE_SQL });
  return { store, writer };
}

describe('WorkerWriter', () => {
  it('commits a batch on its thread before acknowledging it, and settle waits for it', async () => {
    const { store, writer } = setup('commit');
    const outcome = await writer.post(planBatch([message('a', 1), message('a', 2)]), 2);
    expect(outcome).toEqual({ applied: 2, dropped: 0 });
    expect(store.messages('a').map((m) => m.at)).toEqual([1, 2]);
    void writer.post(planBatch([message('b', 3)]), 1);
    writer.settle();
    expect(store.messages('b')).toHaveLength(1);
    writer.close();
    store.close();
  });

  it('drops and reports what a thread that exits held, and starts a new one for the next batch', async () => {
    const { store, writer } = setup('restart');
    await writer.post(planBatch([message('a', 1)]), 1);
    const thread = (writer as unknown as { worker: Worker }).worker;
    const held = writer.post(planBatch([message('a', 2)]), 1);
    await thread.terminate();
    const outcome = await held;
    // The batch may have been committed just before the thread stopped; it is never both.
    expect(outcome.applied + outcome.dropped).toBe(1);
    if (outcome.dropped === 1) expect(outcome.error).toMatch(/writer thread/);
    expect(await writer.post(planBatch([message('a', 3)]), 1)).toEqual({ applied: 1, dropped: 0 });
    expect(store.messages('a').map((m) => m.at)).toContain(3);
    writer.close();
    store.close();
  });

  it('commits a batch sent in pieces as one, and drops all of one whose thread exited midway', async () => {
    const { store, writer } = setup('pieces');
    const sending = writer.begin();
    writer.part(sending, planBatch([message('p', 1)]));
    writer.part(sending, planBatch([message('p', 2)]));
    expect(await writer.finish(sending, [planBatch([message('p', 3)])], 3)).toEqual({
      applied: 3,
      dropped: 0,
    });
    expect(store.messages('p').map((m) => m.at)).toEqual([1, 2, 3]);

    const cut = writer.begin();
    writer.part(cut, planBatch([message('q', 1)]));
    await (writer as unknown as { worker: Worker }).worker.terminate();
    await until(() => (writer as unknown as { worker?: Worker }).worker === undefined);
    expect(await writer.finish(cut, [planBatch([message('q', 2)])], 2)).toMatchObject({
      applied: 0,
      dropped: 2,
    });
    expect(await writer.post(planBatch([message('q', 3)]), 1)).toEqual({ applied: 1, dropped: 0 });
    expect(store.messages('q').map((m) => m.at)).toEqual([3]);
    writer.close();
    store.close();
  });

  it('drops every batch after close', async () => {
    const { store, writer } = setup('closed');
    writer.close();
    expect(await writer.post(planBatch([message('a', 1)]), 1)).toMatchObject({
      applied: 0,
      dropped: 1,
      error: 'The trace store is closed',
    });
    store.close();
  });
});
