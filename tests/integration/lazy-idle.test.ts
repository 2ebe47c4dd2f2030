import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { until } from '@switchyard/protocol/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstText, fixture, type TestProxy, tempDir, withProxy } from './helpers.js';

describe('lazy start and idle stop', () => {
  const dir = tempDir();
  const pidFile = join(dir.path, 'lazy.pid');
  let testProxy: TestProxy;
  let client: Client;
  let base: string;
  const state = async () =>
    (
      (await (await fetch(`${base}/health`)).json()) as {
        backends: Array<{ name: string; state: string; reason: string }>;
      }
    ).backends.find((b) => b.name === 'lazy');

  beforeAll(async () => {
    testProxy = await withProxy({
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
    ({ client } = testProxy);
    base = testProxy.url.origin;
  });

  afterAll(async () => {
    await testProxy?.close();
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

    await until(async () => (await state())?.state === 'stopped', 'the idle stop', 5000, 50);
    expect((await state())?.reason).toBe('idle for 1000 ms');
    expect(() => process.kill(firstPid, 0)).toThrow();

    expect(firstText(await client.callTool({ name: 'lazy__echo', arguments: { n: 2 } }))).toContain(
      '"n":2',
    );
    expect(Number(readFileSync(pidFile, 'utf8'))).not.toBe(firstPid);
  });
});
