import { describe, expect, it } from 'vitest';
import { TEST_CLIENT_INFO } from './__fixtures__/fake-backend.js';
import { BackendSession } from './backend-session.js';
import { virtualTransport } from './virtual-server.js';

const definition = {
  name: 'virtual',
  version: '1.0.0',
  tools: [
    {
      name: 'add',
      description: 'Adds a and b.',
      inputSchema: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } } },
      call: async (args: Record<string, unknown>) => ({
        content: [{ type: 'text', text: String(Number(args.a) + Number(args.b)) }],
      }),
    },
    {
      name: 'fail',
      description: 'Always fails.',
      inputSchema: { type: 'object' },
      call: async () => {
        throw new Error('no such server "x"');
      },
    },
  ],
  resources: [
    {
      uri: 'virtual://hello',
      name: 'hello',
      description: 'A greeting.',
      mimeType: 'text/plain',
      read: async () => 'hi',
    },
  ],
};

describe('a virtual server behind a BackendSession', () => {
  it('handshakes, lists, calls and reads like any backend', async () => {
    const session = new BackendSession({
      clientInfo: TEST_CLIENT_INFO,
      name: 'virtual',
      transport: virtualTransport(definition),
    });
    await session.connect();
    expect(session.revision).toBe('2025-11-25');
    expect(session.serverCapabilities).toEqual({ tools: {}, resources: {} });
    const tools = await session.request('tools/list', undefined).outcome;
    expect(
      tools.kind === 'result' && (tools.result.tools as Array<{ name: string }>).map((t) => t.name),
    ).toEqual(['add', 'fail']);
    const sum = await session.request('tools/call', { name: 'add', arguments: { a: 2, b: 3 } })
      .outcome;
    expect(sum).toEqual({ kind: 'result', result: { content: [{ type: 'text', text: '5' }] } });
    const failed = await session.request('tools/call', { name: 'fail', arguments: {} }).outcome;
    expect(failed).toEqual({
      kind: 'result',
      result: { content: [{ type: 'text', text: 'no such server "x"' }], isError: true },
    });
    const unknown = await session.request('tools/call', { name: 'nope' }).outcome;
    expect(unknown.kind === 'error' && unknown.error.code).toBe(-32602);
    const read = await session.request('resources/read', { uri: 'virtual://hello' }).outcome;
    expect(read).toEqual({
      kind: 'result',
      result: { contents: [{ uri: 'virtual://hello', mimeType: 'text/plain', text: 'hi' }] },
    });
    await session.close();
    expect(session.closed).toBe('closed by the proxy');
  });

  it('answers resources/templates/list with an empty list, not method-not-found', async () => {
    const session = new BackendSession({
      clientInfo: TEST_CLIENT_INFO,
      name: 'virtual',
      transport: virtualTransport(definition),
    });
    await session.connect();
    const templates = await session.request('resources/templates/list', undefined).outcome;
    expect(templates).toEqual({ kind: 'result', result: { resourceTemplates: [] } });
    await session.close();
  });

  it('lists its templates and reads a URI through the template that knows it', async () => {
    const known = new Map([['note://7', 'seven']]);
    const session = new BackendSession({
      clientInfo: TEST_CLIENT_INFO,
      name: 'virtual',
      transport: virtualTransport({
        ...definition,
        resourceTemplates: [
          {
            uriTemplate: 'note://{id}',
            name: 'note',
            mimeType: 'text/plain',
            read: async (uri: string) => known.get(uri),
          },
        ],
      }),
    });
    await session.connect();
    const templates = await session.request('resources/templates/list', undefined).outcome;
    expect(templates).toEqual({
      kind: 'result',
      result: {
        resourceTemplates: [{ uriTemplate: 'note://{id}', name: 'note', mimeType: 'text/plain' }],
      },
    });
    const found = await session.request('resources/read', { uri: 'note://7' }).outcome;
    expect(found).toEqual({
      kind: 'result',
      result: { contents: [{ uri: 'note://7', text: 'seven', mimeType: 'text/plain' }] },
    });
    const missing = await session.request('resources/read', { uri: 'note://8' }).outcome;
    expect(missing.kind === 'error' && missing.error.message).toBe('Resource not found: note://8');
    await session.close();
  });
});
