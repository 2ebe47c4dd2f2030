// The systems under test. Every server runs in its own process; the SDK clients run in the bench.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  everything,
  freePort,
  mcpProxyBin,
  spawnChild,
  supergatewayBin,
  waitForHttp,
} from './util.mjs';

const readyPort = (line) => {
  const match = /^READY (\d+)/.exec(line);
  return match ? Number(match[1]) : undefined;
};

/** server-everything over Streamable HTTP (its own process, PORT env). */
export async function everythingHttp() {
  const port = await freePort();
  const { stop } = await spawnChild(process.execPath, [everything, 'streamableHttp'], {
    env: { PORT: String(port) },
    ready: (line) => (line.includes('listening on port') ? true : undefined),
  });
  return { url: `http://127.0.0.1:${port}/mcp`, tool: 'echo', stop };
}

/** Switchyard from `dist`, in a child process (with --expose-gc for P3); `extra` is merged into the config. */
export async function switchyard(servers, extra = {}) {
  const { child, value, stop } = await spawnChild(
    process.execPath,
    ['--expose-gc', 'servers/switchyard.mjs', JSON.stringify({ ...extra, servers })],
    { ready: readyPort, ipc: true },
  );
  const memory = () =>
    new Promise((resolve) => {
      child.once('message', resolve);
      child.send({ type: 'memory' });
    });
  return { url: `http://127.0.0.1:${value}/mcp`, tool: 'ev__echo', stop, memory, pid: child.pid };
}

export const switchyardStdio = () =>
  switchyard({ ev: { command: process.execPath, args: [everything, 'stdio'] } });

export const switchyardHttp = (backendUrl) =>
  switchyard({ ev: { url: backendUrl, transport: 'streamable-http' } });

export async function floor() {
  const { value, stop } = await spawnChild(process.execPath, ['servers/floor.mjs'], {
    ready: readyPort,
  });
  return { url: `http://127.0.0.1:${value}/mcp`, tool: 'echo', stop };
}

/** supergateway 4: stdio backend behind Streamable HTTP, stateful (one child per session). */
export async function supergateway() {
  const port = await freePort();
  const { stop } = await spawnChild(
    process.execPath,
    [
      supergatewayBin,
      '--stdio',
      `${process.execPath} ${everything} stdio`,
      '--outputTransport',
      'streamableHttp',
      '--stateful',
      '--port',
      String(port),
      '--logLevel',
      'info',
    ],
    { ready: (line) => (/listening on port|Listening on port/i.test(line) ? true : undefined) },
  );
  await waitForHttp(`http://127.0.0.1:${port}/mcp`);
  return { url: `http://127.0.0.1:${port}/mcp`, tool: 'echo', stop };
}

/** mcp-proxy 6 (punkpeye): stdio backend behind Streamable HTTP (one child per session). */
export async function mcpProxy() {
  const port = await freePort();
  const { stop } = await spawnChild(
    process.execPath,
    [
      mcpProxyBin,
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
      '--server',
      'stream',
      '--',
      process.execPath,
      everything,
      'stdio',
    ],
    { ready: (line) => (/starting server on port|listening/i.test(line) ? true : undefined) },
  );
  await waitForHttp(`http://127.0.0.1:${port}/mcp`);
  return { url: `http://127.0.0.1:${port}/mcp`, tool: 'echo', stop };
}

/** An SDK client over Streamable HTTP to `target.url`. */
export async function httpClient(target) {
  const client = new Client({ name: 'bench', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(target.url)));
  return client;
}

/** Direct stdio: the SDK client spawns server-everything itself. */
export async function stdioClient() {
  const client = new Client({ name: 'bench', version: '1.0.0' });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [everything, 'stdio'],
      stderr: 'ignore',
    }),
  );
  return client;
}
