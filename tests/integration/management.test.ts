import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  everythingServer,
  firstText,
  fixture,
  type TestProxy,
  tempDir,
  withProxy,
} from './helpers.js';

const CANARY = 'canary-secret-7f3a9c1e';

function allFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('management server, per-server logs and the admin API', () => {
  const dir = tempDir();
  const logDir = join(dir.path, 'logs');
  let testProxy: TestProxy;
  let client: Client;
  let base: string;

  beforeAll(async () => {
    testProxy = await withProxy({
      logging: { dir: logDir },
      servers: {
        noisy: {
          command: process.execPath,
          args: [fixture('noisy-server.mjs')],
          env: { API_TOKEN: CANARY },
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

  it('is mounted as the switchyard server, with its tools and proxy:// resources', async () => {
    const tools = (await client.listTools()).tools.map((t) => t.name);
    expect(tools).toEqual(
      expect.arrayContaining([
        'switchyard__server_list',
        'switchyard__server_start',
        'switchyard__server_stop',
        'switchyard__server_restart',
        'switchyard__server_logs',
      ]),
    );
    const uris = (await client.listResources()).resources.map((r) => r.uri);
    expect(uris).toEqual(
      expect.arrayContaining([
        'proxy://config',
        'proxy://health',
        'proxy://metrics',
        'proxy://topology',
      ]),
    );
  });

  it('lists, stops and starts servers for real', async () => {
    const list = JSON.parse(
      firstText(await client.callTool({ name: 'switchyard__server_list', arguments: {} })),
    ) as Array<{ name: string; state: string }>;
    expect(list.map((s) => [s.name, s.state])).toEqual([
      ['noisy', 'running'],
      ['everything', 'running'],
      ['switchyard', 'running'],
    ]);
    const stopped = await client.callTool({
      name: 'switchyard__server_stop',
      arguments: { name: 'everything' },
    });
    expect(firstText(stopped)).toMatch(/"everything" is now stopped/);
    await expect(
      client.callTool({ name: 'everything__echo', arguments: { message: 'x' } }),
    ).rejects.toThrow(/stopped/);
    const started = await client.callTool({
      name: 'switchyard__server_start',
      arguments: { name: 'everything' },
    });
    expect(firstText(started)).toBe('server "everything" is now running');
    expect(
      firstText(await client.callTool({ name: 'everything__echo', arguments: { message: 'x' } })),
    ).toBe('Echo: x');
    const self = await client.callTool({
      name: 'switchyard__server_stop',
      arguments: { name: 'switchyard' },
    });
    expect(self.isError).toBe(true);
  });

  it('serves real data in its resources, with secrets redacted', async () => {
    const read = async (uri: string) => {
      const content = (await client.readResource({ uri })).contents[0];
      return content && 'text' in content ? content.text : '';
    };
    const config = await read('proxy://config');
    expect(config).toContain('"API_TOKEN": "[redacted]"');
    expect(config).not.toContain(CANARY);
    expect(JSON.parse(await read('proxy://health')).backends).toHaveLength(3);
    expect(await read('proxy://metrics')).toContain(
      'switchyard_requests_total{server="everything"',
    );
    const topology = JSON.parse(await read('proxy://topology')) as {
      backends: Array<{ name: string; transport: string }>;
    };
    expect(topology.backends.map((b) => [b.name, b.transport])).toEqual([
      ['noisy', 'stdio'],
      ['everything', 'stdio'],
      ['switchyard', 'virtual'],
    ]);
  });

  it('writes each backend to <logDir>/<server>/server.log, redacted, and tails it', async () => {
    const tail = firstText(
      await client.callTool({
        name: 'switchyard__server_logs',
        arguments: { name: 'noisy', lines: 100 },
      }),
    );
    expect(tail).toMatch(/^\[\d{4}-\d\d-\d\dT[^\]]+\] \[STDOUT\] noisy-server v1 starting up$/m);
    expect(tail).toMatch(/\[STDERR\] debug: using token \[redacted\]/);
    const api = (await (await fetch(`${base}/api/logs/noisy?lines=5&type=stderr`)).json()) as {
      lines: Array<{ stream: string; text: string }>;
    };
    expect(api.lines.length).toBeGreaterThan(0);
    expect(api.lines.every((l) => l.stream === 'stderr')).toBe(true);
    expect(readFileSync(join(logDir, 'noisy', 'server.log'), 'utf8')).toContain(
      '[STDOUT] tick: still alive',
    );
    for (const file of allFiles(logDir)) expect(readFileSync(file, 'utf8')).not.toContain(CANARY);
  });

  it('streams new log lines over SSE from the current end', async () => {
    const controller = new AbortController();
    const response = await fetch(`${base}/api/logs/noisy/stream`, { signal: controller.signal });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    while (!text.includes('tick: still alive')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    controller.abort();
    expect(text).toMatch(/event: log\ndata: \{.*"stream":"stdout","text":"tick: still alive"/);
  });
});
