import type { ChildProcess } from 'node:child_process';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { until } from '@switchyard/protocol/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstText, fixture, launch, type TestProxy, withProxy } from './helpers.js';

describe('HTTP backends share a keep-alive pool per origin', () => {
  let backend: ChildProcess;
  let testProxy: TestProxy;
  let client: Client;

  beforeAll(async () => {
    const started = await launch(
      [fixture('http-server.mjs')],
      { FIXTURE_REVISION: '2025-06-18' },
      /port (\d+)/,
    );
    backend = started.child;
    testProxy = await withProxy({
      proxy: { connectionPoolSize: 2 },
      servers: {
        pooled: { url: `http://127.0.0.1:${started.match[1]}/mcp`, transport: 'streamable-http' },
      },
    });
    ({ client } = testProxy);
  });

  afterAll(async () => {
    await testProxy?.close();
    backend.kill();
  });

  it('serves 20 concurrent calls over at most 2 connections, all answered', async () => {
    const calls = Array.from({ length: 20 }, () =>
      client.callTool({ name: 'pooled__wait', arguments: { delayMs: 50 } }),
    );
    const results = await Promise.all(calls);
    expect(results.every((r) => firstText(r).includes('"ok":true'))).toBe(true);
    const { sockets } = JSON.parse(
      firstText(await client.callTool({ name: 'pooled__sockets', arguments: {} })),
    ) as {
      sockets: number;
    };
    expect(sockets).toBeGreaterThanOrEqual(1);
    expect(sockets).toBeLessThanOrEqual(2);
  });

  it("states the backend's own negotiated revision on every request (MCP-Protocol-Version)", async () => {
    const answer = JSON.parse(
      firstText(await client.callTool({ name: 'pooled__headers', arguments: {} })),
    ) as { protocolVersion: string | null };
    expect(answer.protocolVersion).toBe('2025-06-18');
  });
});

describe('the default pool', () => {
  let backend: ChildProcess;
  let testProxy: TestProxy;

  beforeAll(async () => {
    const started = await launch([fixture('http-server.mjs')], {}, /port (\d+)/);
    backend = started.child;
    testProxy = await withProxy({
      servers: {
        remote: { url: `http://127.0.0.1:${started.match[1]}/mcp`, transport: 'streamable-http' },
      },
    });
  });

  afterAll(async () => {
    await testProxy?.close();
    backend.kill();
  });

  it('lets every admitted request have its own connection, so long calls do not starve the rest', async () => {
    const { client } = testProxy;
    // Calls whose responses stay open (a slow tool; a call waiting for a modern client's retry
    // holds its stream the same way) as many as admission lets in at once and more than the old
    // default of 10 connections.
    const long = Array.from({ length: 24 }, () =>
      client.callTool({ name: 'remote__wait', arguments: { delayMs: 1500 } }),
    );
    const sockets = async () =>
      (
        JSON.parse(
          firstText(await client.callTool({ name: 'remote__sockets', arguments: {} })),
        ) as { sockets: number }
      ).sockets;
    // Answered while the long calls are in flight, each on a connection of its own.
    await until(async () => (await sockets()) >= 25, '25 connections to the backend');
    expect((await Promise.all(long)).every((r) => firstText(r).includes('"ok":true'))).toBe(true);
  });
});
