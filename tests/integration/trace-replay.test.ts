import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAdminClient } from '@switchyard/admin-api';
import type { SwitchyardConfig } from '@switchyard/config';
import { until } from '@switchyard/protocol/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { traceCommand } from '../../apps/proxy/src/trace-cli.js';
import { everythingServer, serverScript, tempDir, withProxy } from './helpers.js';

/** Runs a `switchyard trace …` command in process, collecting what it prints. */
async function trace(config: SwitchyardConfig, args: Parameters<typeof traceCommand>[1]) {
  let out = '';
  let err = '';
  const code = await traceCommand(config, args, {
    out: (text) => {
      out += text;
    },
    err: (text) => {
      err += text;
    },
  });
  return { code, out, err };
}

/**
 * Export and replay (docs/tracing.md, "Export and replay"): a session recorded through a real
 * proxy, exported as JSONL, replayed against the same backends (no difference) and against a
 * backend whose answer changed (the difference is reported).
 */
describe('switchyard trace export and replay', () => {
  const dir = tempDir();
  const memoryFile = join(dir.path, 'memory.jsonl');
  const exported = join(dir.path, 'session.jsonl');
  let config: SwitchyardConfig;
  let sessionId: string;

  beforeAll(async () => {
    const t = await withProxy({
      servers: {
        everything: everythingServer(),
        memory: {
          command: process.execPath,
          args: [serverScript('server-memory')],
          env: { MEMORY_FILE_PATH: memoryFile },
        },
      },
      contextTracing: { sqlitePath: join(dir.path, 'tracing.db') },
      logging: { dir: join(dir.path, 'logs') },
    });
    await t.client.callTool({
      name: 'memory__create_entities',
      arguments: { entities: [{ name: 'Grace', entityType: 'person', observations: ['COBOL'] }] },
    });
    await t.client.callTool({ name: 'memory__read_graph', arguments: {} });
    await t.client.callTool({ name: 'everything__echo', arguments: { message: 'replay me' } });
    const api = createAdminClient({ baseUrl: t.url.origin });
    await until(async () => (await api.traces.stats()).queued === 0);
    const [session] = await api.traces.sessions();
    sessionId = session?.sessionId ?? '';
    config = t.proxy.config;
    await t.close();
  });
  afterAll(() => dir.remove());

  it('lists the recorded session and exports both hops of it', async () => {
    const sessions = await trace(config, { sub: 'sessions', file: undefined });
    expect(sessions.code).toBe(0);
    expect(sessions.out).toContain(sessionId);
    const result = await trace(config, {
      sub: 'export',
      file: undefined,
      session: sessionId,
      out: exported,
    });
    expect(result.code).toBe(0);
    const lines = readFileSync(exported, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const hops = new Set(
      lines.map((l: { hop: string; direction: string }) => `${l.hop} ${l.direction}`),
    );
    expect(hops).toEqual(new Set(['client in', 'backend out', 'backend in', 'client out']));
    expect(
      lines.filter(
        (l: { hop: string; direction: string }) => l.hop === 'client' && l.direction === 'in',
      ),
    ).toHaveLength(3);
  });

  it('replays against unchanged backends with no difference', async () => {
    // create_entities is not idempotent: replay the reads only.
    const reads = readFileSync(exported, 'utf8')
      .trim()
      .split('\n')
      .filter((line) => !line.includes('create_entities'))
      .join('\n');
    const readsFile = join(dir.path, 'reads.jsonl');
    appendFileSync(readsFile, `${reads}\n`);
    const result = await trace(config, { sub: 'replay', file: readsFile });
    expect(result.out).toContain('2 same, 0 different');
    expect(result.code).toBe(0);

    // The memory server's graph changes behind the proxy's back: read_graph now differs.
    appendFileSync(
      memoryFile,
      `${JSON.stringify({ type: 'entity', name: 'Linus', entityType: 'person', observations: ['git'] })}\n`,
    );
    const changed = await trace(config, { sub: 'replay', file: readsFile });
    expect(changed.out).toMatch(/differs {2}tools\/call memory__read_graph/);
    expect(changed.out).toMatch(/same {5}tools\/call everything__echo/);
    expect(changed.out).toContain('1 same, 1 different');
    expect(changed.code).toBe(1);
  });

  it('says clearly when a session was not recorded', async () => {
    const result = await trace(config, { sub: 'export', file: undefined, session: 'nope' });
    expect(result.code).toBe(1);
    expect(result.err).toContain('no recorded messages of session "nope"');
  });
});
