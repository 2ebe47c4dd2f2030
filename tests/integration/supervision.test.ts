import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { until } from '@switchyard/protocol/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  everythingServer,
  firstText,
  fixture,
  type TestProxy,
  tempDir,
  withProxy,
} from './helpers.js';

interface Health {
  backends: Array<{ name: string; state: string; restarts: number }>;
}

describe('supervision of real backend processes', () => {
  const dir = tempDir();
  const pidFile = join(dir.path, 'victim.pid');
  const record = join(dir.path, 'victim.jsonl');
  let testProxy: TestProxy;
  let client: Client;
  let base: string;

  const health = async () => (await (await fetch(`${base}/health`)).json()) as Health;
  const backend = async (name: string) => (await health()).backends.find((b) => b.name === name);
  const victimPid = () => Number(readFileSync(pidFile, 'utf8'));
  /** The `tools/call` requests victim has received so far (it records every line it reads). */
  const receivedCalls = () =>
    existsSync(record)
      ? readFileSync(record, 'utf8')
          .split('\n')
          .filter((line) => line.includes('"method":"tools/call"')).length
      : 0;

  beforeAll(async () => {
    testProxy = await withProxy({
      servers: {
        victim: {
          command: process.execPath,
          args: [fixture('raw-server.mjs')],
          env: { FIXTURE_PIDFILE: pidFile, FIXTURE_RECORD: record },
          // The default restart timing: the first crash restarts at once (docs/operations.md).
          healthCheck: { intervalMs: 200, timeoutMs: 300, failureThreshold: 20 },
        },
        everything: everythingServer(),
      },
    });
    ({ client } = testProxy);
    base = testProxy.url.origin;
  });

  afterAll(async () => {
    await testProxy?.close();
    dir.remove();
  });

  it('kill -9 with 100 calls in flight: all fail as unavailable, the backend restarts at once, the others never notice', async () => {
    const firstPid = victimPid();
    // Each call would take 30 s: one that ends before the test's timeout ended with the crash.
    const calls = Array.from({ length: 100 }, (_, i) =>
      client
        .callTool({ name: 'victim__echo', arguments: { i, delayMs: 30_000 } })
        .then(() => 'answered')
        .catch((error: Error) => error.message),
    );
    await until(() => receivedCalls() === 100, 'the 100 calls to reach victim');
    process.kill(firstPid, 'SIGKILL');
    const outcomes = await Promise.all(calls);
    expect(outcomes.filter((o) => !/Backend "victim" is unavailable/.test(o))).toEqual([]);

    const other = await client.callTool({
      name: 'everything__echo',
      arguments: { message: 'unaffected' },
    });
    expect(firstText(other)).toBe('Echo: unaffected');

    const restarted = await until(
      async () => {
        const b = await backend('victim');
        return b?.state === 'running' && b.restarts === 1 ? b : undefined;
      },
      'the restart of victim',
      15_000,
    );
    expect(restarted.restarts).toBe(1);
    expect(victimPid()).not.toBe(firstPid);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('switchyard_backend_restarts_total{server="victim"} 1');
    const again = await client.callTool({ name: 'victim__echo', arguments: { tag: 'back' } });
    expect(firstText(again)).toContain('back');
  });

  it('SIGSTOP: health checks see the hang, calls fail fast, SIGCONT recovers', async () => {
    const pid = victimPid();
    process.kill(pid, 'SIGSTOP');
    try {
      // Detected by the next health check (docs/operations.md, "Health checks").
      await until(async () => (await backend('victim'))?.state === 'degraded', 'victim degraded');
      // A hung backend would hold the call for its 60 s timeout: this answer is the fail-fast one.
      await expect(client.callTool({ name: 'victim__echo', arguments: {} })).rejects.toThrow(
        /Backend "victim" is unavailable \(degraded: health check failed/,
      );
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await until(async () => (await backend('victim'))?.state === 'running', 'victim running again');
    expect(victimPid()).toBe(pid);
    const result = await client.callTool({ name: 'victim__echo', arguments: { tag: 'awake' } });
    expect(firstText(result)).toContain('awake');
  });
});
