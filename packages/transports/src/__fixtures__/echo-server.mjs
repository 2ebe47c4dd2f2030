// Answers every JSON-RPC request with its method and params; `exit` ends the process with
// params.code. Exits 0 when stdin ends, like a well-behaved MCP server.
import { createInterface } from 'node:readline';

const send = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);

createInterface({ input: process.stdin }).on('line', (line) => {
  const message = JSON.parse(line);
  if (message.id === undefined || message.method === undefined) return;
  if (message.method === 'exit') process.exit(message.params?.code ?? 0);
  send({
    jsonrpc: '2.0',
    id: message.id,
    result: { method: message.method, params: message.params },
  });
});
process.stdin.on('end', () => process.exit(0));
