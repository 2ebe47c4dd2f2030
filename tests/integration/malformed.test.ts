import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, initializeMessage, type TestProxy, tempDir, withProxy } from './helpers.js';

const HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
};

describe('malformed input on /mcp', () => {
  const dir = tempDir();
  const record = join(dir.path, 'received.jsonl');
  let testProxy: TestProxy;
  let url: URL;
  let session: string;

  function post(body: string, headers: Record<string, string> = {}) {
    return fetch(url, { method: 'POST', headers: { ...HEADERS, ...headers }, body });
  }

  beforeAll(async () => {
    writeFileSync(record, '');
    testProxy = await withProxy(
      {
        servers: {
          recorder: {
            command: process.execPath,
            args: [fixture('raw-server.mjs')],
            env: { FIXTURE_RECORD: record },
          },
        },
      },
      { client: false },
    );
    ({ url } = testProxy);
    const init = await post(JSON.stringify(initializeMessage('2025-06-18', 'raw')));
    expect(init.status).toBe(200);
    session = init.headers.get('mcp-session-id') ?? '';
    await post(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }), {
      'mcp-session-id': session,
    });
  });

  afterAll(async () => {
    await testProxy?.close();
    dir.remove();
  });

  it('answers text that is not JSON with 400 and -32700', async () => {
    const response = await post('{"jsonrpc": "2.0", "id": 5, "method"', {
      'mcp-session-id': session,
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32700, message: 'Parse error: invalid JSON' },
    });
  });

  it('answers JSON that is not JSON-RPC with 400 and -32600', async () => {
    for (const body of [
      '{"hello":"world"}',
      '42',
      '{"jsonrpc":"2.0","id":{"x":1},"method":"ping"}',
    ]) {
      const response = await post(body, { 'mcp-session-id': session });
      expect(response.status).toBe(400);
      const json = (await response.json()) as { error: { code: number } };
      expect(json.error.code).toBe(-32600);
    }
  });

  it('answers an unknown method with -32601 and the request id as sent', async () => {
    const response = await post(
      JSON.stringify({ jsonrpc: '2.0', id: 'abc', method: 'no/such/method' }),
      {
        'mcp-session-id': session,
      },
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      jsonrpc: '2.0',
      id: 'abc',
      error: { code: -32601, message: 'Method not found: no/such/method' },
    });
  });

  it('stays up: a valid request still works afterwards', async () => {
    const response = await post(JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'ping' }), {
      'mcp-session-id': session,
    });
    expect(await response.json()).toEqual({ jsonrpc: '2.0', id: 9, result: {} });
    const health = await fetch(new URL('/health', url));
    expect(health.status).toBe(200);
  });

  it('never passes any of it to a backend', () => {
    // Besides the era probe and the handshake (docs/protocol-versions.md, "Modern backends"), the
    // backend hears only the proxy's own reads of its lists (the admin API's inventory,
    // docs/admin-api.md); nothing a client sent.
    const methods = readFileSync(record, 'utf8')
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { method?: string }).method)
      .filter((method) => !method?.endsWith('/list'));
    expect(methods).toEqual(['server/discover', 'initialize', 'notifications/initialized']);
  });
});
