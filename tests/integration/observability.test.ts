import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { SwitchyardProxy } from '@switchyard/proxy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  everythingServer,
  firstText,
  fixture,
  type TestProxy,
  tempDir,
  withProxy,
} from './helpers.js';

/** Parses Prometheus text into `name{labels}` → value, checking every sample line's shape. */
function parsePrometheus(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  const typed = new Set<string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type =
      /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      typed.add(type[1] as string);
      continue;
    }
    if (line.startsWith('# HELP ')) continue;
    const sample =
      /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (-?[0-9.e+-]+|NaN|Nan|\+Inf|-Inf)$/.exec(line);
    if (!sample) throw new Error(`not Prometheus text: ${line}`);
    const name = sample[1] as string;
    const family = name.replace(/_(bucket|sum|count|total)$/, '');
    if (!typed.has(name) && !typed.has(family) && !typed.has(`${family}_total`)) {
      throw new Error(`sample before its # TYPE: ${line}`);
    }
    samples.set(`${name}${sample[2] ?? ''}`, Number(sample[3]));
  }
  return samples;
}

describe('/metrics, /ready and graceful shutdown', () => {
  const dir = tempDir();
  let testProxy: TestProxy;
  let proxy: SwitchyardProxy;
  let client: Client;
  let base: string;

  beforeAll(async () => {
    testProxy = await withProxy({
      servers: {
        everything: everythingServer(),
        slow: {
          command: process.execPath,
          args: [fixture('raw-server.mjs')],
          env: { FIXTURE_PIDFILE: join(dir.path, 'slow.pid') },
        },
        broken: {
          command: process.execPath,
          args: [fixture('exit-at-once.mjs')],
          restartOnFailure: false,
        },
      },
    });
    ({ proxy, client } = testProxy);
    base = testProxy.url.origin;
  });

  afterAll(async () => {
    await testProxy?.close();
    dir.remove();
  });

  it('counts a scripted workload with the right values, in valid Prometheus text', async () => {
    await client.listTools();
    await client.ping();
    for (let i = 0; i < 5; i++)
      await client.callTool({ name: 'everything__echo', arguments: { message: `m${i}` } });
    await expect(client.callTool({ name: 'broken__x', arguments: {} })).rejects.toThrow(/broken/);
    const response = await fetch(`${base}/metrics`);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const m = parsePrometheus(await response.text());
    expect(
      m.get('switchyard_requests_total{server="everything",method="tools/call",status="ok"}'),
    ).toBe(5);
    expect(
      m.get('switchyard_requests_total{server="broken",method="tools/call",status="error"}'),
    ).toBe(1);
    expect(
      m.get('switchyard_request_duration_seconds_count{server="everything",method="tools/call"}'),
    ).toBe(5);
    // What the proxy answers itself counts too, under server="" (docs/operations.md, "Metrics").
    expect(m.get('switchyard_requests_total{server="",method="initialize",status="ok"}')).toBe(1);
    expect(m.get('switchyard_requests_total{server="",method="tools/list",status="ok"}')).toBe(1);
    expect(m.get('switchyard_requests_total{server="",method="ping",status="ok"}')).toBe(1);
    expect(m.get('switchyard_request_duration_seconds_count{server="",method="tools/list"}')).toBe(
      1,
    );
    expect(m.get('switchyard_active_sessions{transport="streamable-http"}')).toBe(1);
    expect(m.get('switchyard_backend_up{server="everything"}')).toBe(1);
    expect(m.get('switchyard_backend_up{server="broken"}')).toBe(0);
    expect(m.get('switchyard_backend_state{server="broken",state="failed"}')).toBe(1);
    expect(m.get('switchyard_backend_restarts_total{server="everything"}')).toBe(0);
    expect([...m.keys()].some((k) => k.startsWith('process_cpu_user_seconds_total'))).toBe(true);
  });

  it('is not ready while an enabled backend is down, and names it', async () => {
    const response = await fetch(`${base}/ready`);
    expect(response.status).toBe(503);
    const body = (await response.json()) as {
      ready: boolean;
      waiting: Array<{ name: string; state: string }>;
    };
    expect(body.waiting).toEqual([expect.objectContaining({ name: 'broken', state: 'failed' })]);
  });

  it('lets calls in flight finish on stop, then leaves no backend process behind', async () => {
    const pid = Number(readFileSync(join(dir.path, 'slow.pid'), 'utf8'));
    const calls = Array.from({ length: 10 }, (_, i) =>
      client.callTool({ name: 'slow__echo', arguments: { i, delayMs: 400 } }),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    await proxy.stop();
    const results = await Promise.all(calls);
    expect(results.map((r) => JSON.parse(firstText(r)).args.i)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
    expect(() => process.kill(pid, 0)).toThrow();
    const everythingPids = await fetch(`${base}/health`).catch(() => undefined);
    expect(everythingPids).toBeUndefined();
  });
});
