// The floor: the least an HTTP MCP endpoint can do. Answers `initialize`, notifications (202) and
// `tools/call` (echo) at once with JSON, no validation, no SSE. Prints `READY <port>` on stdout.
import { serveJsonRpc } from '../lib/json-http-server.mjs';

const tool = {
  name: 'echo',
  description: 'Echoes back the input',
  inputSchema: { type: 'object', properties: { message: { type: 'string' } } },
};

serveJsonRpc((msg) => {
  if (msg.method === 'initialize') {
    return {
      protocolVersion: msg.params.protocolVersion,
      capabilities: { tools: {} },
      serverInfo: { name: 'floor', version: '1.0.0' },
    };
  }
  if (msg.method === 'tools/list') return { tools: [tool] };
  if (msg.method === 'tools/call') {
    return { content: [{ type: 'text', text: `Echo: ${msg.params.arguments?.message}` }] };
  }
  return {};
});
