import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Client,
  StreamableHTTPClientTransport,
  type Transport,
} from '@modelcontextprotocol/client';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { until } from '@switchyard/protocol/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cliPath,
  everythingServer,
  firstText,
  fixture,
  serverScript,
  sseEvents,
  type TestProxy,
  tempDir,
  withProxy,
} from './helpers.js';
import { createMessageValidator, formatIssue } from './schema-validator.js';
import { type Received, summarize, type TransportLike, tap } from './sdk-kits.js';

/**
 * A modern (MCP 2026-07-28) front over legacy backends (docs/protocol-versions.md, "The modern era
 * (2026-07-28)"): the v2 SDK client pinned to 2026-07-28 talks to the proxy in front of
 * server-everything and server-memory, over Streamable HTTP and stdio, and every message it
 * receives validates against the 2026-07-28 schema; raw requests check each refusal; legacy
 * clients keep working on the same endpoint.
 */

const MODERN = '2026-07-28';
const validator = createMessageValidator(MODERN);

/** Taps `transport`: what its client receives is recorded, with the request each answers. */
function tapped<T extends Transport>(transport: T, received: Received[]): T {
  tap(transport as unknown as TransportLike, received);
  return transport;
}

/** The schema issues of what a client received, one line each. */
const issuesOf = (received: Received[]) =>
  summarize(received, (message, answers) => validator.validate(message, answers));

function modernClient(): Client {
  return new Client(
    { name: 'modern-test', version: '1.0.0' },
    { versionNegotiation: { mode: { pin: MODERN } } },
  );
}

/** Lists, calls, reads and gets through a connected modern client, as the tests below expect. */
async function exercise(client: Client): Promise<void> {
  const tools = await client.listTools();
  const names = tools.tools.map((t) => t.name);
  expect(names).toContain('everything__echo');
  expect(names).toContain('memory__read_graph');
  expect(names).toEqual([...names].sort());
  const echo = await client.callTool({
    name: 'everything__echo',
    arguments: { message: 'modern' },
  });
  expect(firstText(echo)).toContain('modern');
  const graph = await client.callTool({ name: 'memory__read_graph', arguments: {} });
  expect(graph.isError).not.toBe(true);
  const prompts = await client.listPrompts();
  expect(prompts.prompts.map((p) => p.name)).toContain('everything__simple-prompt');
  const prompt = await client.getPrompt({ name: 'everything__simple-prompt' });
  expect(prompt.messages.length).toBeGreaterThan(0);
  const resources = await client.listResources();
  const first = resources.resources[0];
  expect(first).toBeDefined();
  const read = await client.readResource({ uri: first?.uri ?? '' });
  expect(read.contents.length).toBeGreaterThan(0);
  const templates = await client.listResourceTemplates();
  expect(templates.resourceTemplates.length).toBeGreaterThan(0);
}

describe('a 2026-07-28 client through the proxy', () => {
  let dir: ReturnType<typeof tempDir>;
  let config: Record<string, unknown>;
  let t: TestProxy;
  beforeAll(async () => {
    dir = tempDir();
    config = {
      servers: {
        everything: everythingServer(),
        memory: {
          command: process.execPath,
          args: [serverScript('server-memory')],
          env: { MEMORY_FILE_PATH: join(dir.path, 'memory.jsonl') },
        },
      },
    };
    t = await withProxy(config);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    dir?.remove();
  });

  it('over Streamable HTTP lists, calls, reads and gets, every message valid for 2026-07-28', async () => {
    const received: Received[] = [];
    const client = modernClient();
    await client.connect(tapped(new StreamableHTTPClientTransport(t.url), received));
    try {
      expect(client.getServerVersion()?.name).toBe('switchyard');
      await exercise(client);
    } finally {
      await client.close();
    }
    expect(received.length).toBeGreaterThanOrEqual(9);
    expect(
      received.every(
        ({ message: m }) =>
          (m as { result?: object }).result === undefined ||
          'resultType' in (m as { result: object }).result,
      ),
    ).toBe(true);
    expect(issuesOf(received)).toEqual([]);
  }, 60_000);

  it('on a per-server endpoint sees that server alone', async () => {
    const client = modernClient();
    await client.connect(new StreamableHTTPClientTransport(new URL('/servers/memory/mcp', t.url)));
    try {
      const tools = await client.listTools();
      expect(tools.tools.map((tool) => tool.name)).toContain('read_graph');
    } finally {
      await client.close();
    }
  }, 60_000);

  it('over stdio (switchyard --stdio) lists, calls, reads and gets', async () => {
    const file = join(dir.path, 'switchyard.json');
    writeFileSync(file, JSON.stringify(config));
    const received: Received[] = [];
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [cliPath, '--stdio', '--config', file],
      env: { ...getDefaultEnvironment(), XDG_STATE_HOME: process.env.XDG_STATE_HOME ?? '' },
      stderr: 'ignore',
    });
    const client = modernClient();
    await client.connect(tapped(transport, received));
    try {
      await exercise(client);
    } finally {
      await client.close();
    }
    expect(received.length).toBeGreaterThanOrEqual(8);
    expect(issuesOf(received)).toEqual([]);
  }, 90_000);

  it('keeps legacy clients working on the same endpoint', async () => {
    const tools = await t.client.listTools();
    expect(tools.tools.map((tool) => tool.name)).toContain('everything__echo');
    expect(await t.client.ping()).toEqual({});
  }, 30_000);
});

interface PostOptions {
  headers?: Record<string, string>;
  meta?: Record<string, unknown> | null;
  signal?: AbortSignal;
}

/** A raw modern POST to the proxy: the envelope, the routing headers and `extra` headers. */
function modernRequest(
  url: URL,
  method: string,
  params: Record<string, unknown> = {},
  options: PostOptions = {},
): Promise<Response> {
  const meta =
    options.meta === null
      ? undefined
      : {
          'io.modelcontextprotocol/protocolVersion': MODERN,
          'io.modelcontextprotocol/clientCapabilities': {},
          'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
          ...options.meta,
        };
  const name = typeof params.name === 'string' ? params.name : params.uri;
  return fetch(url, {
    method: 'POST',
    ...(options.signal ? { signal: options.signal } : {}),
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': MODERN,
      'mcp-method': method,
      ...(typeof name === 'string' ? { 'mcp-name': name } : {}),
      ...options.headers,
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 7,
      method,
      params: meta ? { ...params, _meta: meta } : params,
    }),
  });
}

/** {@link modernRequest}, read to the end: its status and JSON body. */
async function post(
  url: URL,
  method: string,
  params: Record<string, unknown> = {},
  options: PostOptions = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await modernRequest(url, method, params, options);
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : {} };
}

describe('context tracing of modern clients', () => {
  let dir: ReturnType<typeof tempDir>;
  let t: TestProxy;
  beforeAll(async () => {
    dir = tempDir();
    t = await withProxy(
      {
        servers: { everything: everythingServer() },
        contextTracing: { sqlitePath: join(dir.path, 'tracing.db') },
      },
      { client: false },
    );
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    dir?.remove();
  });

  it('traces the calls of each client program in responses of their own', async () => {
    const echo = async (client: string) => {
      const { body } = await post(
        t.url,
        'tools/call',
        { name: 'everything__echo', arguments: { message: `from ${client}` } },
        { meta: { 'io.modelcontextprotocol/clientInfo': { name: client, version: '1' } } },
      );
      const result = body.result as { _meta: Record<string, { responseId: string }> };
      return result._meta['switchyard/trace']?.responseId;
    };
    const ide = [await echo('ide'), await echo('ide')];
    const cli = await echo('cli');
    expect(ide[0]).toMatch(/^resp_/);
    expect(ide[1]).toBe(ide[0]);
    expect(cli).toMatch(/^resp_/);
    expect(cli).not.toBe(ide[0]);
  });
});

describe('modern requests refused or answered by the proxy itself', () => {
  let t: TestProxy;
  beforeAll(async () => {
    t = await withProxy({ servers: { everything: everythingServer() } }, { client: false });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  const errorOf = (body: Record<string, unknown>) => body.error as Record<string, unknown>;

  it('answers server/discover with versions, capabilities, cache hints and serverInfo', async () => {
    const { status, body } = await post(t.url, 'server/discover');
    expect(status).toBe(200);
    expect(validator.validate(body, 'server/discover').map(formatIssue)).toEqual([]);
    const result = body.result as Record<string, unknown>;
    expect(result.supportedVersions).toEqual([
      '2026-07-28',
      '2025-11-25',
      '2025-06-18',
      '2025-03-26',
      '2024-11-05',
    ]);
    expect(result).toMatchObject({ resultType: 'complete', ttlMs: 0, cacheScope: 'private' });
    expect(result.capabilities).toMatchObject({ tools: {}, prompts: {}, resources: {} });
    expect(result.capabilities).not.toHaveProperty('logging');
    expect(result._meta).toMatchObject({
      'io.modelcontextprotocol/serverInfo': { name: 'switchyard' },
    });
  });

  it('gives list and read results resultType and cache hints', async () => {
    for (const method of [
      'tools/list',
      'prompts/list',
      'resources/list',
      'resources/templates/list',
    ]) {
      const { status, body } = await post(t.url, method);
      expect(status).toBe(200);
      expect(body.result).toMatchObject({
        resultType: 'complete',
        ttlMs: 0,
        cacheScope: 'private',
      });
      expect(validator.validate(body, method).map(formatIssue)).toEqual([]);
    }
    const call = await post(t.url, 'tools/call', {
      name: 'everything__echo',
      arguments: { message: 'hi' },
    });
    expect(call.body.result).toMatchObject({ resultType: 'complete' });
    expect(call.body.result).not.toHaveProperty('ttlMs');
  });

  it('refuses a request without the envelope: 400 and -32602', async () => {
    const { status, body } = await post(t.url, 'tools/list', {}, { meta: null });
    expect(status).toBe(400);
    expect(errorOf(body).code).toBe(-32602);
    const partial = await post(
      t.url,
      'tools/list',
      {},
      {
        meta: { 'io.modelcontextprotocol/clientCapabilities': undefined },
      },
    );
    expect(partial.status).toBe(400);
    expect(errorOf(partial.body).code).toBe(-32602);
  });

  it('refuses an unsupported version: 400 and -32022 naming the supported ones', async () => {
    const { status, body } = await post(
      t.url,
      'tools/list',
      {},
      {
        meta: { 'io.modelcontextprotocol/protocolVersion': '2099-01-01' },
        headers: { 'mcp-protocol-version': '2099-01-01' },
      },
    );
    expect(status).toBe(400);
    expect(body.error).toEqual({
      code: -32022,
      message: expect.any(String),
      data: { supported: ['2026-07-28'], requested: '2099-01-01' },
    });
    expect(validator.validate(body).map(formatIssue)).toEqual([]);
  });

  it('refuses routing headers that disagree with the body: 400 and -32020', async () => {
    const version = await post(
      t.url,
      'tools/list',
      {},
      {
        meta: { 'io.modelcontextprotocol/protocolVersion': '2099-01-01' },
      },
    );
    expect(version.status).toBe(400);
    expect(errorOf(version.body).code).toBe(-32020);
    const cases: Record<string, string>[] = [
      { 'mcp-method': 'tools/list' },
      { 'mcp-name': 'everything__other' },
      { 'mcp-protocol-version': '2025-11-25' },
    ];
    for (const headers of cases) {
      const { status, body } = await post(
        t.url,
        'tools/call',
        { name: 'everything__echo', arguments: { message: 'x' } },
        { headers },
      );
      expect(status).toBe(400);
      expect(errorOf(body).code).toBe(-32020);
    }
  });

  it('decodes base64 routing headers', async () => {
    const { status } = await post(
      t.url,
      'tools/call',
      { name: 'everything__echo', arguments: { message: 'x' } },
      { headers: { 'mcp-name': `=?base64?${btoa('everything__echo')}?=` } },
    );
    expect(status).toBe(200);
  });

  it('answers unknown and removed methods with 404 and -32601', async () => {
    const removed = ['initialize', 'ping', 'logging/setLevel', 'resources/subscribe'];
    for (const method of [...removed, 'resources/unsubscribe', 'nope/nothing']) {
      const { status, body } = await post(t.url, method);
      expect(status).toBe(404);
      expect(errorOf(body).code).toBe(-32601);
    }
  });

  it('streams the progress of a request that asked for it, then its answer, as SSE', async () => {
    const params = {
      name: 'everything__trigger-long-running-operation',
      arguments: { duration: 0.3, steps: 3 },
    };
    const response = await fetch(t.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': MODERN,
        'mcp-method': 'tools/call',
        'mcp-name': params.name,
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 'p',
        method: 'tools/call',
        params: {
          ...params,
          _meta: {
            'io.modelcontextprotocol/protocolVersion': MODERN,
            'io.modelcontextprotocol/clientCapabilities': {},
            progressToken: 'tok',
          },
        },
      }),
    });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const messages = sseEvents(await response.text()).map((e) => JSON.parse(e.data));
    const progress = messages.filter((m) => m.method === 'notifications/progress');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress[0].params.progressToken).toBe('tok');
    expect(messages.at(-1)).toMatchObject({ id: 'p', result: { resultType: 'complete' } });
    for (const message of messages) {
      expect(validator.validate(message, 'tools/call').map(formatIssue)).toEqual([]);
    }
  });

  it('maps resource not found to -32602', async () => {
    const { body } = await post(t.url, 'resources/read', { uri: 'nowhere://at/all' });
    expect(errorOf(body).code).toBe(-32602);
  });

  it('takes a modern notification with 202', async () => {
    const response = await fetch(t.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        method: 'notifications/cancelled',
        params: {
          requestId: 1,
          _meta: {
            'io.modelcontextprotocol/protocolVersion': MODERN,
            'io.modelcontextprotocol/clientCapabilities': {},
          },
        },
      }),
    });
    expect(response.status).toBe(202);
  });

  it('leaves legacy session operations alone: GET and DELETE without a session stay 400', async () => {
    for (const method of ['GET', 'DELETE']) {
      const response = await fetch(t.url, { method, headers: { accept: 'text/event-stream' } });
      expect(response.status).toBe(400);
    }
  });
});

describe('a modern call its client gives up on', () => {
  let t: TestProxy;
  const dir = tempDir();
  const arrivals = join(dir.path, 'arrivals');
  beforeAll(async () => {
    const fx = {
      command: process.execPath,
      args: [fixture('era-server.mjs')],
      env: { FIXTURE_REVISION: '2025-11-25', FIXTURE_ARRIVALS: arrivals },
    };
    t = await withProxy({ servers: { fx } }, { client: false });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    dir.remove();
  });

  const arrived = () =>
    existsSync(arrivals) ? readFileSync(arrivals, 'utf8').split('\n').length - 1 : 0;
  const cancelledCount = async () => {
    const { body } = await post(t.url, 'tools/call', { name: 'fx__cancelled', arguments: {} });
    return firstText(body.result);
  };

  // A JSON answer, then an SSE one (a progress token and an Accept that allows SSE).
  for (const sse of [false, true]) {
    it(`cancels the backend call when the client closes the connection (${sse ? 'SSE' : 'JSON'} answer)`, async () => {
      const before = arrived();
      const abort = new AbortController();
      const response = modernRequest(
        t.url,
        'tools/call',
        { name: 'fx__wait', arguments: {} },
        {
          headers: { accept: sse ? 'application/json, text/event-stream' : 'application/json' },
          meta: sse ? { progressToken: 'p' } : {},
          signal: abort.signal,
        },
      ).catch((error: unknown) => error);
      await until(() => arrived() === before + 1, 'the call to reach the backend');
      const count = Number((await cancelledCount()).split(': ')[1]);
      if (sse) {
        // The progress event has started the stream: the answer is SSE.
        const started = await response;
        expect((started as Response).headers.get('content-type')).toBe('text/event-stream');
      }
      abort.abort();
      if (!sse) expect(await response).toBeInstanceOf(Error);
      await until(
        async () => (await cancelledCount()) === `cancelled at 2025-11-25: ${count + 1}`,
        'the backend to see the cancellation',
      );
    });
  }
});
