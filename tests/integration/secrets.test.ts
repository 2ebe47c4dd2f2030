import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { normalizeConfig } from '@switchyard/config';
import { createLogger } from '@switchyard/logging';
import { until } from '@switchyard/protocol/testing';
import { createProxy, type SwitchyardProxy } from '@switchyard/proxy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstText, fixture, freePort, tempDir } from './helpers.js';

/*
 * The canary test of docs/operations.md, "Secrets": backends that print their own tokens, one
 * configured at start and one added by hot reload, and a remote server whose URL carries a key.
 * No canary may show on any surface the proxy writes or answers with, while ordinary env values
 * (`LOG_LEVEL: info`, `STATE: running`) come through unchanged.
 */

const AT_START = 'canary-start-5d1e9b7a';
const BY_RELOAD = 'canary-reload-8c2f4e61';
const IN_URL = 'canary-url-3b7d0a95';
const CANARIES = [AT_START, BY_RELOAD, IN_URL];

function allFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** A stdio backend printing `token` on stderr, on stdout and in its errors. */
const leaky = (token: string) => ({
  command: process.execPath,
  args: [fixture('leaky-server.mjs')],
  env: { API_TOKEN: token, LOG_LEVEL: 'info', STATE: 'running' },
});

describe('secrets are redacted on every surface, reloads included', () => {
  const dir = tempDir();
  const logDir = join(dir.path, 'logs');
  const chunks: string[] = [];
  const proxyLog = () => chunks.join('');
  let proxy: SwitchyardProxy;
  let client: Client;
  let base = '';
  let servers: Record<string, unknown> = {};
  /** Error texts the client received. */
  const errors: string[] = [];
  /** What tool `show` of each leaky server answered (results are the client's, unredacted). */
  const shown: string[] = [];

  const tracingDb = join(dir.path, 'tracing.db');
  const configOf = (next: Record<string, unknown>) =>
    normalizeConfig({
      logging: { dir: logDir, level: 'debug' },
      contextTracing: { sqlitePath: tracingDb },
      servers: next,
    });
  /** A server's current log file, empty until it exists. */
  const fileOf = (server: string) => {
    try {
      return readFileSync(join(logDir, server, 'server.log'), 'utf8');
    } catch {
      return '';
    }
  };
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= proxy.stop();
    return stopping;
  };
  const get = async (path: string) => (await fetch(`${base}${path}`)).text();
  const errorOf = (call: Promise<unknown>) =>
    call.then(
      () => 'no error',
      (error: unknown) => String(error),
    );

  beforeAll(async () => {
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
    const closedPort = await freePort();
    servers = {
      leaky: leaky(AT_START),
      gone: {
        url: `http://127.0.0.1:${closedPort}/mcp?api_key=${IN_URL}`,
        restartOnFailure: false,
      },
    };
    proxy = createProxy(configOf(servers), {
      logger: createLogger({ stream, level: 'debug' }),
      port: 0,
      baseEnv: process.env,
      stateFile: join(dir.path, 'server-state.json'),
    });
    await proxy.start();
    base = `http://127.0.0.1:${proxy.address?.port}`;
    client = new Client({ name: 'secrets-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`)));
    await until(() => fileOf('leaky').includes('token='), 'the start-up server to print');

    servers = { ...servers, added: leaky(BY_RELOAD) };
    const summary = await proxy.reload(configOf(servers));
    expect(summary.added).toEqual(['added']);
    await until(
      () => fileOf('added').includes('token=') && fileOf('added').includes('log level'),
      'the server added by reload to print',
    );
    errors.push(
      await errorOf(client.callTool({ name: 'leaky__leak', arguments: {} })),
      await errorOf(client.callTool({ name: 'added__leak', arguments: {} })),
      await errorOf(client.callTool({ name: 'gone__anything', arguments: {} })),
    );
    await until(() => fileOf('added').includes('calling upstream'), 'the call to be logged');
    for (const name of ['leaky__show', 'added__show']) {
      shown.push(firstText(await client.callTool({ name, arguments: {} })));
    }
  });

  afterAll(async () => {
    await client?.close().catch(() => {});
    if (proxy) await stop();
    dir.remove();
  });

  it('redacts the token of a server added by hot reload from the proxy log and its log file', async () => {
    expect(fileOf('added')).toMatch(/\[STDERR\] debug: using token \[redacted\]$/m);
    expect(fileOf('added')).toMatch(/\[STDOUT\] token=\[redacted\]$/m);
    expect(fileOf('added')).not.toContain(BY_RELOAD);
    expect(proxyLog()).toContain('using token [redacted]');
    expect(proxyLog()).not.toContain(BY_RELOAD);
  });

  it('keeps ordinary env values and state words: LOG_LEVEL info and running', async () => {
    for (const server of ['leaky', 'added']) {
      expect(fileOf(server)).toMatch(/\[STDERR\] log level info, state running$/m);
      expect(fileOf(server)).toMatch(/\[PROXY\] starting -> running: /);
    }
    expect(proxyLog()).toContain('"level":"info"');
    expect(proxyLog()).toContain('"message":"backend running"');
    expect(proxyLog()).not.toMatch(/"level":"\[redacted\]"/);
  });

  it('redacts error texts sent to clients: a backend error, and a reason quoting a URL', () => {
    expect(errors[0]).toContain('upstream refused token [redacted]');
    expect(errors[1]).toContain('upstream refused token [redacted]');
    expect(errors[2]).toMatch(/Backend "gone" is unavailable \(failed: .*api_key=\[redacted\]/);
    for (const canary of CANARIES) expect(errors.join('\n')).not.toContain(canary);
  });

  it('leaves no canary on any surface', async () => {
    const read = async (uri: string) => {
      const content = (await client.readResource({ uri })).contents[0];
      return content && 'text' in content ? content.text : '';
    };
    const call = async (name: string, args: Record<string, unknown> = {}) =>
      firstText(await client.callTool({ name: `switchyard__${name}`, arguments: args }));
    const surfaces: Record<string, string> = {
      'GET /api/servers': await get('/api/servers'),
      'GET /api/logs/leaky': await get('/api/logs/leaky?lines=1000'),
      'GET /api/logs/added': await get('/api/logs/added?lines=1000'),
      'GET /health': await get('/health'),
      'GET /ready': await get('/ready'),
      'GET /metrics': await get('/metrics'),
      'proxy://config': await read('proxy://config'),
      'proxy://health': await read('proxy://health'),
      'proxy://topology': await read('proxy://topology'),
      'proxy://metrics': await read('proxy://metrics'),
      server_list: await call('server_list'),
      'server_logs leaky': await call('server_logs', { name: 'leaky', lines: 1000 }),
      'server_logs added': await call('server_logs', { name: 'added', lines: 1000 }),
      'error texts': errors.join('\n'),
    };
    // The reason of `gone` quotes its URL; the logs quote the tokens: all of them redacted.
    expect(surfaces['GET /api/servers']).toContain('api_key=[redacted]');
    expect(surfaces['GET /api/logs/added']).toContain('token=[redacted]');
    expect(surfaces['server_logs leaky']).toContain('using token [redacted]');
    expect(surfaces['proxy://config']).toContain('"API_TOKEN": "[redacted]"');
    // The client got the results as they were; context tracing stores them redacted (below).
    expect(shown).toEqual([
      `settings:\n${AT_START}\nlevel info`,
      `settings:\n${BY_RELOAD}\nlevel info`,
    ]);
    await stop();
    surfaces['proxy log'] = proxyLog();
    for (const file of allFiles(logDir)) surfaces[file] = readFileSync(file, 'utf8');
    // The database's own bytes (the write-ahead log included, if it is left), as text.
    for (const file of allFiles(dir.path).filter((f) => f.startsWith(tracingDb))) {
      surfaces[file] = readFileSync(file, 'latin1');
    }
    expect(Object.keys(surfaces).some((s) => s.endsWith('tracing.db'))).toBe(true);
    expect(surfaces[tracingDb]).toContain('settings: [redacted] level info');
    const leaks = Object.entries(surfaces).flatMap(([surface, text]) =>
      CANARIES.filter((canary) => text.includes(canary)).map((canary) => `${canary} on ${surface}`),
    );
    expect(leaks).toEqual([]);
    expect(surfaces['proxy log']).toContain('api_key=[redacted]');
  });
});
