// P4: builds a proxy with argv[2] stdio backends (argv[3]: command as JSON [cmd, ...args]), calls
// start() and times, from that call: /health 200 (listening), /ready 200, and an MCP
// `tools/list` that shows an echo tool of every backend. Prints one JSON line.
import { performance } from 'node:perf_hooks';
import { silentLogger } from '@switchyard/logging';
import { createProxy } from '@switchyard/proxy';

const n = Number(process.argv[2]);
const [command, ...args] = JSON.parse(process.argv[3]);
const servers = Object.fromEntries(
  Array.from({ length: n }, (_, i) => [`s${i}`, { command, args }]),
);
const proxy = createProxy({ servers }, { logger: silentLogger(), port: 0, logFiles: false });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const t0 = performance.now();
const started = proxy.start();
while (!proxy.address) await sleep(1);
const base = `http://127.0.0.1:${proxy.address.port}`;
const until = async (check) => {
  for (;;) {
    try {
      if (await check()) return performance.now() - t0;
    } catch {}
    await sleep(2);
  }
};
const health = await until(async () => (await fetch(`${base}/health`)).status === 200);
const ready = await until(async () => (await fetch(`${base}/ready`)).status === 200);
// All backends listed: one raw session, tools/list until every sN__echo is there.
const headers = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
};
const post = (body, session) =>
  fetch(`${base}/mcp`, {
    method: 'POST',
    headers: session ? { ...headers, 'mcp-session-id': session } : headers,
    body: JSON.stringify(body),
  });
const init = await post({
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'p4', version: '1' },
  },
});
const session = init.headers.get('mcp-session-id');
await init.text();
await (await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, session)).text();
let id = 1;
const listed = await until(async () => {
  const text = await (
    await post({ jsonrpc: '2.0', id: id++, method: 'tools/list' }, session)
  ).text();
  for (let i = 0; i < n; i++) if (!text.includes(`"s${i}__echo"`)) return false;
  return true;
});
await started;
const startResolved = performance.now() - t0;
console.log(JSON.stringify({ n, health, ready, listed, startResolved }));
await proxy.stop();
process.exit(0);
