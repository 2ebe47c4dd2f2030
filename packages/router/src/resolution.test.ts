import { ErrorCode, type JsonObject } from '@switchyard/protocol';
import { describe, expect, it } from 'vitest';
import {
  createHarness,
  echoCall,
  listing,
  namesIn,
  resultOf,
  toolsNamed,
} from './__fixtures__/router-harness.js';

describe('routing by name', () => {
  it('routes tools/call to the owning backend with the original name', async () => {
    const h = await createHarness([
      { name: 'alpha', handlers: { 'tools/call': echoCall('alpha') } },
      { name: 'beta', handlers: { 'tools/call': echoCall('beta') } },
    ]);
    const response = await h
      .client()
      .request('tools/call', { name: 'beta__search', arguments: { q: 'mcp' } });
    expect(resultOf(response)).toEqual({ content: [{ type: 'text', text: 'beta:search' }] });
    expect(h.backend('beta').transport.sentRequest('tools/call').params).toEqual({
      name: 'search',
      arguments: { q: 'mcp' },
    });
    expect(h.backend('alpha').transport.requests('tools/call')).toEqual([]);
  });

  it('tells `my_server__tool` from `my__tool` without a prior list', async () => {
    const h = await createHarness([
      { name: 'my', handlers: { 'tools/call': echoCall('my') } },
      { name: 'my_server', handlers: { 'tools/call': echoCall('my_server') } },
    ]);
    const client = h.client();
    expect(resultOf(await client.request('tools/call', { name: 'my_server__tool' }))).toEqual({
      content: [{ type: 'text', text: 'my_server:tool' }],
    });
    expect(resultOf(await client.request('tools/call', { name: 'my__tool' }))).toEqual({
      content: [{ type: 'text', text: 'my:tool' }],
    });
  });

  it('passes the backend error through unchanged', async () => {
    const h = await createHarness([
      {
        name: 'alpha',
        handlers: { 'tools/call': () => ({ error: { code: -32602, message: 'Unknown tool: x' } }) },
      },
    ]);
    const response = await h.client().request('tools/call', { name: 'alpha__x' });
    expect(response).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: { code: -32602, message: 'Unknown tool: x' },
    });
  });

  it('answers -32602 for a name no backend owns, and for a missing name', async () => {
    const h = await createHarness([{ name: 'alpha', handlers: { 'tools/list': toolsNamed('a') } }]);
    const client = h.client();
    expect(await client.request('tools/call', { name: 'nobody__x' })).toMatchObject({
      error: { code: ErrorCode.InvalidParams, message: 'Unknown tool: nobody__x' },
    });
    expect(await client.request('tools/call', { arguments: {} })).toMatchObject({
      error: { code: ErrorCode.InvalidParams },
    });
  });

  it('resolves raw names of the `none` strategy by listing the backends first', async () => {
    const h = await createHarness(
      [
        {
          name: 'alpha',
          handlers: { 'tools/list': toolsNamed('a'), 'tools/call': echoCall('alpha') },
        },
        {
          name: 'beta',
          handlers: { 'tools/list': toolsNamed('b'), 'tools/call': echoCall('beta') },
        },
      ],
      { naming: { strategy: 'none' } },
    );
    const response = await h.client().request('tools/call', { name: 'b' });
    expect(resultOf(response)).toEqual({ content: [{ type: 'text', text: 'beta:b' }] });
  });

  it('routes a shortened name to the original one, also after the catalog was dropped', async () => {
    const long = `summarize_${'x'.repeat(60)}`;
    const h = await createHarness(
      [
        {
          name: 'srv',
          handlers: { 'tools/list': toolsNamed(long), 'tools/call': echoCall('srv') },
        },
      ],
      { naming: { strategy: 'prefix', maxLength: 64 } },
    );
    const client = h.client();
    const [exposed] = namesIn(await client.request('tools/list')) as string[];
    expect(exposed).toHaveLength(64);
    expect(resultOf(await client.request('tools/call', { name: exposed }))).toEqual({
      content: [{ type: 'text', text: `srv:${long}` }],
    });

    h.router.backendNotification('srv', {
      jsonrpc: '2.0',
      method: 'notifications/tools/list_changed',
    });
    expect(resultOf(await client.request('tools/call', { name: exposed }))).toEqual({
      content: [{ type: 'text', text: `srv:${long}` }],
    });
  });

  it('routes a name that only looks shortened by its prefix when no backend lists it', async () => {
    const name = `${'t'.repeat(50)}_0123abcd`;
    const h = await createHarness(
      [{ name: 'srv', handlers: { 'tools/list': toolsNamed(), 'tools/call': echoCall('srv') } }],
      { naming: { strategy: 'prefix', maxLength: 64 } },
    );
    const response = await h.client().request('tools/call', { name: `srv__${name}` });
    expect(resultOf(response)).toEqual({ content: [{ type: 'text', text: `srv:${name}` }] });
  });

  it('routes prompts/get like tools/call', async () => {
    const h = await createHarness([
      {
        name: 'writer',
        capabilities: { prompts: {} },
        handlers: {
          'prompts/get': (params) => ({
            result: { messages: [], description: String(params?.name) },
          }),
        },
      },
    ]);
    const response = await h.client().request('prompts/get', { name: 'writer__draft' });
    expect(resultOf(response)).toEqual({ messages: [], description: 'draft' });
  });

  it('routes resources/read by listed URI, then by template', async () => {
    const read = (backend: string) => (params: JsonObject | undefined) => ({
      result: { contents: [{ uri: params?.uri, text: backend }] },
    });
    const h = await createHarness([
      {
        name: 'notes',
        capabilities: { resources: {} },
        handlers: {
          'resources/list': listing('resources', [{ uri: 'mem://note/1', name: 'n1' }]),
          'resources/read': read('notes'),
        },
      },
      {
        name: 'files',
        capabilities: { resources: {} },
        handlers: {
          'resources/templates/list': listing('resourceTemplates', [
            { uriTemplate: 'file:///{+path}', name: 'files' },
          ]),
          'resources/read': read('files'),
        },
      },
    ]);
    const client = h.client();
    expect(resultOf(await client.request('resources/read', { uri: 'mem://note/1' }))).toEqual({
      contents: [{ uri: 'mem://note/1', text: 'notes' }],
    });
    expect(resultOf(await client.request('resources/read', { uri: 'file:///a/b.txt' }))).toEqual({
      contents: [{ uri: 'file:///a/b.txt', text: 'files' }],
    });
    expect(await client.request('resources/read', { uri: 'git://nowhere' })).toMatchObject({
      error: { code: -32002, data: { uri: 'git://nowhere' } },
    });
  });

  it('routes completion/complete for a prompt to its backend with the original name', async () => {
    const h = await createHarness([
      {
        name: 'writer',
        capabilities: { prompts: {}, completions: {} },
        handlers: {
          'completion/complete': () => ({ result: { completion: { values: ['draft-1'] } } }),
        },
      },
    ]);
    const response = await h.client().request('completion/complete', {
      ref: { type: 'ref/prompt', name: 'writer__draft' },
      argument: { name: 'title', value: 'd' },
    });
    expect(resultOf(response)).toEqual({ completion: { values: ['draft-1'] } });
    expect(h.backend('writer').transport.sentRequest('completion/complete').params).toEqual({
      ref: { type: 'ref/prompt', name: 'draft' },
      argument: { name: 'title', value: 'd' },
    });
  });
});
