import { ErrorCode, type JsonObject } from '@switchyard/protocol';
import { describe, expect, it } from 'vitest';
import { settle } from './__fixtures__/fake-backend.js';
import {
  createHarness,
  echoCall,
  listing,
  namesIn,
  resultOf,
  toolsNamed,
} from './__fixtures__/router-harness.js';
import { decodeCursor } from './cursor.js';

describe('merged lists', () => {
  it('merges the tools of every running backend in config order, names prefixed', async () => {
    const h = await createHarness([
      { name: 'alpha', handlers: { 'tools/list': toolsNamed('search', 'fetch') } },
      { name: 'beta', handlers: { 'tools/list': toolsNamed('search') } },
    ]);
    const response = await h.client().request('tools/list');
    expect(resultOf(response)).toEqual({
      tools: [
        { name: 'alpha__search', description: 'search tool', inputSchema: { type: 'object' } },
        { name: 'alpha__fetch', description: 'fetch tool', inputSchema: { type: 'object' } },
        { name: 'beta__search', description: 'search tool', inputSchema: { type: 'object' } },
      ],
    });
  });

  it('uses the configured prefix and naming options', async () => {
    const h = await createHarness(
      [{ name: 'github-server', prefix: 'gh', handlers: { 'tools/list': toolsNamed('search') } }],
      { naming: { strategy: 'prefix', separator: '.', globalPrefix: 'proxy_' } },
    );
    expect(namesIn(await h.client().request('tools/list'))).toEqual(['proxy_gh.search']);
  });

  it('asks only the backends that declare the capability', async () => {
    const h = await createHarness([
      { name: 'tools-only', capabilities: { tools: {} } },
      {
        name: 'prompter',
        capabilities: { prompts: {} },
        handlers: { 'prompts/list': listing('prompts', [{ name: 'greet' }]) },
      },
    ]);
    const response = await h.client().request('prompts/list');
    expect(namesIn(response, 'prompts')).toEqual(['prompter__greet']);
    expect(h.backend('tools-only').transport.requests('prompts/list')).toEqual([]);
  });

  it('fills in what every revision requires and a backend left out (a name, an input schema)', async () => {
    const h = await createHarness([
      {
        name: 'sloppy',
        capabilities: { tools: {}, resources: {} },
        handlers: {
          'tools/list': listing('tools', [{ name: 'bare' }]),
          'resources/list': listing('resources', [{ uri: 'file:///srv/notes.md' }]),
        },
      },
    ]);
    expect(resultOf(await h.client().request('tools/list'))).toEqual({
      tools: [{ name: 'sloppy__bare', inputSchema: { type: 'object' } }],
    });
    expect(resultOf(await h.client().request('resources/list'))).toEqual({
      resources: [{ uri: 'file:///srv/notes.md', name: 'notes.md' }],
    });
  });

  it('answers an empty list when no backend is running', async () => {
    const h = await createHarness([{ name: 'alpha' }]);
    h.directory.update('alpha', { state: 'failed', reason: 'exit code 1' });
    expect(resultOf(await h.client().request('tools/list'))).toEqual({ tools: [] });
  });

  it('leaves out backends that are not running or whose connection has ended', async () => {
    const h = await createHarness([
      { name: 'up', handlers: { 'tools/list': toolsNamed('a') } },
      { name: 'stopped', handlers: { 'tools/list': toolsNamed('b') } },
      { name: 'dropped', handlers: { 'tools/list': toolsNamed('c') } },
    ]);
    h.directory.update('stopped', { state: 'stopped' });
    h.backend('dropped').transport.drop('process exited with code 1');
    expect(namesIn(await h.client().request('tools/list'))).toEqual(['up__a']);
  });

  it('fails open: a backend that answers with an error is left out and logged', async () => {
    const h = await createHarness([
      {
        name: 'broken',
        handlers: { 'tools/list': () => ({ error: { code: -32603, message: 'boom' } }) },
      },
      { name: 'healthy', handlers: { 'tools/list': toolsNamed('ok') } },
    ]);
    expect(namesIn(await h.client().request('tools/list'))).toEqual(['healthy__ok']);
    expect(h.logger.lines).toContainEqual({
      level: 'warn',
      message: 'backend left out of merged list',
      fields: { server: 'broken', method: 'tools/list', reason: 'boom' },
    });
  });

  it('fails open: a backend that does not answer in time is left out', async () => {
    const h = await createHarness(
      [
        { name: 'hanging', handlers: { 'tools/list': () => undefined } },
        { name: 'healthy', handlers: { 'tools/list': toolsNamed('ok') } },
      ],
      { requestTimeoutMs: 2_000 },
    );
    const response = h.client().request('tools/list');
    await settle();
    h.clock.advance(2_000);
    expect(namesIn(await response)).toEqual(['healthy__ok']);
    expect(h.backend('hanging').transport.notifications('notifications/cancelled')).toHaveLength(1);
  });

  it('passes resources and templates through unchanged', async () => {
    const resource = { uri: 'file:///notes.txt', name: 'notes', mimeType: 'text/plain' };
    const template = { uriTemplate: 'file:///{+path}', name: 'files' };
    const h = await createHarness([
      {
        name: 'fs',
        capabilities: { resources: {} },
        handlers: {
          'resources/list': listing('resources', [resource]),
          'resources/templates/list': listing('resourceTemplates', [template]),
        },
      },
    ]);
    const client = h.client();
    expect(resultOf(await client.request('resources/list'))).toEqual({ resources: [resource] });
    expect(resultOf(await client.request('resources/templates/list'))).toEqual({
      resourceTemplates: [template],
    });
  });

  it('shows a resource URI listed by two backends once, owned by the first in config order', async () => {
    const h = await createHarness([
      {
        name: 'one',
        capabilities: { resources: {} },
        handlers: { 'resources/list': listing('resources', [{ uri: 'mem://shared' }]) },
      },
      {
        name: 'two',
        capabilities: { resources: {} },
        handlers: { 'resources/list': listing('resources', [{ uri: 'mem://shared' }]) },
      },
    ]);
    const response = await h.client().request('resources/list');
    expect(resultOf(response)).toEqual({ resources: [{ uri: 'mem://shared', name: 'shared' }] });
  });
});

describe('name collisions under the `none` strategy', () => {
  it('gives a name to the first backend in config order when priorities tie', async () => {
    const h = await createHarness(
      [
        {
          name: 'first',
          handlers: { 'tools/list': toolsNamed('search'), 'tools/call': echoCall('first') },
        },
        { name: 'second', handlers: { 'tools/list': toolsNamed('search', 'only') } },
      ],
      { naming: { strategy: 'none' } },
    );
    const client = h.client();
    expect(namesIn(await client.request('tools/list'))).toEqual(['search', 'only']);
    const call = await client.request('tools/call', { name: 'search' });
    expect(resultOf(call).content).toEqual([{ type: 'text', text: 'first:search' }]);
  });

  it('gives a name to the higher priority even when it comes later in config order', async () => {
    const h = await createHarness(
      [
        { name: 'low', priority: 0, handlers: { 'tools/list': toolsNamed('search', 'mine') } },
        {
          name: 'high',
          priority: 10,
          handlers: { 'tools/list': toolsNamed('search'), 'tools/call': echoCall('high') },
        },
      ],
      { naming: { strategy: 'none' } },
    );
    const client = h.client();
    const listed = namesIn(await client.request('tools/list'));
    expect(listed.filter((name) => name === 'search')).toHaveLength(1);
    expect(listed).toEqual(expect.arrayContaining(['search', 'mine']));
    const call = await client.request('tools/call', { name: 'search' });
    expect(resultOf(call).content).toEqual([{ type: 'text', text: 'high:search' }]);
    expect(h.logger.lines.some((l) => l.message.startsWith('name collision'))).toBe(true);
  });
});

describe('pagination', () => {
  function pagedTools(pages: Record<string, { tools: string[]; next?: string }>) {
    return (params: JsonObject | undefined) => {
      const page = pages[(params?.cursor as string | undefined) ?? 'first'];
      if (!page) return { error: { code: -32602, message: 'bad cursor' } };
      return {
        result: {
          tools: page.tools.map((name) => ({ name, inputSchema: { type: 'object' } })),
          ...(page.next ? { nextCursor: page.next } : {}),
        },
      };
    };
  }

  it('follows a backend nextCursor through the proxy cursor', async () => {
    const h = await createHarness([
      {
        name: 'paged',
        handlers: {
          'tools/list': pagedTools({
            first: { tools: ['a1', 'a2'], next: 'backend-page-2' },
            'backend-page-2': { tools: ['a3'] },
          }),
        },
      },
      { name: 'single', handlers: { 'tools/list': toolsNamed('b1') } },
    ]);
    const client = h.client();
    const first = resultOf(await client.request('tools/list'));
    expect((first.tools as JsonObject[]).map((t) => t.name)).toEqual([
      'paged__a1',
      'paged__a2',
      'single__b1',
    ]);
    expect(typeof first.nextCursor).toBe('string');
    expect(first.nextCursor).not.toBe('backend-page-2');

    const second = resultOf(await client.request('tools/list', { cursor: first.nextCursor }));
    expect(second).toEqual({ tools: [{ name: 'paged__a3', inputSchema: { type: 'object' } }] });
    expect(
      h
        .backend('paged')
        .transport.requests('tools/list')
        .map((r) => r.params),
    ).toEqual([undefined, { cursor: 'backend-page-2' }]);
    expect(h.backend('single').transport.requests('tools/list')).toHaveLength(1);
  });

  it('keeps following several backends that each have more pages', async () => {
    const h = await createHarness([
      {
        name: 'a',
        handlers: {
          'tools/list': pagedTools({
            first: { tools: ['1'], next: 'a2' },
            a2: { tools: ['2'], next: 'a3' },
            a3: { tools: ['3'] },
          }),
        },
      },
      {
        name: 'b',
        handlers: {
          'tools/list': pagedTools({ first: { tools: ['1'], next: 'b2' }, b2: { tools: ['2'] } }),
        },
      },
    ]);
    const client = h.client();
    const seen: unknown[] = [];
    let cursor: unknown;
    let pages = 0;
    do {
      const page = resultOf(
        await client.request('tools/list', cursor === undefined ? undefined : { cursor }),
      );
      seen.push(...(page.tools as JsonObject[]).map((t) => t.name));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== undefined);
    expect(pages).toBe(3);
    expect(seen).toEqual(['a__1', 'b__1', 'a__2', 'b__2', 'a__3']);
  });

  it('puts only the backends with more pages into the proxy cursor', async () => {
    const h = await createHarness([
      {
        name: 'paged',
        handlers: { 'tools/list': pagedTools({ first: { tools: ['x'], next: 'n' } }) },
      },
      { name: 'done', handlers: { 'tools/list': toolsNamed('y') } },
    ]);
    const first = resultOf(await h.client().request('tools/list'));
    expect(decodeCursor(first.nextCursor)).toEqual({ paged: 'n' });
  });

  it('rejects a cursor it did not issue with -32602', async () => {
    const h = await createHarness([{ name: 'alpha', handlers: { 'tools/list': toolsNamed('a') } }]);
    const client = h.client();
    for (const cursor of ['garbage', 'backend-page-2', '', 42, { page: 2 }]) {
      const response = await client.request('tools/list', { cursor });
      expect(response).toMatchObject({ error: { code: ErrorCode.InvalidParams } });
    }
    expect(h.backend('alpha').transport.requests('tools/list')).toEqual([]);
  });
});

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

describe('unavailable backends', () => {
  it('names a failed backend, its state and its reason in a -32010 error', async () => {
    const h = await createHarness([{ name: 'alpha' }, { name: 'beta' }]);
    h.directory.update('beta', { state: 'failed', reason: 'process exited with code 127' });
    const response = await h.client().request('tools/call', { name: 'beta__search' });
    expect(response).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: {
        code: ErrorCode.BackendUnavailable,
        message: 'Backend "beta" is unavailable (failed: process exited with code 127)',
        data: { server: 'beta', state: 'failed' },
      },
    });
  });

  it('names the reason when the backend connection has ended', async () => {
    const h = await createHarness([{ name: 'alpha' }]);
    h.backend('alpha').transport.drop('process exited with signal SIGKILL');
    const response = await h.client().request('tools/call', { name: 'alpha__x' });
    expect(response).toMatchObject({
      error: { code: ErrorCode.BackendUnavailable, data: { server: 'alpha' } },
    });
    expect('error' in response && response.error.message).toContain('SIGKILL');
  });

  it('fails in-flight calls with -32010 when their backend goes away', async () => {
    const h = await createHarness([{ name: 'alpha', handlers: { 'tools/call': () => undefined } }]);
    const response = h.client().request('tools/call', { name: 'alpha__slow' });
    await settle();
    h.backend('alpha').transport.drop('process exited with code 1');
    expect(await response).toMatchObject({
      error: { code: ErrorCode.BackendUnavailable, data: { server: 'alpha' } },
    });
  });

  it('says `removed` for a listed tool whose backend left the configuration', async () => {
    const h = await createHarness([{ name: 'alpha', handlers: { 'tools/list': toolsNamed('a') } }]);
    const client = h.client();
    await client.request('tools/list');
    h.directory.remove('alpha');
    expect(await client.request('tools/call', { name: 'alpha__a' })).toMatchObject({
      error: {
        code: ErrorCode.BackendUnavailable,
        data: { server: 'alpha', state: 'removed' },
      },
    });
  });

  it('waits for a backend that is still starting', async () => {
    const h = await createHarness([
      { name: 'alpha', handlers: { 'tools/call': echoCall('alpha') } },
    ]);
    let up: () => void = () => {};
    const ready = new Promise<void>((resolve) => {
      up = resolve;
    });
    h.directory.update('alpha', { state: 'starting', ready });
    const response = h.client().request('tools/call', { name: 'alpha__x' });
    await settle();
    h.directory.update('alpha', { state: 'running' });
    up();
    expect(resultOf(await response)).toEqual({ content: [{ type: 'text', text: 'alpha:x' }] });
  });

  it('stops waiting for a starting backend after startupWaitMs', async () => {
    const h = await createHarness([{ name: 'alpha' }], { startupWaitMs: 3_000 });
    h.directory.update('alpha', { state: 'starting', ready: new Promise(() => {}) });
    const response = h.client().request('tools/call', { name: 'alpha__x' });
    await settle();
    h.clock.advance(3_000);
    expect(await response).toMatchObject({
      error: { code: ErrorCode.BackendUnavailable, data: { server: 'alpha', state: 'starting' } },
    });
  });
});

describe('request timeouts', () => {
  it('answers -32001 naming the backend and cancels the request there', async () => {
    const h = await createHarness(
      [{ name: 'alpha', handlers: { 'tools/call': () => undefined } }],
      {
        requestTimeoutMs: 10_000,
      },
    );
    const response = h.client().request('tools/call', { name: 'alpha__slow' });
    await settle();
    const sent = h.backend('alpha').transport.sentRequest('tools/call');
    h.clock.advance(10_000);
    const answer = await response;
    expect(answer).toMatchObject({ error: { code: ErrorCode.RequestTimeout } });
    expect('error' in answer && answer.error.message).toContain('"alpha"');
    expect(h.backend('alpha').transport.notifications('notifications/cancelled')).toEqual([
      {
        jsonrpc: '2.0',
        method: 'notifications/cancelled',
        params: { requestId: sent.id, reason: 'timed out after 10000 ms' },
      },
    ]);
  });

  it('uses a per-backend override of the timeout', async () => {
    const h = await createHarness(
      [
        { name: 'quick', handlers: { 'tools/call': () => undefined } },
        { name: 'patient', handlers: { 'tools/call': () => undefined } },
      ],
      {
        requestTimeoutMs: 1_000,
        requestTimeoutFor: (backend) => (backend === 'patient' ? 5_000 : undefined),
      },
    );
    const client = h.client();
    let patientAnswered = false;
    const quick = client.request('tools/call', { name: 'quick__x' });
    void client.request('tools/call', { name: 'patient__x' }).then(() => {
      patientAnswered = true;
    });
    await settle();
    h.clock.advance(1_000);
    expect(await quick).toMatchObject({ error: { code: ErrorCode.RequestTimeout } });
    await settle();
    expect(patientAnswered).toBe(false);
    h.clock.advance(4_000);
    await settle();
    expect(patientAnswered).toBe(true);
  });
});

describe('backend notifications', () => {
  it('debounces a burst of list_changed into one notification per method and session', async () => {
    const h = await createHarness([{ name: 'alpha' }, { name: 'beta' }], {
      listChangedDebounceMs: 100,
    });
    const one = await h.initializedClient();
    const two = await h.initializedClient();
    const alpha = h.backend('alpha').transport;
    const beta = h.backend('beta').transport;
    alpha?.deliver({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    beta?.deliver({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    h.clock.advance(50);
    alpha?.deliver({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    beta?.deliver({ jsonrpc: '2.0', method: 'notifications/prompts/list_changed' });
    expect(one.notifications()).toEqual([]);

    h.clock.advance(50);
    for (const client of [one, two]) {
      expect(client.notifications().map((n) => n.method)).toEqual([
        'notifications/tools/list_changed',
        'notifications/prompts/list_changed',
      ]);
    }

    alpha?.deliver({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    h.clock.advance(100);
    expect(one.notifications('notifications/tools/list_changed')).toHaveLength(2);
  });

  it('does not send list_changed to a session that has not finished initializing', async () => {
    const h = await createHarness([{ name: 'alpha' }]);
    const client = h.client();
    h.backend('alpha').transport.deliver({
      jsonrpc: '2.0',
      method: 'notifications/tools/list_changed',
    });
    h.clock.advance(1_000);
    expect(client.notifications()).toEqual([]);
  });

  it('forgets what a backend listed when its list changes', async () => {
    const h = await createHarness(
      [
        {
          name: 'alpha',
          handlers: { 'tools/list': toolsNamed('a'), 'tools/call': echoCall('alpha') },
        },
      ],
      { naming: { strategy: 'none' } },
    );
    const client = h.client();
    await client.request('tools/list');
    h.backend('alpha').transport.deliver({
      jsonrpc: '2.0',
      method: 'notifications/tools/list_changed',
    });
    expect(resultOf(await client.request('tools/call', { name: 'a' }))).toBeDefined();
    expect(h.backend('alpha').transport.requests('tools/list')).toHaveLength(2);
  });

  it('announces every list as changed when a backend comes or goes', async () => {
    const h = await createHarness([{ name: 'alpha' }]);
    const client = await h.initializedClient();
    h.router.backendsChanged('alpha');
    h.clock.advance(50);
    expect(client.notifications().map((n) => n.method)).toEqual([
      'notifications/tools/list_changed',
      'notifications/prompts/list_changed',
      'notifications/resources/list_changed',
    ]);
  });

  it('relays log messages with the backend named as the logger', async () => {
    const h = await createHarness([{ name: 'db' }]);
    const client = await h.initializedClient();
    const transport = h.backend('db').transport;
    transport.deliver({
      jsonrpc: '2.0',
      method: 'notifications/message',
      params: { level: 'info', logger: 'pool', data: 'connected' },
    });
    transport.deliver({
      jsonrpc: '2.0',
      method: 'notifications/message',
      params: { level: 'error', data: { detail: 'slow query' } },
    });
    expect(client.notifications('notifications/message').map((n) => n.params)).toEqual([
      { level: 'info', logger: 'db/pool', data: 'connected' },
      { level: 'error', logger: 'db', data: { detail: 'slow query' } },
    ]);
  });

  it('sends resources/updated only to the sessions subscribed to that URI', async () => {
    const h = await createHarness([
      {
        name: 'fs',
        capabilities: { resources: { subscribe: true } },
        handlers: {
          'resources/list': listing('resources', [{ uri: 'file:///watched' }]),
          'resources/subscribe': () => ({ result: {} }),
          'resources/unsubscribe': () => ({ result: {} }),
        },
      },
    ]);
    const subscriber = await h.initializedClient();
    const bystander = await h.initializedClient();
    resultOf(await subscriber.request('resources/subscribe', { uri: 'file:///watched' }));
    expect(h.backend('fs').transport.sentRequest('resources/subscribe').params).toEqual({
      uri: 'file:///watched',
    });
    const updated = {
      jsonrpc: '2.0' as const,
      method: 'notifications/resources/updated',
      params: { uri: 'file:///watched' },
    };
    h.backend('fs').transport.deliver(updated);
    h.backend('fs').transport.deliver({ ...updated, params: { uri: 'file:///other' } });
    expect(subscriber.notifications('notifications/resources/updated')).toEqual([updated]);
    expect(bystander.notifications()).toEqual([]);

    resultOf(await subscriber.request('resources/unsubscribe', { uri: 'file:///watched' }));
    h.backend('fs').transport.deliver(updated);
    expect(subscriber.notifications('notifications/resources/updated')).toHaveLength(1);
  });

  it('stops sending resources/updated to a closed session', async () => {
    const h = await createHarness([
      {
        name: 'fs',
        capabilities: { resources: { subscribe: true } },
        handlers: {
          'resources/list': listing('resources', [{ uri: 'file:///w' }]),
          'resources/subscribe': () => ({ result: {} }),
        },
      },
    ]);
    const client = await h.initializedClient();
    await client.request('resources/subscribe', { uri: 'file:///w' });
    client.session.close();
    h.backend('fs').transport.deliver({
      jsonrpc: '2.0',
      method: 'notifications/resources/updated',
      params: { uri: 'file:///w' },
    });
    expect(client.notifications()).toEqual([]);
  });

  it('does not relay notifications it does not know', async () => {
    const h = await createHarness([{ name: 'alpha' }]);
    const client = await h.initializedClient();
    h.backend('alpha').transport.deliver({ jsonrpc: '2.0', method: 'notifications/custom' });
    h.clock.advance(1_000);
    expect(client.notifications()).toEqual([]);
  });
});

describe('tools that require a task (2025-11-25 taskSupport: required)', () => {
  it('hides execution from clients and answers synchronously: task created, result awaited', async () => {
    const h = await createHarness([
      {
        name: 'tasker',
        handlers: {
          'tools/list': listing('tools', [
            {
              name: 'research',
              inputSchema: { type: 'object' },
              execution: { taskSupport: 'required' },
            },
          ]),
          'tools/call': () => ({
            result: { task: { taskId: 'task-1', status: 'working', createdAt: 'now', ttl: 1000 } },
          }),
          'tasks/result': (params) => ({
            result: { content: [{ type: 'text', text: `result of ${String(params?.taskId)}` }] },
          }),
        },
      },
    ]);
    const client = h.client();
    const listed = resultOf(await client.request('tools/list')) as { tools: JsonObject[] };
    expect(listed.tools[0]).not.toHaveProperty('execution');
    const answer = await client.request('tools/call', { name: 'tasker__research', arguments: {} });
    expect(resultOf(answer)).toEqual({ content: [{ type: 'text', text: 'result of task-1' }] });
    const transport = h.backend('tasker').transport;
    expect(transport.sentRequest('tools/call').params).toMatchObject({
      name: 'research',
      task: {},
    });
    expect(transport.sentRequest('tasks/result').params).toEqual({ taskId: 'task-1' });
  });
});

describe('tools with an output schema', () => {
  it('get the structured content a backend forgot, from its one JSON text block', async () => {
    const h = await createHarness([
      {
        name: 'weather',
        handlers: {
          'tools/list': listing('tools', [
            {
              name: 'now',
              inputSchema: { type: 'object' },
              outputSchema: { type: 'object', properties: { celsius: { type: 'number' } } },
            },
          ]),
          'tools/call': () => ({ result: { content: [{ type: 'text', text: '{"celsius":21}' }] } }),
        },
      },
    ]);
    const modern = await h.initializedClient('2025-06-18');
    await modern.request('tools/list');
    expect(resultOf(await modern.request('tools/call', { name: 'weather__now' }))).toEqual({
      content: [{ type: 'text', text: '{"celsius":21}' }],
      structuredContent: { celsius: 21 },
    });
    const old = await h.initializedClient('2025-03-26');
    expect(resultOf(await old.request('tools/call', { name: 'weather__now' }))).toEqual({
      content: [{ type: 'text', text: '{"celsius":21}' }],
    });
  });
});
