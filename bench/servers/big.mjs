// P7 backend: the least an MCP server can do, with two tools: `big` ({ bytes }) answers
// 'x'.repeat(bytes) as one text item, and `echo` ({ message }) echoes. No SDK, no validation.
// `node servers/big.mjs stdio` speaks newline-delimited JSON-RPC on stdin/stdout;
// `node servers/big.mjs http` is a Streamable HTTP endpoint answering JSON (no SSE) and prints
// `READY <port>`.
import { createInterface } from 'node:readline';
import { serveJsonRpc } from '../lib/json-http-server.mjs';

const tools = [
  {
    name: 'big',
    description: 'Returns a text result of `bytes` characters',
    inputSchema: { type: 'object', properties: { bytes: { type: 'number' } } },
  },
  {
    name: 'echo',
    description: 'Echoes back the input',
    inputSchema: { type: 'object', properties: { message: { type: 'string' } } },
  },
];

function answer(msg) {
  if (msg.method === 'initialize') {
    return {
      protocolVersion: msg.params.protocolVersion,
      capabilities: { tools: {} },
      serverInfo: { name: 'big', version: '1.0.0' },
    };
  }
  if (msg.method === 'tools/list') return { tools };
  if (msg.method === 'tools/call') {
    const args = msg.params.arguments ?? {};
    const text =
      msg.params.name === 'big' ? 'x'.repeat(Number(args.bytes)) : `Echo: ${args.message}`;
    return { content: [{ type: 'text', text }] };
  }
  return {};
}

const reply = (msg) => JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: answer(msg) });

if (process.argv[2] === 'stdio') {
  createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY }).on(
    'line',
    (line) => {
      if (!line.trim()) return;
      const msg = JSON.parse(line);
      if (msg.id !== undefined && msg.method) process.stdout.write(`${reply(msg)}\n`);
    },
  );
} else {
  serveJsonRpc(answer);
}
