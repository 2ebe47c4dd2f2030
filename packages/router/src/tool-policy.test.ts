import type { JsonObject } from '@switchyard/protocol';
import { describe, expect, it } from 'vitest';
import {
  createHarness,
  echoCall,
  namesIn,
  TestClient,
  toolsNamed,
} from './__fixtures__/router-harness.js';
import type { ToolPolicy } from './context.js';

/** A policy that holds back the tools named in `held` (by backend and backend name). */
function holding(held: Set<string>): ToolPolicy {
  return (server, tool) =>
    held.has(`${server}/${tool}`)
      ? { show: false, message: `Tool not approved: ${tool}`, data: { server, tool } }
      : { show: true };
}

describe('tool policy (docs/operations.md, "Tool pinning")', () => {
  it('reports every listed tool with its definition as the backend sent it', async () => {
    const listed: Array<[string, JsonObject]> = [];
    const h = await createHarness(
      [{ name: 'alpha', handlers: { 'tools/list': toolsNamed('a') } }],
      {
        observer: { toolListed: (server, tool) => listed.push([server, tool]) },
      },
    );
    await h.client().request('tools/list');
    expect(listed).toEqual([
      ['alpha', { name: 'a', description: 'a tool', inputSchema: { type: 'object' } }],
    ]);
  });

  it('leaves a held-back tool out of tools/list and shows it again once released', async () => {
    const held = new Set(['alpha/b']);
    const h = await createHarness(
      [{ name: 'alpha', handlers: { 'tools/list': toolsNamed('a', 'b') } }],
      { toolPolicy: holding(held) },
    );
    const client = h.client();
    expect(namesIn(await client.request('tools/list'))).toEqual(['alpha__a']);
    held.clear();
    expect(namesIn(await client.request('tools/list'))).toEqual(['alpha__a', 'alpha__b']);
  });

  it('refuses a call to a held-back tool with tool_not_approved, and never forwards it', async () => {
    const held = new Set(['alpha/b']);
    const h = await createHarness(
      [
        {
          name: 'alpha',
          handlers: { 'tools/list': toolsNamed('a', 'b'), 'tools/call': echoCall('alpha') },
        },
      ],
      { toolPolicy: holding(held) },
    );
    const client = h.client();
    await client.request('tools/list');
    const refused = await client.request('tools/call', { name: 'alpha__b', arguments: {} });
    expect(refused).toMatchObject({
      error: { code: -32013, data: { server: 'alpha', tool: 'b' } },
    });
    const allowed = await client.request('tools/call', { name: 'alpha__a', arguments: {} });
    expect(allowed).toMatchObject({ result: { content: [{ text: 'alpha:a' }] } });
    expect(h.backend('alpha').transport.requests('tools/call')).toHaveLength(1);
  });
});

describe('tool calls as the audit log sees them (docs/operations.md, "Audit log")', () => {
  it('reports each routed tools/call once: principal, session, backend tool, arguments, status', async () => {
    const calls: unknown[] = [];
    const h = await createHarness(
      [
        {
          name: 'alpha',
          handlers: { 'tools/list': toolsNamed('a', 'b'), 'tools/call': echoCall('alpha') },
        },
      ],
      {
        observer: { toolCalled: (record) => calls.push(record) },
        toolPolicy: holding(new Set(['alpha/b'])),
      },
    );
    const client = new TestClient(h.router, {
      transport: 'test',
      sessionId: 'session-1',
      principal: 'sha256:key',
    });
    await client.request('tools/call', { name: 'alpha__a', arguments: { path: '/etc' } });
    await client.request('tools/call', { name: 'alpha__b', arguments: {} });
    await client.request('tools/call', { name: 'nowhere__x', arguments: {} });
    expect(calls).toEqual([
      {
        server: 'alpha',
        tool: 'a',
        principal: 'sha256:key',
        sessionId: 'session-1',
        arguments: { path: '/etc' },
        status: 'ok',
        durationSeconds: expect.any(Number),
      },
      expect.objectContaining({ server: 'alpha', tool: 'b', status: 'error' }),
    ]);
  });
});
