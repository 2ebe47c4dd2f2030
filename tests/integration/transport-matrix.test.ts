import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { until } from '@switchyard/protocol/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { stringify } from 'yaml';
import {
  firstText,
  fixture,
  launch,
  stdioProxy,
  type TestProxy,
  tempDir,
  withProxy,
} from './helpers.js';

/**
 * The transport matrix (docs/transports.md, "The matrix"): every client transport of the proxy
 * against every backend transport. Each backend is tests/fixtures/transport-server.mjs (the SDK's
 * server transports, and ours for WebSocket) under its own name, serving `<name>://about`, whose
 * text names it: only that backend can answer a cell's read. Each cell also cancels a call the
 * backend holds open, and asks the backend whether it saw the cancellation.
 */

/** What every cell of the matrix needs from a client, whatever its transport. */
interface MatrixClient {
  listTools(): Promise<string[]>;
  call(
    name: string,
    args: Record<string, unknown>,
    onProgress?: (progress: number) => void,
  ): Promise<string>;
  /** Starts a call and cancels it once `cancel` resolves. */
  callAndCancel(
    name: string,
    args: Record<string, unknown>,
    cancel: Promise<unknown>,
  ): Promise<void>;
  read(uri: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Progress is observed on the wire: the SDK client drops a progress notification that arrives in
 * the same read as its response (it settles the request first), a quirk of that client, not of
 * what the proxy sent.
 */
function sdkClient(client: Client, transport: Transport): MatrixClient {
  const progress = new Map<string | number, (value: number) => void>();
  const deliver = transport.onmessage;
  transport.onmessage = (message, extra) => {
    const m = message as {
      method?: string;
      params?: { progressToken?: string | number; progress?: number };
    };
    if (m.method === 'notifications/progress' && m.params?.progressToken !== undefined) {
      progress.get(m.params.progressToken)?.(m.params.progress ?? -1);
    }
    deliver?.(message, extra);
  };
  let calls = 0;
  return {
    listTools: async () => (await client.listTools()).tools.map((t) => t.name),
    call: async (name, args, onProgress) => {
      const token = `matrix-${++calls}`;
      if (onProgress) progress.set(token, onProgress);
      const meta = onProgress ? { _meta: { progressToken: token } } : {};
      return firstText(await client.callTool({ name, arguments: args, ...meta }));
    },
    callAndCancel: async (name, args, cancel) => {
      const controller = new AbortController();
      const call = client.callTool({ name, arguments: args }, undefined, {
        signal: controller.signal,
        timeout: 60_000,
      });
      await cancel;
      // The SDK sends notifications/cancelled and rejects the call with the abort reason.
      controller.abort('the matrix cancels');
      await expect(call).rejects.toThrow(/the matrix cancels/);
    },
    read: async (uri) => {
      const content = (await client.readResource({ uri })).contents[0];
      return content && 'text' in content ? content.text : '';
    },
    close: () => client.close(),
  };
}

/** A JSON-RPC client over the proxy's WebSocket front (`ws`, subprotocol `mcp`). */
async function wsClient(url: string): Promise<MatrixClient> {
  const socket = new WebSocket(url, 'mcp');
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  let nextId = 1;
  const waiting = new Map<
    number,
    (message: { result?: Record<string, unknown>; error?: { message: string } }) => void
  >();
  const progress = new Map<string, (value: number) => void>();
  socket.on('message', (data) => {
    const message = JSON.parse(String(data));
    if (message.method === 'notifications/progress')
      progress.get(message.params.progressToken)?.(message.params.progress);
    else if (message.id !== undefined) waiting.get(message.id)?.(message);
  });
  const send = (message: Record<string, unknown>) =>
    socket.send(JSON.stringify({ jsonrpc: '2.0', ...message }));
  const request = (method: string, params: Record<string, unknown>, id = nextId++) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      waiting.set(id, (message) =>
        message.error ? reject(new Error(message.error.message)) : resolve(message.result ?? {}),
      );
      send({ id, method, params });
    });
  await request('initialize', {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'ws', version: '1' },
  });
  send({ method: 'notifications/initialized' });
  return {
    listTools: async () =>
      ((await request('tools/list', {})).tools as Array<{ name: string }>).map((t) => t.name),
    call: async (name, args, onProgress) => {
      const token = `p${nextId}`;
      if (onProgress) progress.set(token, onProgress);
      const result = await request('tools/call', {
        name,
        arguments: args,
        ...(onProgress ? { _meta: { progressToken: token } } : {}),
      });
      return firstText(result);
    },
    callAndCancel: async (name, args, cancel) => {
      const id = nextId++;
      // A cancelled request gets no answer (MCP 2025-11-25, Utilities: Cancellation).
      request('tools/call', { name, arguments: args }, id).catch(() => {});
      await cancel;
      send({ method: 'notifications/cancelled', params: { requestId: id, reason: 'matrix' } });
    },
    read: async (uri) =>
      ((await request('resources/read', { uri })).contents as Array<{ text: string }>)[0]?.text ??
      '',
    close: async () => socket.close(),
  };
}

const BACKENDS = ['stdio', 'http', 'sse', 'ws'] as const;
const FRONTS = ['streamable-http', 'sse', 'stdio', 'websocket'] as const;
type Backend = (typeof BACKENDS)[number];
/** The fixture's transport argument for each backend. */
const MODES: Record<Backend, string> = {
  stdio: 'stdio',
  http: 'streamable-http',
  sse: 'sse',
  ws: 'websocket',
};

/** What a backend's `waits` tool reports. */
interface Waits {
  started: string[];
  cancelled: string[];
}

describe('transport matrix: 4 client transports x 4 backend transports', () => {
  const dir = tempDir();
  const children: ChildProcess[] = [];
  let servers: Record<string, unknown>;
  let testProxy: TestProxy | undefined;
  let origin: string;

  beforeAll(async () => {
    const serve = async (backend: Exclude<Backend, 'stdio'>) => {
      const { child, match } = await launch(
        [fixture('transport-server.mjs'), MODES[backend], backend],
        {},
        /port (\d+)/,
      );
      children.push(child);
      return Number(match[1]);
    };
    const [httpPort, ssePort, wsPort] = await Promise.all([
      serve('http'),
      serve('sse'),
      serve('ws'),
    ]);
    servers = {
      stdio: {
        command: process.execPath,
        args: [fixture('transport-server.mjs'), 'stdio', 'stdio'],
      },
      http: { url: `http://127.0.0.1:${httpPort}/mcp`, transport: 'streamable-http' },
      sse: { url: `http://127.0.0.1:${ssePort}/sse`, transport: 'sse' },
      ws: { url: `ws://127.0.0.1:${wsPort}` },
    };
    testProxy = await withProxy({ servers }, { client: false });
    origin = testProxy.url.origin;
  });

  afterAll(async () => {
    await testProxy?.close();
    for (const child of children) child.kill();
    dir.remove();
  });

  async function connect(front: (typeof FRONTS)[number]): Promise<MatrixClient> {
    if (front === 'websocket') return wsClient(`${origin.replace('http', 'ws')}/ws`);
    const client = new Client({ name: `matrix-${front}`, version: '1.0.0' });
    let transport: Transport;
    if (front === 'streamable-http')
      transport = new StreamableHTTPClientTransport(new URL(`${origin}/mcp`));
    else if (front === 'sse') transport = new SSEClientTransport(new URL(`${origin}/sse`));
    else {
      const file = join(dir.path, 'matrix.yaml');
      writeFileSync(file, stringify({ servers }));
      transport = stdioProxy(file, ['--no-watch']);
    }
    await client.connect(transport);
    return sdkClient(client, transport);
  }

  for (const front of FRONTS) {
    it(`${front} client: lists, calls, gets progress, reads and cancels through every backend transport`, async () => {
      const client = await connect(front);
      try {
        const tools = await client.listTools();
        for (const backend of BACKENDS) expect(tools).toContain(`${backend}__echo`);
        for (const backend of BACKENDS) {
          const cell = `${front}->${backend}`;
          expect(await client.call(`${backend}__echo`, { message: cell })).toBe(cell);

          const seen: number[] = [];
          const done = await client.call(`${backend}__steps`, { steps: 2 }, (p) => seen.push(p));
          expect(done).toBe(`2 steps done by ${backend}`);
          expect(seen, `${cell} progress`).toEqual([1, 2]);

          // Only this backend serves `<backend>://about`, and its text names the transport.
          expect(await client.read(`${backend}://about`), `${cell} read`).toBe(
            `served by ${backend} over ${MODES[backend]}`,
          );

          const waits = async () => JSON.parse(await client.call(`${backend}__waits`, {})) as Waits;
          await client.callAndCancel(
            `${backend}__wait`,
            { tag: cell },
            until(async () => (await waits()).started.includes(cell), `${cell} to start`),
          );
          await until(
            async () => (await waits()).cancelled.includes(cell),
            `the ${backend} backend to see the cancellation from ${front}`,
          );
        }
      } finally {
        await client.close();
      }
    });
  }
});
