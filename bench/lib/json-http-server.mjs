// The least an HTTP MCP endpoint can do, shared by the floor and the P7 backend: every POST is one
// JSON-RPC message; notifications get 202, requests `answer(message)` as a JSON result at once
// (a session id on `initialize`), DELETE ends nothing. Prints `READY <port>` on stdout.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';

export function serveJsonRpc(answer) {
  const server = createServer((req, res) => {
    if (req.method === 'DELETE') return res.writeHead(200).end();
    if (req.method !== 'POST') return res.writeHead(405, { allow: 'POST, DELETE' }).end();
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const msg = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      if (msg.id === undefined) return res.writeHead(202).end();
      const headers = { 'content-type': 'application/json' };
      if (msg.method === 'initialize') headers['mcp-session-id'] = randomUUID();
      res
        .writeHead(200, headers)
        .end(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: answer(msg) }));
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => console.log(`READY ${server.address().port}`));
}
