import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ManualClock } from '@switchyard/protocol/testing';
import Database from 'better-sqlite3';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from './sqlite-store.js';
import type { CapturedUnit, TraceWrite } from './store.js';
import { createTracer } from './tracer.js';

const here = dirname(fileURLToPath(import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'switchyard-tracing-'));
/** Crash children still running (a failed test never reached its kill): they write forever. */
const children = new Set<ChildProcess>();
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
});

const unit = (id: string, sourceKey: string): CapturedUnit => ({
  id,
  sourceKey,
  type: 'External',
  server: 'git',
  kind: 'tool',
  name: 'status',
  argumentsHash: 'a',
  contentHash: id,
  sizeBytes: 10,
  tokens: 3,
  summary: 'clean',
  at: 0,
});

const integrity = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return db.pragma('integrity_check', { simple: true });
  } finally {
    db.close();
  }
};

/**
 * The store's module graph as plain JavaScript, next to this package's node_modules (so that the
 * child resolves better-sqlite3), for a child process that runs without the test's TS loader.
 */
function transpileStore(): string {
  const out = join(here, '..', 'node_modules', `.crash-child-${process.pid}`);
  const files = [
    'sqlite-store.ts',
    'internal/sqlite-schema.ts',
    'internal/sqlite-rows.ts',
    'internal/sqlite-retention.ts',
    'internal/sqlite-apply.ts',
    'internal/sqlite-writes.ts',
    'internal/worker-writer.ts',
    'internal/ids.ts',
  ];
  for (const file of files) {
    const source = ts.sys.readFile(join(here, file)) as string;
    const js = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    const target = join(out, file.replace(/\.ts$/, '.js'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, js);
  }
  writeFileSync(join(out, 'package.json'), '{"type":"module"}');
  return out;
}

describe('openSqliteStore', () => {
  it('migrates by user_version and opens again without redoing it', () => {
    const file = join(scratch, 'migrate', 'trace.db');
    const store = openSqliteStore({ file });
    store.apply([{ type: 'unit', unit: unit('ctx_1', 'k') }]);
    store.close();
    const again = openSqliteStore({ file });
    expect(again.units(['ctx_1'])).toHaveLength(1);
    again.close();
    const db = new Database(file);
    expect(db.pragma('user_version', { simple: true })).toBe(3);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.pragma('user_version = 99');
    db.close();
    const errors: Error[] = [];
    const newer = openSqliteStore({ file, onError: (e) => errors.push(e) });
    expect(errors[0]?.message).toMatch(/schema 99 is newer/);
    expect(newer.apply([{ type: 'unit', unit: unit('ctx_2', 'k') }])).toMatchObject({ dropped: 1 });
    expect(newer.units(['ctx_1'])).toEqual([]);
  });

  it('versions the units of a source as it writes them, and counts repeats in a batch once', () => {
    const store = openSqliteStore({ file: ':memory:' });
    // Ids of one source share their first 16 characters (`ctx_` + the source's 12).
    const a = { ...unit('ctx_SOURCEAAAAAAcontentA1111', 'SOURCEAAAAAA'), at: 5 };
    const b = { ...unit('ctx_SOURCEAAAAAAcontentB2222', 'SOURCEAAAAAA'), at: 6 };
    const other = { ...unit('ctx_SOURCEBBBBBBcontentA1111', 'SOURCEBBBBBB'), at: 7 };
    const result = store.apply([
      { type: 'unit', unit: a },
      { type: 'unit', unit: { ...a, at: 9 } },
      { type: 'unit', unit: b },
      { type: 'unit', unit: { ...a, at: 8 } },
      { type: 'unit', unit: other },
    ]);
    expect(result).toEqual({ applied: 5, dropped: 0 });
    const [ua, ub, uo] = store
      .units([a.id, b.id, other.id])
      .sort((x, y) => x.id.localeCompare(y.id));
    expect(ua).toMatchObject({
      version: 1,
      previousVersionId: null,
      seenCount: 3,
      firstSeen: 5,
      lastSeen: 9,
    });
    expect(ub).toMatchObject({ version: 2, previousVersionId: a.id, seenCount: 1 });
    expect(uo).toMatchObject({ version: 1, previousVersionId: null });
    // In a later batch, the same content is seen again; new content is version 3.
    const c = { ...unit('ctx_SOURCEAAAAAAcontentC3333', 'SOURCEAAAAAA'), at: 10 };
    store.apply([
      { type: 'unit', unit: { ...b, at: 10 } },
      { type: 'unit', unit: c },
    ]);
    expect(store.units([b.id])[0]?.seenCount).toBe(2);
    expect(store.units([c.id])[0]).toMatchObject({ version: 3, previousVersionId: b.id });
    expect(store.unitVersions('SOURCEAAAAAA').map((u) => u.version)).toEqual([1, 2, 3]);
    store.close();
  });

  it('replaces a lineage, or adds to it with append', () => {
    const store = openSqliteStore({ file: ':memory:' });
    const response = {
      id: 'resp_1',
      sessionId: 's1',
      principal: null,
      status: 'closed' as const,
      openedAt: 0,
      closedAt: 1,
      closeReason: 'limit' as const,
      unitCount: 3,
      agent: null,
      model: null,
    };
    const entry = (unitId: string, weight: number) => ({ unitId, weight, retrieval: 0.8 });
    store.apply([
      { type: 'unit', unit: unit('ctx_a', 'ka') },
      { type: 'unit', unit: unit('ctx_b', 'kb') },
      { type: 'unit', unit: unit('ctx_c', 'kc') },
      { type: 'response', response },
      { type: 'lineage', responseId: 'resp_1', entries: [entry('ctx_a', 0.5)] },
      { type: 'lineage', responseId: 'resp_1', entries: [entry('ctx_b', 0.3)], append: true },
      { type: 'lineage', responseId: 'resp_1', entries: [entry('ctx_c', 0.2)], append: true },
    ]);
    expect(store.lineage('resp_1').map((e) => e.unitId)).toEqual(['ctx_a', 'ctx_b', 'ctx_c']);
    store.apply([{ type: 'lineage', responseId: 'resp_1', entries: [entry('ctx_b', 1)] }]);
    expect(store.lineage('resp_1')).toEqual([entry('ctx_b', 1)]);
    store.close();
  });

  it('drops only the write that fails inside a batch', () => {
    const store = openSqliteStore({ file: ':memory:' });
    const result = store.apply([
      { type: 'unit', unit: unit('ctx_a', 'k') },
      {
        type: 'lineage',
        responseId: 'resp_missing',
        entries: [{ unitId: 'ctx_a', weight: 1, retrieval: 1 }],
      },
      { type: 'unit', unit: unit('ctx_b', 'k') },
    ]);
    expect(result).toMatchObject({ applied: 2, dropped: 1 });
    expect(result.error?.message).toMatch(/FOREIGN KEY/);
    expect(store.units(['ctx_a', 'ctx_b'])).toHaveLength(2);
    store.close();
  });

  it.each([
    ['inline', 'store.apply(writes)'],
    ['on the writer thread', 'await store.applyLater(writes)'],
  ])(
    'loses nothing it acknowledged (%s) when its process is killed (-9) in a write burst',
    async (name, apply) => {
      const dir = transpileStore();
      const file = join(scratch, `crash-${name.length}`, 'trace.db');
      const child = join(dir, 'child.mjs');
      writeFileSync(
        child,
        `import { writeSync } from 'node:fs';
       import { openSqliteStore } from './sqlite-store.js';
       const store = openSqliteStore({ file: process.argv[2] });
       const pad = 'x'.repeat(4000);
       for (let batch = 0; ; batch++) {
         const writes = [];
         for (let i = 0; i < 100; i++) {
           writes.push({ type: 'unit', unit: { ...${JSON.stringify(unit('', ''))}, id: 'ctx_' + batch + '_' + i, sourceKey: 'batch' + batch } });
           writes.push({ type: 'message', sessionId: 'batch' + batch, at: batch, hop: 'client', direction: 'in', server: null, json: JSON.stringify({ pad }) });
         }
         const result = ${apply};
         if (result.dropped === 0) writeSync(1, batch + '\\n');
       }`,
      );
      const acknowledged: number[] = [];
      const proc: ChildProcess = spawn(process.execPath, [child, file], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      children.add(proc);
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        proc.on('exit', (_c, s) => {
          children.delete(proc);
          resolve(s);
        }),
      );
      let buffer = '';
      await new Promise<void>((resolve) => {
        proc.stdout?.on('data', (chunk: Buffer) => {
          buffer += chunk.toString();
          const lines = buffer.split('\n');
          buffer = lines.pop() ?? '';
          for (const line of lines) acknowledged.push(Number(line));
          if (acknowledged.length >= 15) resolve();
        });
      });
      proc.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      rmSync(dir, { recursive: true, force: true });

      expect(integrity(file)).toBe('ok');
      const store = openSqliteStore({ file });
      for (const batch of acknowledged) {
        const ids = Array.from({ length: 100 }, (_, i) => `ctx_${batch}_${i}`);
        expect(store.units(ids)).toHaveLength(100);
        expect(store.messages(`batch${batch}`)).toHaveLength(100);
      }
      store.close();
      expect(integrity(file)).toBe('ok');
    },
  );
});

describe('a database that cannot be written', () => {
  const capture = (tracer: ReturnType<typeof createTracer>, i: number) =>
    tracer.capture({
      sessionId: 's',
      server: 'git',
      kind: 'tool',
      name: 'log',
      arguments: { i },
      content: { content: [{ type: 'text', text: `entry ${i} ${'y'.repeat(180)}` }] },
    });

  it('keeps capturing and counts dropped writes when the file cannot be created', async () => {
    const blocker = join(scratch, 'not-a-dir');
    writeFileSync(blocker, '');
    const errors: Error[] = [];
    const store = openSqliteStore({
      file: join(blocker, 'trace.db'),
      onError: (e) => errors.push(e),
    });
    const tracer = createTracer({ store, clock: new ManualClock() });
    const first = capture(tracer, 1);
    expect(first.unitId).toMatch(/^ctx_/);
    await tracer.flush();
    expect(tracer.stats()).toMatchObject({ flushed: 0, dropped: 3 });
    expect(tracer.stats().lastError?.message).toMatch(/EEXIST|ENOTDIR/);
    expect(tracer.queries.responses()).toEqual([]);
    expect(errors.length).toBeGreaterThan(0);
    await tracer.close();
  });

  it('drops and counts writes to a read-only database file, and still reads it', async () => {
    const file = join(scratch, 'readonly', 'trace.db');
    const seeded = openSqliteStore({ file });
    expect(seeded.apply([{ type: 'unit', unit: unit('ctx_1', 'k') }])).toEqual({
      applied: 1,
      dropped: 0,
    });
    seeded.close();
    chmodSync(file, 0o444);
    // The directory stays writable (for the -shm file the WAL needs even to read).
    chmodSync(dirname(file), 0o777);
    // Root ignores file modes, so the store runs in a child process as an unprivileged user.
    const dir = transpileStore();
    const child = join(dir, 'readonly.mjs');
    writeFileSync(
      child,
      `import { openSqliteStore } from './sqlite-store.js';
       const errors = [];
       const store = openSqliteStore({ file: process.argv[2], onError: (e) => errors.push(e.message) });
       const result = store.apply([{ type: 'unit', unit: { ...${JSON.stringify(unit('ctx_2', 'k'))} } }]);
       const read = store.units(['ctx_1']).length;
       console.log(JSON.stringify({ applied: result.applied, dropped: result.dropped, error: result.error?.message, read, errors }));`,
    );
    chmodSync(scratch, 0o755);
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    try {
      const out = await new Promise<string>((resolve, reject) => {
        const proc = spawn(process.execPath, [child, file], {
          ...asNobody,
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        let text = '';
        proc.stdout?.on('data', (c: Buffer) => {
          text += c.toString();
        });
        proc.on('error', reject);
        proc.on('exit', () => resolve(text));
      });
      const report = JSON.parse(out) as {
        applied: number;
        dropped: number;
        error: string;
        read: number;
      };
      expect(report).toMatchObject({ applied: 0, dropped: 1, read: 1 });
      expect(report.error).toMatch(/readonly/i);
    } finally {
      chmodSync(file, 0o644);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps capturing when the database is full, and serves what it holds', async () => {
    const file = join(scratch, 'full', 'trace.db');
    const tracer = createTracer({
      store: openSqliteStore({ file, maxPageCount: 40 }),
      clock: new ManualClock(),
    });
    const results = [];
    for (let i = 0; i < 1000; i++) {
      results.push(capture(tracer, i));
      if (i % 5 === 4) await tracer.flush();
    }
    await tracer.flush();
    const stats = tracer.stats();
    expect(stats.dropped).toBeGreaterThan(0);
    expect(stats.flushed).toBeGreaterThan(0);
    expect(stats.lastError?.message).toMatch(/full/i);
    expect(tracer.queries.unit(results[0]?.unitId as string)?.version).toBe(1);
    await tracer.close();
    expect(integrity(file)).toBe('ok');
  });
});

describe('retention', () => {
  const DAY = 86_400_000;

  it('deletes by age, hourly on the clock, and forgets the units it deleted', () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const store = openSqliteStore({ file: ':memory:' });
    const tracer = createTracer({ store, clock, retention: { maxAgeDays: 7 } });
    const input = {
      sessionId: 'old',
      server: 'git',
      kind: 'tool' as const,
      name: 'status',
      content: { content: [{ type: 'text', text: 'clean' }] },
    };
    const old = tracer.capture(input);
    tracer.recordMessage('old', 'client', 'in', { method: 'tools/call' });
    tracer.closeResponse('old');
    clock.advance(8 * DAY);
    expect(tracer.queries.response(old.responseId)).toBeUndefined();
    expect(tracer.queries.unit(old.unitId)).toBeUndefined();
    expect(tracer.queries.messages('old')).toEqual([]);
    // The same content is the same unit again (its id comes from the content), stored anew.
    const again = tracer.capture(input);
    expect(again.unitId).toBe(old.unitId);
    expect(tracer.queries.unit(again.unitId)).toMatchObject({
      version: 1,
      seenCount: 1,
      firstSeen: clock.now(),
    });
    void tracer.close();
  });

  it('deletes the oldest until the database is under its size', () => {
    const store = openSqliteStore({ file: join(scratch, 'size', 'trace.db') });
    const writes: TraceWrite[] = [];
    for (let i = 0; i < 400; i++) {
      writes.push({
        type: 'message',
        sessionId: 's',
        at: i,
        hop: 'client',
        direction: 'in',
        server: null,
        json: JSON.stringify({ pad: 'z'.repeat(4000) }),
      });
    }
    store.apply(writes);
    const removed = store.retain({ before: 0, maxSizeBytes: 600_000 });
    expect(removed.messages).toBeGreaterThan(200);
    const left = store.messages('s');
    expect(left.length).toBeGreaterThan(0);
    expect(left[0]?.at).toBeGreaterThan(200);
    store.close();
  });
});
