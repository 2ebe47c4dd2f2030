import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { createLogger } from '@switchyard/logging';
import { until } from '@switchyard/protocol/testing';
import { createProxy, type SwitchyardProxy } from '@switchyard/proxy';
import { afterEach, describe, expect, it } from 'vitest';
import { cliPath, fixture, tempDir } from './helpers.js';

/**
 * Tool definition pinning (docs/operations.md, "Tool pinning") against a real stdio backend that
 * changes a tool's description after its first call and says so with list_changed.
 */

interface Running {
  proxy: SwitchyardProxy;
  client: Client;
  logLines: Array<Record<string, unknown>>;
  changed: () => number;
  pinsFile: string;
  api(path: string, method?: string): Promise<Response>;
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(pinning: 'warn' | 'block', stateDir?: string): Promise<Running> {
  const dir = tempDir();
  cleanups.push(() => dir.remove());
  const state = stateDir ?? join(dir.path, 'state');
  const stateFile = join(state, 'server-state.json');
  const pinsFile = join(state, 'tool-pins.json');
  const logLines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean))
        logLines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const proxy = createProxy(
    {
      pinning,
      management: { enabled: false },
      audit: { path: join(state, 'audit.jsonl') },
      servers: { docs: { command: process.execPath, args: [fixture('rug-pull-server.mjs')] } },
    },
    {
      logger: createLogger({ level: 'info', format: 'json', stream }),
      port: 0,
      stateFile,
      logFiles: false,
    },
  );
  await proxy.start();
  cleanups.push(() => proxy.stop());
  const url = new URL(`http://127.0.0.1:${proxy.address?.port}/mcp`);
  const client = new Client({ name: 'pinning-test', version: '1.0.0' });
  let changes = 0;
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    changes++;
  });
  await client.connect(new StreamableHTTPClientTransport(url));
  cleanups.push(() => client.close());
  const api = (path: string, method = 'GET') => fetch(new URL(`/api/${path}`, url), { method });
  return { proxy, client, logLines, changed: () => changes, pinsFile, api };
}

const names = async (client: Client) => (await client.listTools()).tools.map((t) => t.name);

/** Lists, calls `notes` once (the backend then changes it) and waits for the list_changed. */
async function pullTheRug(run: Running): Promise<void> {
  expect(await names(run.client)).toEqual(['docs__notes', 'docs__stable']);
  await run.client.callTool({ name: 'docs__notes', arguments: {} });
  await until(() => run.changed() > 0, 'notifications/tools/list_changed');
}

async function changesMetric(proxy: SwitchyardProxy): Promise<string | undefined> {
  const text = await proxy.metrics.render();
  return text
    .split('\n')
    .find((line) => line.startsWith('switchyard_tool_definition_changes_total'));
}

describe('tool definition pinning', () => {
  it('warn: a changed description is logged, counted and shown in /api, and the tool stays usable', async () => {
    const run = await start('warn');
    await pullTheRug(run);
    expect(await names(run.client)).toEqual(['docs__notes', 'docs__stable']);

    const warning = run.logLines.find(
      (l) => l.message === 'tool definition changed since it was pinned',
    );
    expect(warning).toMatchObject({ level: 'warn', server: 'docs', tool: 'notes' });
    expect(warning?.pinnedHash).toMatch(/^sha256:/);
    expect(warning?.currentHash).toMatch(/^sha256:/);
    expect(warning?.pinnedHash).not.toBe(warning?.currentHash);
    expect(await changesMetric(run.proxy)).toBe(
      'switchyard_tool_definition_changes_total{server="docs"} 1',
    );

    // Listing the same changed definition again does not count it twice.
    await names(run.client);
    expect(await changesMetric(run.proxy)).toBe(
      'switchyard_tool_definition_changes_total{server="docs"} 1',
    );

    const pins = (await (await run.api('pins')).json()) as { pins: Array<Record<string, unknown>> };
    const notes = pins.pins.find((p) => p.tool === 'notes');
    expect(notes).toMatchObject({
      server: 'docs',
      hash: warning?.pinnedHash,
      changed: { hash: warning?.currentHash },
    });
    expect(pins.pins.find((p) => p.tool === 'stable')?.changed).toBeUndefined();
    // The pins are on disk, in the temporary state directory.
    expect(JSON.parse(readFileSync(run.pinsFile, 'utf8')).servers.docs.notes.hash).toBe(
      warning?.pinnedHash,
    );

    const result = await run.client.callTool({ name: 'docs__notes', arguments: {} });
    expect(result.isError).not.toBe(true);
  });

  it('block: the changed tool is held back and refused until approved through the API', async () => {
    const run = await start('block');
    await pullTheRug(run);
    expect(await names(run.client)).toEqual(['docs__stable']);

    const refused = run.client.callTool({ name: 'docs__notes', arguments: {} });
    await expect(refused).rejects.toMatchObject({
      code: -32013,
      data: {
        server: 'docs',
        tool: 'notes',
        pinnedHash: expect.stringMatching(/^sha256:/),
        currentHash: expect.stringMatching(/^sha256:/),
      },
    });
    // The other tool of the same backend is untouched.
    await run.client.callTool({ name: 'docs__stable', arguments: {} });

    const approved = await run.api('pins/docs/notes/approve', 'POST');
    expect(approved.status).toBe(200);
    expect(await approved.json()).toMatchObject({ server: 'docs', tool: 'notes' });
    expect(await names(run.client)).toEqual(['docs__notes', 'docs__stable']);
    const result = await run.client.callTool({ name: 'docs__notes', arguments: {} });
    expect(result.isError).not.toBe(true);

    expect((await run.api('pins/docs/nothing/approve', 'POST')).status).toBe(404);
  });
});

describe('switchyard approve', () => {
  it('approves a held tool from the command line; the running proxy shows it again', async () => {
    const dir = tempDir();
    cleanups.push(() => dir.remove());
    // The CLI finds the pins under $XDG_STATE_HOME/switchyard/, as the proxy would.
    const run = await start('block', join(dir.path, 'switchyard'));
    await pullTheRug(run);
    expect(await names(run.client)).toEqual(['docs__stable']);

    const configFile = join(dir.path, 'switchyard.yaml');
    writeFileSync(configFile, 'pinning: block\nservers: {}\n');
    const approve = (...args: string[]) =>
      spawnSync(process.execPath, [cliPath, 'approve', ...args, '--config', configFile], {
        encoding: 'utf8',
        env: { ...process.env, XDG_STATE_HOME: dir.path },
        timeout: 30_000,
      });
    const unknown = approve('docs', 'nothing');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('no pinned tool "nothing"');
    const approved = approve('docs', 'notes');
    expect(approved.stderr).toBe('');
    expect(approved.status).toBe(0);
    expect(approved.stdout).toMatch(/^docs notes: pinned sha256:[0-9a-f]{64}/);

    expect(await names(run.client)).toEqual(['docs__notes', 'docs__stable']);
    const result = await run.client.callTool({ name: 'docs__notes', arguments: {} });
    expect(result.isError).not.toBe(true);

    // The proxy, the one writer of the audit log, records the approval it found in the file.
    const audit = readFileSync(join(dir.path, 'switchyard', 'audit.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(audit).toContainEqual(
      expect.objectContaining({
        type: 'admin',
        action: 'approve',
        via: 'pins file',
        server: 'docs',
        tool: 'notes',
      }),
    );
  });
});
