// The floor: the least an HTTP MCP endpoint can do. Answers `initialize`, notifications (202) and
// `tools/call` (echo) at once with JSON, no validation, no SSE. Prints `READY <port>` on stdout.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';

const tool = {
  name: 'echo',
  description: 'Echoes back the input',
  inputSchema: { type: 'object', properties: { message: { type: 'string' } } },
};

const server = createServer((req, res) => {
  if (req.method === 'DELETE') return res.writeHead(200).end();
  if (req.method !== 'POST') return res.writeHead(405, { allow: 'POST, DELETE' }).end();
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const msg = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (msg.id === undefined) return res.writeHead(202).end();
    let result;
    const headers = { 'content-type': 'application/json' };
    if (msg.method === 'initialize') {
      headers['mcp-session-id'] = randomUUID();
      result = {
        protocolVersion: msg.params.protocolVersion,
        capabilities: { tools: {} },
        serverInfo: { name: 'floor', version: '1.0.0' },
      };
    } else if (msg.method === 'tools/list') {
      result = { tools: [tool] };
    } else if (msg.method === 'tools/call') {
      result = { content: [{ type: 'text', text: `Echo: ${msg.params.arguments?.message}` }] };
    } else {
      result = {};
    }
    res.writeHead(200, headers).end(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result }));
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(`READY ${server.address().port}`));
