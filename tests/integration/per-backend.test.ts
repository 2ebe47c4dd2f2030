import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstText, realServers, type TestProxy, tempDir, withProxy } from './helpers.js';

describe('per-backend endpoints /servers/<name>/mcp', () => {
  const dir = tempDir();
  let testProxy: TestProxy;
  let origin: string;

  beforeAll(async () => {
    mkdirSync(join(dir.path, 'ws'));
    testProxy = await withProxy({ servers: realServers(join(dir.path, 'ws')) }, { client: false });
    origin = testProxy.url.origin;
  });

  afterAll(async () => {
    await testProxy?.close();
    dir.remove();
  });

  it('exposes one backend alone, with its names untouched', async () => {
    const client = await testProxy.connect(undefined, new URL(`${origin}/servers/everything/mcp`));
    const tools = (await client.listTools()).tools.map((t) => t.name);
    expect(tools).toContain('echo');
    expect(tools.some((t) => t.includes('__'))).toBe(false);
    expect(tools).not.toContain('read_graph');
    expect(
      firstText(await client.callTool({ name: 'echo', arguments: { message: 'alone' } })),
    ).toBe('Echo: alone');
    const prompts = (await client.listPrompts()).prompts.map((p) => p.name);
    expect(prompts).toContain('simple-prompt');
    await client.close();
  });

  it('shares supervision and metrics with the aggregated endpoint', async () => {
    const client = await testProxy.connect(undefined, new URL(`${origin}/servers/memory/mcp`));
    await client.callTool({ name: 'read_graph', arguments: {} });
    await client.close();
    const metrics = await (await fetch(`${origin}/metrics`)).text();
    expect(metrics).toContain(
      'switchyard_requests_total{server="memory",method="tools/call",status="ok"} 1',
    );
  });

  it('answers 404 for a server that does not exist', async () => {
    const response = await fetch(`${origin}/servers/nope/mcp`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
  });
});
