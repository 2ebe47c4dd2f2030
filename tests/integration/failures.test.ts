import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { everythingServer, firstText, fixture, type TestProxy, withProxy } from './helpers.js';

describe('backends that cannot start leave the others serving (fail-open)', () => {
  let testProxy: TestProxy;
  let client: Client;
  let base: string;

  beforeAll(async () => {
    testProxy = await withProxy({
      servers: {
        ghost: { command: 'switchyard-no-such-command-xyz', args: [] },
        'crash-y': { command: process.execPath, args: [fixture('exit-at-once.mjs')] },
        everything: everythingServer(),
      },
    });
    ({ client } = testProxy);
    base = testProxy.url.origin;
  });

  afterAll(() => testProxy?.close());

  it('starts, and the healthy backend serves its tools', async () => {
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain('everything__echo');
    expect(names.some((n) => n.startsWith('ghost__') || n.startsWith('crash-y__'))).toBe(false);
    const result = await client.callTool({
      name: 'everything__echo',
      arguments: { message: 'still here' },
    });
    expect(firstText(result)).toBe('Echo: still here');
  });

  it('names a backend whose command does not exist in the error, with its state and reason', async () => {
    const call = client.callTool({ name: 'ghost__anything', arguments: {} });
    await expect(call).rejects.toThrow(
      /Backend "ghost" is unavailable \((backoff|failed): .*switchyard-no-such-command-xyz/,
    );
  });

  it('names a backend that exited at once, with its exit code', async () => {
    const call = client.callTool({ name: 'crash-y__anything', arguments: {} });
    await expect(call).rejects.toThrow(
      /Backend "crash-y" is unavailable \((backoff|failed): .*code 3/,
    );
  });

  it('reports each backend state on /health', async () => {
    const health = (await (await fetch(`${base}/health`)).json()) as {
      status: string;
      backends: Array<{ name: string; state: string; reason?: string }>;
    };
    expect(health.status).toBe('ok');
    const states = Object.fromEntries(health.backends.map((b) => [b.name, b.state]));
    expect(states.everything).toBe('running');
    // Both broken backends are retried with backoff until they give up (docs/operations.md, "Restarts").
    expect(['backoff', 'starting', 'failed']).toContain(states.ghost);
    expect(['backoff', 'starting', 'failed']).toContain(states['crash-y']);
  });
});
