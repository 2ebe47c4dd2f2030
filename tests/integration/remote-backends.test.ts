import type { ChildProcess } from 'node:child_process';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { until } from '@switchyard/protocol/testing';
import type { SwitchyardProxy } from '@switchyard/proxy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  firstText,
  launch,
  launchRemoteBackends,
  serverScript,
  type TestProxy,
  withProxy,
} from './helpers.js';

describe('remote backends: Streamable HTTP, HTTP+SSE, auto and WebSocket', () => {
  const children: ChildProcess[] = [];
  let testProxy: TestProxy | undefined;
  let proxy: SwitchyardProxy;
  let client: Client;
  let httpPort = 0;

  beforeAll(async () => {
    const remote = await launchRemoteBackends();
    httpPort = remote.httpPort;
    const { ssePort, wsPort } = remote;
    children.push(...remote.children);
    testProxy = await withProxy({
      servers: {
        http: { url: `http://127.0.0.1:${httpPort}/mcp`, transport: 'streamable-http' },
        legacy: { url: `http://127.0.0.1:${ssePort}/sse`, transport: 'sse' },
        probe: { url: `http://127.0.0.1:${ssePort}/sse` },
        socket: {
          url: `ws://127.0.0.1:${wsPort}`,
          headers: { Authorization: 'Bearer ws-token' },
        },
      },
    });
    ({ proxy, client } = testProxy);
  });

  afterAll(async () => {
    await testProxy?.close();
    for (const child of children) child.kill();
  });

  it('connects each one and routes calls to it', async () => {
    const health = (await (await proxy.fetch(new Request('http://127.0.0.1/health'))).json()) as {
      backends: Array<{ name: string; state: string }>;
    };
    expect(Object.fromEntries(health.backends.map((b) => [b.name, b.state]))).toMatchObject({
      http: 'running',
      legacy: 'running',
      probe: 'running',
      socket: 'running',
    });
    for (const name of ['http', 'legacy', 'probe']) {
      const result = await client.callTool({ name: `${name}__echo`, arguments: { message: name } });
      expect(firstText(result)).toBe(`Echo: ${name}`);
    }
    const ws = JSON.parse(
      firstText(await client.callTool({ name: 'socket__echo', arguments: { a: 1 } })),
    );
    expect(ws).toEqual({ args: { a: 1 }, authorization: 'Bearer ws-token' });
  });

  it('relays progress from a Streamable HTTP backend', async () => {
    const seen: number[] = [];
    await client.callTool(
      { name: 'http__trigger-long-running-operation', arguments: { duration: 0.2, steps: 2 } },
      undefined,
      { onprogress: (p) => seen.push(p.progress) },
    );
    expect(seen).toEqual([1, 2]);
  });

  it('re-initializes at once when a Streamable HTTP backend forgets the session', async () => {
    const before = await client.callTool({ name: 'http__echo', arguments: { message: 'before' } });
    expect(firstText(before)).toBe('Echo: before');
    // Restart the backend on the same port: it comes back without our session.
    const old = children.find((c) => c.spawnargs.includes('streamableHttp'));
    old?.kill();
    await new Promise((resolve) => old?.once('exit', resolve));
    const fresh = await launch(
      [serverScript('server-everything'), 'streamableHttp'],
      { PORT: String(httpPort) },
      /listening on port/,
    );
    children.push(fresh.child);
    // The first call meets the unknown-session answer and fails, naming the backend; the proxy reconnects at once.
    await client
      .callTool({ name: 'http__echo', arguments: { message: 'meets 404' } })
      .catch((error: Error) => {
        expect(error.message).toMatch(/"http"/);
      });
    const text = await until(
      () =>
        client.callTool({ name: 'http__echo', arguments: { message: 'after' } }).then(
          (result) => firstText(result) || undefined,
          () => undefined,
        ),
      'a call after the reconnection',
      5000,
      50,
    );
    expect(text).toBe('Echo: after');
    const health = (await (await proxy.fetch(new Request('http://127.0.0.1/health'))).json()) as {
      backends: Array<{ name: string; restarts: number }>;
    };
    expect(health.backends.find((b) => b.name === 'http')?.restarts).toBe(1);
  });
});
