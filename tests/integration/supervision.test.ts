import { readFileSync } from 'node:fs';
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
  let testProxy: TestProxy;
  let client: Client;
  let base: string;

  const health = async () => (await (await fetch(`${base}/health`)).json()) as Health;
  const backend = async (name: string) => (await health()).backends.find((b) => b.name === name);
  const victimPid = () => Number(readFileSync(pidFile, 'utf8'));

  beforeAll(async () => {
    testProxy = await withProxy({
      servers: {
        victim: {
          command: process.execPath,
          args: [fixture('raw-server.mjs')],
          env: { FIXTURE_PIDFILE: pidFile },
          restartDelayMs: 100,
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

  it('kill -9 with 100 calls in flight: all fail fast, the backend restarts, the others never notice', async () => {
    const firstPid = victimPid();
    const calls = Array.from({ length: 100 }, (_, i) =>
      client
        .callTool({ name: 'victim__echo', arguments: { i, delayMs: 30_000 } })
        .then(() => 'answered' as const)
        .catch((error: Error) => ({ error: error.message, at: Date.now() })),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const killedAt = Date.now();
    process.kill(firstPid, 'SIGKILL');
    const outcomes = await Promise.all(calls);
    const slowest = Math.max(
      ...outcomes.map((o) => (typeof o === 'string' ? Number.POSITIVE_INFINITY : o.at - killedAt)),
    );
    console.log(
      `kill -9 with 100 calls in flight: all 100 failed within ${slowest} ms of the kill`,
    );
    expect(
      outcomes.every(
        (o) => typeof o !== 'string' && /Backend "victim" is unavailable/.test(o.error),
      ),
    ).toBe(true);
    expect(slowest).toBeLessThan(2000);

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
      // Detected within one interval plus one timeout (200 + 300 ms), with some slack for CI.
      const stoppedAt = Date.now();
      await until(
        async () => (await backend('victim'))?.state === 'degraded',
        'victim degraded',
        5000,
      );
      console.log(`SIGSTOP detected as degraded after ${Date.now() - stoppedAt} ms`);
      const t0 = Date.now();
      await expect(client.callTool({ name: 'victim__echo', arguments: {} })).rejects.toThrow(
        /Backend "victim" is unavailable \(degraded: health check failed/,
      );
      expect(Date.now() - t0).toBeLessThan(500);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await until(
      async () => (await backend('victim'))?.state === 'running',
      'victim running again',
      5000,
    );
    expect(victimPid()).toBe(pid);
    const result = await client.callTool({ name: 'victim__echo', arguments: { tag: 'awake' } });
    expect(firstText(result)).toContain('awake');
  });
});
