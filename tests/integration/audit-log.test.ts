import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '@switchyard/logging';
import { createProxy, verifyAuditLines } from '@switchyard/proxy';
import { afterAll, describe, expect, it } from 'vitest';
import { fixture, tempDir, withProxy } from './helpers.js';

/** The audit log (docs/operations.md, "Audit log") of a real proxy, in a temporary directory. */
describe('audit log', () => {
  const dir = tempDir();
  const path = join(dir.path, 'audit', 'audit.jsonl');
  afterAll(() => dir.remove());
  const config = {
    management: { enabled: false },
    audit: { path },
    servers: { raw: { command: process.execPath, args: [fixture('raw-server.mjs')] } },
  };

  it('records a tool call and an admin action with their fields, arguments by shape only', async () => {
    await using running = await withProxy(config);
    const { client, url } = running;
    await client.listTools();
    await client.callTool({
      name: 'raw__echo',
      arguments: { note: 'a-private-value-4711', count: 2, nested: { flag: true } },
    });
    const restart = await fetch(new URL('/api/servers/raw/restart', url), { method: 'POST' });
    expect(restart.status).toBe(200);

    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain('a-private-value-4711');
    const lines = text.split('\n').filter(Boolean);
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const call = entries.find((e) => e.type === 'tool_call');
    expect(call).toMatchObject({
      seq: expect.any(Number),
      time: expect.any(String),
      principal: expect.any(String),
      sessionId: expect.any(String),
      server: 'raw',
      tool: 'echo',
      definitionHash: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      status: 'ok',
      durationMs: expect.any(Number),
      arguments: { note: 'string', count: 'number', nested: { flag: 'boolean' } },
      prev: expect.stringMatching(/^sha256:/),
    });
    expect(entries.find((e) => e.type === 'admin')).toMatchObject({
      action: 'restart',
      via: 'api',
      server: 'raw',
      status: 'ok',
      principal: expect.any(String),
    });
    expect(verifyAuditLines(lines)).toEqual({ ok: true });

    const exported = await fetch(new URL('/api/audit?since=0', url));
    expect(exported.headers.get('content-type')).toContain('application/jsonl');
    expect((await exported.text()).split('\n').filter(Boolean)).toEqual(lines);
    const after = await fetch(new URL(`/api/audit?since=${entries[0]?.seq}`, url));
    expect((await after.text()).split('\n').filter(Boolean)).toEqual(lines.slice(1));
  });

  it('records a reload as an admin action, continuing the same chain', async () => {
    const proxy = createProxy(config, { logger: silentLogger() });
    await proxy.start({ listen: false });
    await proxy.reload(proxy.config);
    await proxy.stop();
    const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
    expect(JSON.parse(lines.at(-1) ?? '{}')).toMatchObject({
      type: 'admin',
      action: 'reload',
      via: 'config',
    });
    expect(verifyAuditLines(lines)).toEqual({ ok: true });
  });
});
