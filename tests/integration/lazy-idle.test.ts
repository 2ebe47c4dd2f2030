import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { SwitchyardProxy } from '@switchyard/proxy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstText, fixture, httpClient, startProxy, tempDir } from './helpers.js';

describe('lazy start and idle stop (spec S5)', () => {
  const dir = tempDir();
  const pidFile = join(dir.path, 'lazy.pid');
  let proxy: SwitchyardProxy;
  let client: Client;
  let base: string;
  const state = async () =>
    (
      (await (await fetch(`${base}/health`)).json()) as {
        backends: Array<{ name: string; state: string; reason: string }>;
      }
    ).backends.find((b) => b.name === 'lazy');

  beforeAll(async () => {
    const started = await startProxy({
      servers: {
        lazy: {
          command: process.execPath,
          args: [fixture('raw-server.mjs')],
          env: { FIXTURE_PIDFILE: pidFile },
          lazy: true,
          idleStopMs: 1000,
        },
      },
    });
    proxy = started.proxy;
    base = started.url.origin;
    client = await httpClient(started.url);
  });

  afterAll(async () => {
    await client.close();
    await proxy.stop();
    dir.remove();
  });

  it('does not spawn a lazy server at start-up, and the proxy is ready without it', async () => {
    expect(existsSync(pidFile)).toBe(false);
    expect(await state()).toMatchObject({ state: 'stopped', reason: 'starts on first use' });
    expect((await fetch(`${base}/ready`)).status).toBe(200);
  });

  it('spawns it on first use, then stops it when idle, and spawns it again when needed', async () => {
    const tools = (await client.listTools()).tools.map((t) => t.name);
    expect(tools).toContain('lazy__echo');
    const firstPid = Number(readFileSync(pidFile, 'utf8'));
    expect(firstText(await client.callTool({ name: 'lazy__echo', arguments: { n: 1 } }))).toContain(
      '"n":1',
    );

    const deadline = Date.now() + 5000;
    while ((await state())?.state !== 'stopped') {
      if (Date.now() > deadline) throw new Error('not stopped when idle');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect((await state())?.reason).toBe('idle for 1000 ms');
    expect(() => process.kill(firstPid, 0)).toThrow();

    expect(firstText(await client.callTool({ name: 'lazy__echo', arguments: { n: 2 } }))).toContain(
      '"n":2',
    );
    expect(Number(readFileSync(pidFile, 'utf8'))).not.toBe(firstPid);
  });
});
