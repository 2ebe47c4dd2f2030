// The raw HTTP clients of each era (fetch, the least client work there is), shared by the era
// bench and its on-CPU split (bench/era-oncpu.mjs).
export const MODERN = '2026-07-28';
export const LEGACY = '2025-11-25';
const ACCEPT = 'application/json, text/event-stream';

let counter = 0;
export const message = () => `${++counter}:${'x'.repeat(58)}`;

/** A `tools/call` of the echo tool with a new 64 B message, and `_meta` when given. */
function echoCall(id, tool, meta) {
  const params = { name: tool, arguments: { message: message() } };
  if (meta) params._meta = meta;
  return { jsonrpc: '2.0', id, method: 'tools/call', params };
}

/** The one JSON-RPC answer of a POST, whether it came as JSON or as an SSE stream. */
async function answerOf(response) {
  const text = await response.text();
  if (!response.headers.get('content-type')?.includes('text/event-stream')) return JSON.parse(text);
  for (const line of text.split('\n')) {
    const data = line.startsWith('data:') ? line.slice(5).trim() : '';
    if (data === '') continue; // not data, or a priming event (MCP 2025-11-25, Streamable HTTP)
    const parsed = JSON.parse(data);
    if ('result' in parsed || 'error' in parsed) return parsed;
  }
  throw new Error(`no answer in the stream: ${text.slice(0, 200)}`);
}

function checked(answer) {
  if (answer.error || answer.result?.isError) throw new Error(JSON.stringify(answer));
  return answer;
}

/** A fetch client of the legacy era: initialize once, then the session id on every POST. */
export async function rawLegacy(url, tool) {
  let id = 0;
  const post = (body, session) =>
    fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: ACCEPT,
        ...(session ? { 'mcp-session-id': session, 'mcp-protocol-version': LEGACY } : {}),
      },
      body: JSON.stringify(body),
    });
  const init = await post({
    jsonrpc: '2.0',
    id: ++id,
    method: 'initialize',
    params: {
      protocolVersion: LEGACY,
      capabilities: {},
      clientInfo: { name: 'bench', version: '1' },
    },
  });
  const session = init.headers.get('mcp-session-id');
  checked(await answerOf(init));
  await (await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, session)).text();
  return {
    call: async () => {
      checked(await answerOf(await post(echoCall(++id, tool), session)));
    },
    close: async () => {
      await fetch(url, { method: 'DELETE', headers: { 'mcp-session-id': session } }).catch(
        () => {},
      );
    },
  };
}

/** A fetch client of the modern era: no session; every request carries the envelope and headers. */
export function rawModern(url, tool) {
  let id = 0;
  const envelope = {
    'io.modelcontextprotocol/protocolVersion': MODERN,
    'io.modelcontextprotocol/clientCapabilities': {},
    'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '1' },
  };
  return {
    call: async () => {
      const body = echoCall(++id, tool, envelope);
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: ACCEPT,
          'mcp-protocol-version': MODERN,
          'mcp-method': 'tools/call',
          'mcp-name': tool,
        },
        body: JSON.stringify(body),
      });
      checked(await answerOf(response));
    },
    close: async () => {},
  };
}
