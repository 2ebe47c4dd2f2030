import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  getDefaultEnvironment,
  StdioClientTransport,
} from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { type Logger, silentLogger } from '@switchyard/logging';
import type { Clock } from '@switchyard/protocol';
import { createProxy, type SwitchyardProxy } from '@switchyard/proxy';

export const repoRoot = resolve(import.meta.dirname, '../..');
export const cliPath = join(repoRoot, 'apps/proxy/dist/cli.js');

/** The entry script of one of the real MCP servers installed as dev dependencies. */
export function serverScript(
  pkg: 'server-everything' | 'server-memory' | 'server-filesystem',
): string {
  return join(repoRoot, 'tests/node_modules/@modelcontextprotocol', pkg, 'dist/index.js');
}

export function fixture(name: string): string {
  return join(repoRoot, 'tests/fixtures', name);
}

/** A temporary directory removed by the returned cleanup. */
export function tempDir(): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), 'switchyard-test-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** server-everything over stdio, in Switchyard's own config dialect, with `extra` settings. */
export function everythingServer(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    command: process.execPath,
    args: [serverScript('server-everything'), 'stdio'],
    ...extra,
  };
}

/**
 * An SDK client transport that spawns `switchyard --stdio --config <file>`. The SDK passes a
 * spawned server only a few variables (`HOME`, `PATH`, ...), so the test run's state directory
 * (`XDG_STATE_HOME`, set by vitest.config.ts) is passed on explicitly: without it the proxy would
 * write its log files under the user's `~/.local/state`.
 */
export function stdioProxy(configFile: string, args: string[] = []): StdioClientTransport {
  const stateDir = process.env.XDG_STATE_HOME;
  if (!stateDir)
    throw new Error('XDG_STATE_HOME is not set: run the tests through vitest.config.ts');
  return new StdioClientTransport({
    command: process.execPath,
    args: [cliPath, '--stdio', ...args, '--config', configFile],
    env: { ...getDefaultEnvironment(), XDG_STATE_HOME: stateDir },
    stderr: 'ignore',
  });
}

/** The three real servers of the foundation tests, in Switchyard's own config dialect. */
export function realServers(workspace: string): Record<string, unknown> {
  return {
    everything: everythingServer(),
    memory: {
      command: process.execPath,
      args: [serverScript('server-memory')],
      env: { MEMORY_FILE_PATH: join(workspace, 'memory.jsonl') },
    },
    files: { command: process.execPath, args: [serverScript('server-filesystem'), workspace] },
  };
}

/** What {@link withProxy} started: a proxy and the SDK clients connected to it. */
export interface TestProxy extends AsyncDisposable {
  readonly proxy: SwitchyardProxy;
  /** The aggregated endpoint, `http://127.0.0.1:<port>/mcp` (its `origin` serves `/health` etc.). */
  readonly url: URL;
  /** The SDK client connected at start; there is none with `{ client: false }`. */
  readonly client: Client;
  /**
   * Connects one more SDK client over Streamable HTTP, to `url` or to another endpoint of the
   * proxy (such as `/servers/<name>/mcp`); {@link TestProxy.close} closes it if the test does not.
   */
  connect(name?: string, url?: URL): Promise<Client>;
  /** Closes every client connected through {@link connect}, then stops the proxy. */
  close(): Promise<void>;
}

export interface WithProxyOptions {
  /** The name of the client connected at start (default `test-client`), or false for none. */
  client?: string | false;
  /**
   * The proxy's clock: a `ManualClock` lets a test check a timeout or a delay of the proxy
   * exactly, without sleeping. Its timers fire only when the test advances it, stopping included.
   */
  clock?: Clock;
  /** The proxy's logger; silent by default. */
  logger?: Logger;
}

/**
 * Starts a proxy for `config` on 127.0.0.1 with an OS-chosen port and connects a real SDK client
 * over Streamable HTTP. Close it in `afterAll`/`afterEach`, or declare it with `await using`.
 * Stopping the proxy is done once: a test may stop it itself and still leave the rest to `close`.
 */
export async function withProxy(
  config: Record<string, unknown>,
  options: WithProxyOptions = {},
): Promise<TestProxy> {
  const proxy = createProxy(config, {
    logger: options.logger ?? silentLogger(),
    port: 0,
    baseEnv: process.env,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const stop = proxy.stop.bind(proxy);
  let stopping: Promise<void> | undefined;
  proxy.stop = () => {
    stopping ??= stop();
    return stopping;
  };
  await proxy.start();
  const url = new URL(`http://127.0.0.1:${proxy.address?.port}/mcp`);
  const clients: Client[] = [];
  const connect = async (name = 'test-client', at = url) => {
    const client = new Client({ name, version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(at));
    clients.push(client);
    return client;
  };
  const close = async () => {
    await Promise.all(clients.map((client) => client.close().catch(() => {})));
    await proxy.stop();
  };
  let first: Client | undefined;
  try {
    if (options.client !== false) first = await connect(options.client);
  } catch (error) {
    await close();
    throw error;
  }
  return {
    proxy,
    url,
    get client(): Client {
      if (!first) throw new Error('withProxy(config, { client: false }) connects no client');
      return first;
    },
    connect,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** The text of the first text content block of a tool result. */
export function firstText(result: unknown): string {
  const content = (result as { content?: Array<{ type: string; text?: string }> }).content ?? [];
  return content.find((block) => block.type === 'text')?.text ?? '';
}

/** A port free on 127.0.0.1 right now, for servers that cannot report the one they chose. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts a Node script and resolves once its output matches `ready` (with the match). */
export function launch(
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`not ready: ${output}`)), 15_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, match });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
  });
}

/**
 * The three remote backends of the transport tests: server-everything over Streamable HTTP and
 * over HTTP+SSE, and the WebSocket fixture. Kill `children` when done.
 */
export async function launchRemoteBackends(): Promise<{
  httpPort: number;
  ssePort: number;
  wsPort: number;
  children: ChildProcess[];
}> {
  const [httpPort, ssePort] = await Promise.all([freePort(), freePort()]);
  const http = await launch(
    [serverScript('server-everything'), 'streamableHttp'],
    { PORT: String(httpPort) },
    /listening on port/,
  );
  const sse = await launch(
    [serverScript('server-everything'), 'sse'],
    { PORT: String(ssePort) },
    /running on port/,
  );
  const ws = await launch([fixture('ws-server.mjs')], {}, /port (\d+)/);
  return {
    httpPort,
    ssePort,
    wsPort: Number(ws.match[1]),
    children: [http.child, sse.child, ws.child],
  };
}

/** The `initialize` request a raw JSON-RPC client sends, offering `protocolVersion`. */
export { initializeMessage } from '@switchyard/protocol/testing';

/** One event of an SSE body. */
export interface SseEvent {
  id?: string;
  data: string;
}

/** The complete events in SSE text; a trailing partial event is left for the next read. */
export function sseEvents(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .slice(0, -1)
    .map((block) => {
      const event: SseEvent = { data: '' };
      for (const line of block.split('\n')) {
        if (line.startsWith('id: ')) event.id = line.slice(4);
        if (line.startsWith('data: ')) event.data += line.slice(6);
      }
      return event;
    });
}
