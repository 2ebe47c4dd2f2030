import type { ChildProcess } from 'node:child_process';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  AdminApiError,
  type AdminClient,
  type AdminEvent,
  createAdminClient,
} from '@switchyard/admin-api';
import { until } from '@switchyard/protocol/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  everythingServer,
  fixture,
  freePort,
  launch,
  type TestProxy,
  tempDir,
  withProxy,
} from './helpers.js';

const KEY = 'admin-key-for-tests-0001';
const SECRET = 'sk-live-this-must-never-leave-0001';

/**
 * The admin API against a real proxy: server-everything over stdio (`everything`), the HTTP
 * fixture reached over Streamable HTTP (`remote`), and a key on `/api`.
 */
describe('admin API', () => {
  let t: TestProxy;
  let api: AdminClient;
  let remote: ChildProcess | undefined;
  const logDir = tempDir();

  beforeAll(async () => {
    const launched = await launch([fixture('http-server.mjs')], {}, /port (\d+)/);
    remote = launched.child;
    t = await withProxy({
      servers: {
        everything: everythingServer({ env: { OPENAI_API_KEY: SECRET } }),
        remote: { url: `http://127.0.0.1:${launched.match[1]}/mcp`, transport: 'streamable-http' },
      },
      dashboard: { apiKey: KEY },
      logging: { dir: logDir.path },
    });
    api = createAdminClient({ baseUrl: t.url.origin, key: KEY });
  });
  afterAll(async () => {
    await t?.close();
    remote?.kill();
    logDir.remove();
  });

  it('answers 401 with a clear message without the key, and with a wrong one', async () => {
    for (const key of [undefined, 'wrong-key']) {
      const anonymous = createAdminClient({ baseUrl: t.url.origin, ...(key ? { key } : {}) });
      const error = await anonymous.servers().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AdminApiError);
      expect((error as AdminApiError).status).toBe(401);
      expect((error as AdminApiError).unauthorized).toBe(true);
      expect((error as AdminApiError).message).toMatch(/key|Unauthorized/i);
    }
    const raw = await fetch(new URL('/api/events', t.url), { headers: {} });
    expect(raw.status).toBe(401);
  });

  it('lists every server with state, transport, revision, counts and uptime', async () => {
    await until(async () =>
      (await api.servers()).every((s) => s.counts !== null || s.state !== 'running'),
    );
    const servers = await api.servers();
    const everything = servers.find((s) => s.name === 'everything');
    const remoteServer = servers.find((s) => s.name === 'remote');
    expect(everything).toMatchObject({
      state: 'running',
      transport: 'stdio',
      enabled: true,
      restarts: 0,
      lastError: null,
    });
    expect(everything?.revision).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(everything?.counts?.tools).toBeGreaterThan(5);
    expect(everything?.runningSince).toBeTypeOf('number');
    expect(everything?.uptimeMs).toBeGreaterThanOrEqual(0);
    expect(remoteServer).toMatchObject({ state: 'running', transport: 'streamable-http' });
    expect(remoteServer?.counts).toEqual({
      tools: 3,
      prompts: 0,
      resources: 0,
      resourceTemplates: 0,
    });
    expect(servers.find((s) => s.name === 'switchyard')?.transport).toBe('virtual');
  });

  it("shows a server's tools with schemas, capabilities, info and state history", async () => {
    const detail = await api.server('everything');
    const echo = detail.tools.find((tool) => tool.name === 'echo');
    expect(echo?.exposedAs).toBe('everything__echo');
    expect(echo?.inputSchema).toMatchObject({ type: 'object', properties: { message: {} } });
    expect(detail.capabilities).toHaveProperty('tools');
    expect(detail.serverInfo).toHaveProperty('name');
    expect(detail.prompts.length).toBeGreaterThan(0);
    expect(detail.resources.length + detail.resourceTemplates.length).toBeGreaterThan(0);
    expect(detail.history.map((h) => h.to)).toContain('running');
    expect(JSON.stringify(detail)).not.toContain(SECRET);
    await expect(api.server('nope')).rejects.toMatchObject({ status: 404 });
  });

  it('stops and starts a real backend, and /api/events delivers each state change', async () => {
    const events: AdminEvent[] = [];
    const live = api.events((event) => events.push(event));
    await until(() => events.some((e) => e.type === 'snapshot'));
    const stopped = await api.act('remote', 'stop');
    expect(stopped.server.state).toBe('stopped');
    await until(() =>
      events.some(
        (e) => e.type === 'server' && e.server.name === 'remote' && e.server.state === 'stopped',
      ),
    );
    // Its tools are gone from the aggregate while it is stopped.
    const listed = await t.client.listTools();
    expect(listed.tools.some((tool) => tool.name.startsWith('remote__'))).toBe(false);
    const started = await api.act('remote', 'start');
    expect(started.server.state).toBe('running');
    // Stopping is no failure: nothing about it (or the lists it cut short) is a recent error.
    expect(started.server.lastError).toBeNull();
    await api.act('switchyard', 'stop');
    const builtIn = await api.act('switchyard', 'start');
    expect(builtIn.server).toMatchObject({ state: 'running', lastError: null });
    await until(() =>
      events.some(
        (e) => e.type === 'server' && e.server.name === 'remote' && e.change?.to === 'running',
      ),
    );
    live.close();
    await live.done;
    await expect(api.act('remote', 'explode' as never)).rejects.toMatchObject({ status: 404 });
  });

  it('tails the proxy lines of a remote backend, which writes no output of its own', async () => {
    const tail = await api.logs('remote', { lines: 50 });
    expect(tail.lines.some((line) => line.stream === 'proxy' && /stopped/.test(line.text))).toBe(
      true,
    );
  });

  it('computes the metrics summary from the requests it handled', async () => {
    const before = await api.metrics();
    const count = (summary: typeof before, method: string) =>
      summary.servers
        .find((s) => s.server === 'everything')
        ?.methods.find((m) => m.method === method)?.windows['1m'] ?? { requests: 0, errors: 0 };
    for (let i = 0; i < 6; i++)
      await t.client.callTool({ name: 'everything__echo', arguments: { message: `m${i}` } });
    // An unknown prompt is a JSON-RPC error of the backend itself, not a tool result.
    for (let i = 0; i < 2; i++)
      await t.client.getPrompt({ name: 'everything__no_such_prompt' }).catch(() => {});
    const after = await api.metrics();
    const calls = count(after, 'tools/call');
    expect(calls.requests - count(before, 'tools/call').requests).toBe(6);
    expect(calls.errors - count(before, 'tools/call').errors).toBe(0);
    const prompts = count(after, 'prompts/get');
    expect(prompts.requests - count(before, 'prompts/get').requests).toBe(2);
    expect(prompts.errors - count(before, 'prompts/get').errors).toBe(2);
    const windows = after.servers.find((s) => s.server === 'everything')?.windows;
    expect(windows?.['1m'].p50Ms).toBeGreaterThan(0);
    expect(windows?.['15m'].requests).toBeGreaterThanOrEqual(windows?.['1m'].requests ?? 0);
    expect(after.restartsLastHour).toBe(0);
  });

  it('lists client sessions with their client name, revision and principal', async () => {
    const second = await t.connect('admin-test-client');
    const sessions = await api.sessions();
    const mine = sessions.find((s) => s.clientName === 'admin-test-client');
    expect(mine).toMatchObject({ endpoint: 'main', transport: 'streamable-http', inFlight: 0 });
    expect(mine?.revision).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(mine?.principal).toBe('anonymous');
    await (second.transport as StreamableHTTPClientTransport).terminateSession();
    await second.close();
    await until(
      async () => !(await api.sessions()).some((s) => s.clientName === 'admin-test-client'),
    );
  });

  it('shows the config with secrets redacted', async () => {
    const view = await api.config();
    const text = JSON.stringify(view);
    expect(text).toContain('everything');
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(KEY);
  });

  it('validates a config text with line and column of each error, applying nothing', async () => {
    const bad = await api.validateConfig(
      'servers:\n  a:\n    command: 12\n    restartOnFailur: true\n',
    );
    expect(bad.ok).toBe(false);
    expect(bad.issues.length).toBeGreaterThan(0);
    for (const issue of bad.issues) {
      expect(issue.line).toBeGreaterThanOrEqual(3);
      expect(issue.column).toBeGreaterThan(0);
    }
    const good = await api.validateConfig('servers:\n  a:\n    command: node\n');
    expect(good).toEqual({ ok: true, format: 'yaml', issues: [], servers: ['a'] });
    expect((await api.servers()).some((s) => s.name === 'a')).toBe(false);
  });

  it('calls a tool through the proxy and returns the raw exchange', async () => {
    const exchange = await api.rpc({
      method: 'tools/call',
      params: { name: 'everything__echo', arguments: { message: 'from the playground' } },
    });
    expect(exchange.request).toMatchObject({ jsonrpc: '2.0', method: 'tools/call' });
    expect(JSON.stringify(exchange.response.result)).toContain('from the playground');
    expect(exchange.durationMs).toBeGreaterThanOrEqual(0);
    const listed = await api.rpc({ method: 'tools/list' });
    const tools = (listed.response.result?.tools ?? []) as Array<{ name: string }>;
    const names = tools.map((tool) => tool.name);
    expect(names).toContain('remote__wait');
    await expect(api.rpc({ method: 'initialize' })).rejects.toMatchObject({ status: 400 });
  });
});

describe('dashboard assets', () => {
  let t: TestProxy;
  beforeAll(async () => {
    t = await withProxy(
      { servers: { raw: { command: process.execPath, args: [fixture('raw-server.mjs')] } } },
      { client: false },
    );
  });
  afterAll(() => t?.close());

  it('serves the page with a Content-Security-Policy, hashed assets for a year, and a fallback', async () => {
    const page = await fetch(new URL('/', t.url));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const html = await page.text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(new URL(script as string, t.url));
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    const deep = await fetch(new URL('/servers/raw', t.url));
    expect(await deep.text()).toBe(html);
    expect((await fetch(new URL('/assets/missing-0000.js', t.url))).status).toBe(404);
    // Proxy routes are never the page.
    expect((await fetch(new URL('/health', t.url))).headers.get('content-type')).toMatch(/json/);
    expect((await fetch(new URL('/api/nothing-here', t.url))).status).toBe(404);
  });
});

describe('the dashboard on a port of its own (dashboard.port)', () => {
  it('serves the page and /api there, and leaves the proxy port without the page', async () => {
    const port = await freePort();
    await using t = await withProxy(
      {
        servers: { raw: { command: process.execPath, args: [fixture('raw-server.mjs')] } },
        dashboard: { port },
      },
      { client: false },
    );
    expect(t.proxy.dashboardAddress?.port).toBe(port);
    const own = `http://127.0.0.1:${port}`;
    const page = await fetch(`${own}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    const servers = (await (await fetch(`${own}/api/servers`)).json()) as Array<{ name: string }>;
    expect(servers.map((s) => s.name)).toContain('raw');
    // MCP stays on the proxy's port only.
    expect((await fetch(`${own}/mcp`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await fetch(new URL('/', t.url))).status).toBe(404);
  });
});
