import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  ResourceUpdatedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { ManualClock, until } from '@switchyard/protocol/testing';
import { Client as Client1102 } from 'sdk-2024-11-05/client/index.js';
import { StreamableHTTPClientTransport as Http1102 } from 'sdk-2024-11-05/client/streamableHttp.js';
import { Client as Client1240 } from 'sdk-2025-06-18/client/index.js';
import { StreamableHTTPClientTransport as Http1240 } from 'sdk-2025-06-18/client/streamableHttp.js';
import { ElicitRequestSchema as ElicitRequest1240 } from 'sdk-2025-06-18/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstText, fixture, launch, type TestProxy, tempDir, withProxy } from './helpers.js';

/**
 * Legacy clients (the v1 SDK, 2025-11-25, and pinned older SDKs) reaching a modern-only server
 * (2026-07-28, tests/fixtures/modern-server.mjs) through the proxy, over stdio and Streamable HTTP:
 * docs/protocol-versions.md, "Modern backends".
 */
describe('a modern-only backend behind the proxy', () => {
  let testProxy: TestProxy;
  let http: ChildProcess;

  beforeAll(async () => {
    const launched = await launch([fixture('modern-server.mjs'), 'http', '0'], {}, /port (\d+)/);
    http = launched.child;
    testProxy = await withProxy(
      {
        servers: {
          // `auto` finds the stdio one modern by probing; the HTTP one is configured modern.
          mstdio: { command: process.execPath, args: [fixture('modern-server.mjs')], era: 'auto' },
          mhttp: {
            url: `http://127.0.0.1:${launched.match[1]}/mcp`,
            transport: 'streamable-http',
            era: 'modern',
          },
          legacy: { command: process.execPath, args: [fixture('revision-server.mjs')] },
        },
      },
      { client: false },
    );
  });

  afterAll(async () => {
    await testProxy?.close();
    http?.kill();
  });

  /** A v1 (1.32.2) client of one backend's endpoint, answering MRTR input requests. */
  async function clientOf(backend: string) {
    const asked: Array<{ method: string; params: Record<string, unknown> }> = [];
    const client = new Client(
      { name: 'legacy-client', version: '1.0.0' },
      {
        capabilities: {
          sampling: {},
          elicitation: { form: {}, url: {} },
          roots: { listChanged: true },
        },
      },
    );
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(request);
      return request.params.mode === 'url'
        ? { action: 'accept' }
        : { action: 'accept', content: { yard: 'Clapham' } };
    });
    client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
      asked.push(request);
      return { role: 'assistant', model: 'test', content: { type: 'text', text: 'Willesden' } };
    });
    client.setRequestHandler(ListRootsRequestSchema, async (request) => {
      asked.push({ method: request.method, params: {} });
      return { roots: [{ uri: 'file:///yard', name: 'yard' }] };
    });
    const url = new URL(`/servers/${backend}/mcp`, testProxy.url);
    await client.connect(new StreamableHTTPClientTransport(url));
    return { client, asked };
  }

  it('finds the era of each backend: modern by probing, legacy for a handshake server', () => {
    expect(testProxy.proxy.backends.eraOf('mstdio')).toBe('modern');
    expect(testProxy.proxy.backends.eraOf('mhttp')).toBe('modern');
    expect(testProxy.proxy.backends.eraOf('legacy')).toBe('legacy');
  });

  describe.each(['mstdio', 'mhttp'])('over %s', (backend) => {
    it('lists and calls tools, reads resources and templates, gets prompts', async () => {
      const { client } = await clientOf(backend);
      expect(client.getServerVersion()).toBeDefined();
      const tools = (await client.listTools()).tools.map((t) => t.name);
      expect(tools).toEqual(expect.arrayContaining(['echo', 'weather', 'ask_elicitation', 'wait']));
      const echoed = await client.callTool({ name: 'echo', arguments: { text: 'hi' } });
      expect(firstText(echoed)).toBe('modern echo: hi');
      expect(echoed).not.toHaveProperty('resultType');
      // Over HTTP the backend refuses the call unless Mcp-Param-Region repeats the argument.
      const weather = await client.callTool({ name: 'weather', arguments: { region: 'Zürich' } });
      expect(firstText(weather)).toBe('weather in Zürich');
      const doc = await client.readResource({ uri: 'modern://doc' });
      expect(doc.contents[0]).toMatchObject({ uri: 'modern://doc', text: 'modern doc' });
      expect(doc).not.toHaveProperty('ttlMs');
      const item = await client.readResource({ uri: 'modern://items/7' });
      expect(item.contents[0]).toMatchObject({ text: 'item 7' });
      const templates = (await client.listResourceTemplates()).resourceTemplates;
      expect(templates.map((t) => t.uriTemplate)).toContain('modern://items/{id}');
      const prompt = await client.getPrompt({ name: 'greet', arguments: { who: 'Ada' } });
      expect(prompt.messages[0]?.content).toEqual({ type: 'text', text: 'hello Ada, modern' });
      await client.close();
    });

    it('relays elicitation, sampling and roots (MRTR) to the calling client', async () => {
      const { client, asked } = await clientOf(backend);
      const elicited = await client.callTool({ name: 'ask_elicitation', arguments: {} });
      expect(firstText(elicited)).toBe('elicited: accept Clapham');
      const sampled = await client.callTool({ name: 'ask_sampling', arguments: {} });
      expect(firstText(sampled)).toBe('sampled: Willesden');
      const roots = await client.callTool({ name: 'ask_roots', arguments: {} });
      expect(firstText(roots)).toBe('roots: file:///yard');
      const url = await client.callTool({ name: 'ask_url', arguments: {} });
      expect(firstText(url)).toBe('url elicitation: accept');
      expect(asked.map((a) => a.method)).toEqual([
        'elicitation/create',
        'sampling/createMessage',
        'roots/list',
        'elicitation/create',
      ]);
      // A 2025-11-25 client needs an elicitationId on URL elicitations; the proxy mints one.
      expect(asked[3]?.params).toMatchObject({ mode: 'url', url: 'https://example.com/login' });
      expect(typeof asked[3]?.params.elicitationId).toBe('string');
      await client.close();
    });

    it('relays progress and cancels at the backend', async () => {
      const { client } = await clientOf(backend);
      const progress: unknown[] = [];
      const slow = await client.callTool({ name: 'slow', arguments: {} }, undefined, {
        onprogress: (p) => progress.push(p),
      });
      expect(firstText(slow)).toBe('slow done');
      expect(progress).toEqual([
        { progress: 1, total: 2, message: 'step 1' },
        { progress: 2, total: 2, message: 'step 2' },
      ]);

      const abort = new AbortController();
      let started = false;
      const waiting = client
        .callTool({ name: 'wait', arguments: {} }, undefined, {
          signal: abort.signal,
          onprogress: () => {
            started = true;
          },
        })
        .catch((error: Error) => error.message);
      await until(() => started, 'the wait tool to start');
      abort.abort('enough');
      expect(await waiting).toMatch(/enough|abort/i);
      await until(async () => {
        const count = await client.callTool({ name: 'cancelled', arguments: {} });
        return firstText(count) === 'cancelled: 1';
      }, 'the backend to see the cancellation');
      await client.close();
    });

    it('delivers resource updates of subscribed URIs through a listen stream', async () => {
      const { client } = await clientOf(backend);
      const updated: string[] = [];
      client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
        updated.push(n.params.uri);
      });
      expect(client.getServerCapabilities()?.resources?.subscribe).toBe(true);
      await client.subscribeResource({ uri: 'modern://doc' });
      // The stream is reopened with the new URI as the subscribe returns: touch until it is heard.
      await until(async () => {
        await client.callTool({ name: 'touch', arguments: {} });
        return updated.includes('modern://doc');
      }, 'a resource update');
      const doc = await client.readResource({ uri: 'modern://doc' });
      expect(doc.contents[0]).toMatchObject({ text: expect.stringMatching(/^modern doc v\d+$/) });
      await client.unsubscribeResource({ uri: 'modern://doc' });
      await client.close();
    });

    it('answers a missing resource with the legacy -32002', async () => {
      const { client } = await clientOf(backend);
      const error = await client.readResource({ uri: 'modern://missing' }).then(
        () => undefined,
        (e: { code?: number }) => e,
      );
      expect(error?.code).toBe(-32002);
      await client.close();
    });

    it('serves clients of older SDKs (2024-11-05, 2025-06-18)', async () => {
      const url = new URL(`/servers/${backend}/mcp`, testProxy.url);
      const oldest = new Client1102({ name: 'sdk-1.10.2', version: '1' });
      // The pinned SDKs' transport types predate exactOptionalPropertyTypes-clean declarations.
      await oldest.connect(new Http1102(url) as never);
      expect((await oldest.listTools()).tools.map((t) => t.name)).toContain('echo');
      expect(firstText(await oldest.callTool({ name: 'echo', arguments: { text: '2024' } }))).toBe(
        'modern echo: 2024',
      );
      expect((await oldest.readResource({ uri: 'modern://doc' })).contents[0]).toMatchObject({
        text: expect.stringMatching(/^modern doc/),
      });
      await oldest.close();

      const june = new Client1240(
        { name: 'sdk-1.24.0', version: '1' },
        { capabilities: { elicitation: {} } },
      );
      june.setRequestHandler(ElicitRequest1240, async () => ({
        action: 'accept',
        content: { yard: 'Crewe' },
      }));
      await june.connect(new Http1240(url) as never);
      expect(firstText(await june.callTool({ name: 'ask_elicitation', arguments: {} }))).toBe(
        'elicited: accept Crewe',
      );
      const prompt = await june.getPrompt({ name: 'greet', arguments: { who: 'Bo' } });
      expect(prompt.messages[0]?.content).toEqual({ type: 'text', text: 'hello Bo, modern' });
      await june.close();
    });
  });
});

describe('era verdicts', () => {
  const dir = tempDir();
  const record = join(dir.path, 'received.jsonl');
  const clock = new ManualClock();
  let testProxy: TestProxy;

  beforeAll(async () => {
    testProxy = await withProxy(
      {
        servers: {
          old: {
            command: process.execPath,
            args: [fixture('revision-server.mjs')],
            env: { FIXTURE_RECORD: record },
            era: 'auto',
            eraRecheckMs: 60_000,
          },
        },
      },
      { client: false, clock },
    );
  });

  afterAll(async () => {
    await testProxy?.close();
    dir.remove();
  });

  /** How many requests of each method the legacy fixture received, over all its processes. */
  function received(method: string): number {
    if (!existsSync(record)) return 0;
    return readFileSync(record, 'utf8')
      .split('\n')
      .filter((line) => line.includes(`"method":"${method}"`)).length;
  }

  /** Whether `old` runs, with an open session. */
  function running(): boolean {
    const entry = testProxy.proxy.backends.list().find((e) => e.name === 'old');
    return entry?.state === 'running' && entry.session?.closed === undefined;
  }

  async function restart(): Promise<void> {
    const { backends } = testProxy.proxy;
    await backends.setEnabled('old', false);
    await backends.setEnabled('old', true);
    await until(running, 'old running again');
  }

  it('probes, trusts the legacy verdict until it expires, then probes again', async () => {
    const { backends } = testProxy.proxy;
    await until(running, 'old connected');
    expect(backends.eraOf('old')).toBe('legacy');
    expect([received('server/discover'), received('initialize')]).toEqual([1, 1]);

    await restart();
    expect([received('server/discover'), received('initialize')]).toEqual([1, 2]);

    clock.advance(60_000);
    await restart();
    expect([received('server/discover'), received('initialize')]).toEqual([2, 3]);
    expect(backends.eraOf('old')).toBe('legacy');
  });
});

/**
 * A legacy stdio server that exits on any request before `initialize`, as some do (rmcp-based
 * servers): the probe kills it, so the proxy records it legacy and the restart runs `initialize`.
 */
const STRICT_LEGACY_SERVER = `
const { appendFileSync } = require('node:fs');
const reply = (id, result) => process.stdout.write(JSON.stringify({ jsonrpc: '2.0', id, result }) + '\\n');
let initialized = false;
require('node:readline').createInterface({ input: process.stdin }).on('line', (line) => {
  const message = JSON.parse(line);
  if (message.method) appendFileSync(process.env.RECORD, message.method + '\\n');
  if (message.method === 'initialize') {
    initialized = true;
    reply(message.id, { protocolVersion: '2025-11-25', capabilities: { tools: {} }, serverInfo: { name: 'strict', version: '1' } });
  } else if (!initialized && message.id !== undefined) process.exit(3);
  else if (message.method === 'tools/list') reply(message.id, { tools: [] });
  else if (message.id !== undefined) reply(message.id, {});
});
`;

describe('a legacy stdio server that exits on the era probe', () => {
  const dir = tempDir();
  const record = join(dir.path, 'methods.txt');
  let testProxy: TestProxy;

  beforeAll(async () => {
    testProxy = await withProxy(
      {
        servers: {
          strict: {
            command: process.execPath,
            args: ['-e', STRICT_LEGACY_SERVER],
            env: { RECORD: record },
            era: 'auto',
          },
        },
      },
      { client: false },
    );
  });

  afterAll(async () => {
    await testProxy?.close();
    dir.remove();
  });

  it('is recorded legacy and restarted straight into initialize', async () => {
    const { backends } = testProxy.proxy;
    await until(() => {
      const entry = backends.list().find((e) => e.name === 'strict');
      return entry?.state === 'running' && entry.session?.closed === undefined;
    }, 'strict running');
    expect(backends.eraOf('strict')).toBe('legacy');
    // The server records `notifications/initialized` when it reads it, which may be after the
    // proxy counts it running.
    const methods = await until(() => {
      const lines = readFileSync(record, 'utf8').trim().split('\n');
      return lines.length >= 3 && lines;
    }, 'the handshake to be recorded');
    expect(methods.slice(0, 3)).toEqual([
      'server/discover',
      'initialize',
      'notifications/initialized',
    ]);
  });
});
