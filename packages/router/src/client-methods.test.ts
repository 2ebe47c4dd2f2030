import type { JsonObject } from '@switchyard/protocol';
import { describe, expect, it } from 'vitest';
import { createHarness, listing, resultOf } from './__fixtures__/router-harness.js';

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

describe('initialize', () => {
  it('echoes a supported revision the client asks for', async () => {
    const h = await createHarness([{ name: 'alpha' }]);
    const client = h.client();
    const result = resultOf(await client.initialize('2025-03-26'));
    expect(result.protocolVersion).toBe('2025-03-26');
    expect(client.session.revision).toBe('2025-03-26');
  });

  it('answers an unknown revision with the latest legacy one, 2025-11-25', async () => {
    const h = await createHarness([{ name: 'alpha' }]);
    for (const asked of ['2099-01-01', '2026-07-28', undefined]) {
      const client = h.client();
      const response = await client.request('initialize', {
        ...(asked === undefined ? {} : { protocolVersion: asked }),
        capabilities: {},
        clientInfo: { name: 'c', version: '1' },
      });
      expect(resultOf(response).protocolVersion).toBe('2025-11-25');
    }
  });

  it('remembers what the client said about itself', async () => {
    const h = await createHarness([{ name: 'alpha' }]);
    const client = h.client();
    await client.request('initialize', {
      protocolVersion: '2025-06-18',
      capabilities: { roots: { listChanged: true } },
      clientInfo: { name: 'inspector', version: '0.9' },
    });
    expect(client.session.clientCapabilities).toEqual({ roots: { listChanged: true } });
    expect(client.session.clientInfo).toEqual({ name: 'inspector', version: '0.9' });
    expect(client.session.initialized).toBe(false);
    client.notify('notifications/initialized');
    expect(client.session.initialized).toBe(true);
  });

  it('always declares listChanged, so backends that start late can appear', async () => {
    const h = await createHarness([{ name: 'alpha', capabilities: {} }]);
    const result = resultOf(await h.client().initialize());
    expect(result.capabilities).toEqual({
      tools: { listChanged: true },
      prompts: { listChanged: true },
      resources: { listChanged: true },
      logging: {},
    });
  });

  it('declares subscribe and completions only when a backend offers them', async () => {
    const h = await createHarness([
      { name: 'plain', capabilities: { tools: {} } },
      { name: 'rich', capabilities: { resources: { subscribe: true }, completions: {} } },
    ]);
    const modern = resultOf(await h.client().initialize('2025-06-18'));
    expect(modern.capabilities).toMatchObject({
      resources: { subscribe: true, listChanged: true },
      completions: {},
    });
    const old = resultOf(await h.client().initialize('2024-11-05'));
    expect(old.capabilities).not.toHaveProperty('completions');
  });

  it('identifies as the configured server and joins backend instructions under their names', async () => {
    const h = await createHarness(
      [
        { name: 'alpha', instructions: 'Search before you fetch.' },
        { name: 'quiet' },
        { name: 'beta', instructions: 'Dates are UTC.' },
      ],
      { serverInfo: { name: 'my-proxy', version: '2.0.0' } },
    );
    const result = resultOf(await h.client().initialize());
    expect(result.serverInfo).toEqual({ name: 'my-proxy', version: '2.0.0' });
    expect(result.instructions).toBe(
      '## alpha\nSearch before you fetch.\n\n## beta\nDates are UTC.',
    );
  });

  it('leaves instructions out when no backend gives any', async () => {
    const h = await createHarness([{ name: 'alpha' }]);
    expect(resultOf(await h.client().initialize())).not.toHaveProperty('instructions');
  });
});
