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
