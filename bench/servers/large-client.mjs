// P7 head-of-line load: a second MCP client, in its own process so its parsing does not stall
// the measuring client. argv: <url> <tool> <bytes>. Opens a Streamable HTTP session with raw
// `fetch`, prints `READY`, then fetches `bytes`-sized results back to back until SIGTERM,
// printing `T <ms>` per completed call.
import { performance } from 'node:perf_hooks';

const [url, tool, bytes] = process.argv.slice(2);
const headers = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': '2025-06-18',
};
const post = async (body) => {
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${res.status} ${text.slice(0, 200)}`);
  return { res, text };
};

const { res } = await post({
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'large-client', version: '1.0.0' },
  },
});
const session = res.headers.get('mcp-session-id');
if (session) headers['mcp-session-id'] = session;
await post({ jsonrpc: '2.0', method: 'notifications/initialized' });
console.log('READY');

let stopping = false;
process.on('SIGTERM', () => {
  stopping = true;
});
for (let id = 1; !stopping; id++) {
  const t = performance.now();
  const { text } = await post({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name: tool, arguments: { bytes: Number(bytes) } },
  });
  if (text.length < Number(bytes)) throw new Error(`short result: ${text.length} chars`);
  console.log(`T ${(performance.now() - t).toFixed(1)}`);
}
process.exit(0);
