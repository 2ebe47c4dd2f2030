import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { everythingServer, fixture, type TestProxy, tempDir, withProxy } from './helpers.js';

/** Every text block of a tool result, joined. */
function allText(result: unknown): string {
  const content = (result as { content?: Array<{ type: string; text?: string }> }).content ?? [];
  return content.map((block) => block.text ?? '').join('\n');
}

/** What one client was asked by backends, by kind. */
interface Asked {
  sampling: string[];
  elicitation: string[];
  roots: number;
}

/**
 * An SDK client that answers sampling, elicitation and roots requests in its own name, and keeps
 * what it was asked, so a test can tell whose requests reached whom.
 */
async function identifiedClient(
  url: URL,
  who: string,
  capabilities: Record<string, object> = {
    sampling: {},
    elicitation: {},
    roots: { listChanged: true },
  },
): Promise<{ client: Client; asked: Asked }> {
  const client = new Client({ name: `client-${who}`, version: '1.0.0' }, { capabilities });
  const asked: Asked = { sampling: [], elicitation: [], roots: 0 };
  client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
    const content = request.params.messages[0]?.content;
    asked.sampling.push(content && 'text' in content ? String(content.text) : '');
    return { role: 'assistant', content: { type: 'text', text: `sampled by ${who}` }, model: 'm' };
  });
  // The SDK refuses handlers for capabilities the client did not declare.
  if ('elicitation' in capabilities) {
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.elicitation.push(request.params.message);
      return { action: 'accept', content: { name: `name of ${who}`, check: true } };
    });
  }
  if ('roots' in capabilities) {
    client.setRequestHandler(ListRootsRequestSchema, async () => {
      asked.roots++;
      return { roots: [{ uri: `file:///workspace/${who}`, name: `root of ${who}` }] };
    });
  }
  await client.connect(new StreamableHTTPClientTransport(url));
  return { client, asked };
}

/** A proxy in front of server-everything over stdio, shared or with a session per client. */
function everything(sessions: 'shared' | 'per-client') {
  return withProxy(
    {
      servers: {
        everything: everythingServer({ sessions }),
      },
    },
    { client: false },
  );
}

describe('a shared backend: requests go to the one client waiting on it', () => {
  let testProxy: TestProxy;
  let url: URL;

  beforeAll(async () => {
    testProxy = await everything('shared');
    ({ url } = testProxy);
  });

  afterAll(() => testProxy?.close());

  it('relays a real backend sampling request to the calling client and its answer back', async () => {
    // Both connected, calling one after the other: each time one client is waiting.
    const clients = [
      { who: 'A', ...(await identifiedClient(url, 'A', { sampling: {} })) },
      { who: 'B', ...(await identifiedClient(url, 'B', { sampling: {} })) },
    ];
    for (const { who, client, asked } of clients) {
      const text = allText(
        await client.callTool({
          name: 'everything__trigger-sampling-request',
          arguments: { prompt: `for ${who}`, maxTokens: 10 },
        }),
      );
      expect(text).toContain(`sampled by ${who}`);
      expect(asked.sampling).toEqual([expect.stringContaining(`for ${who}`)]);
    }
    for (const { client } of clients) await client.close();
  });

  it('refuses the request cleanly at the backend when the client did not declare sampling', async () => {
    const plain = await testProxy.connect('no-sampling');
    const outcome = await plain
      .callTool({
        name: 'everything__trigger-sampling-request',
        arguments: { prompt: 'x', maxTokens: 10 },
      })
      .then(
        (r) => `${r.isError ? 'isError: ' : ''}${allText(r)}`,
        (error: Error) => error.message,
      );
    expect(outcome).toMatch(/did not declare sampling/);
    await plain.close();
  });
});

describe('a backend session per client: server-to-client requests reach their own client', () => {
  let testProxy: TestProxy;
  let url: URL;

  beforeAll(async () => {
    testProxy = await everything('per-client');
    ({ url } = testProxy);
  });

  afterAll(() => testProxy?.close());

  it('relays sampling, elicitation and roots of two clients calling at once, each only its own', async () => {
    const a = await identifiedClient(url, 'A');
    const b = await identifiedClient(url, 'B');
    const both = async (name: string, args: (who: string) => Record<string, unknown>) =>
      Promise.all(
        [
          { who: 'A', c: a.client },
          { who: 'B', c: b.client },
        ].map(async ({ who, c }) =>
          allText(await c.callTool({ name: `everything__${name}`, arguments: args(who) })),
        ),
      );

    const sampled = await both('trigger-sampling-request', (who) => ({
      prompt: `question of ${who}`,
      maxTokens: 10,
    }));
    expect(sampled[0]).toContain('sampled by A');
    expect(sampled[1]).toContain('sampled by B');
    expect(a.asked.sampling).toEqual([expect.stringContaining('question of A')]);
    expect(b.asked.sampling).toEqual([expect.stringContaining('question of B')]);

    const elicited = await both('trigger-elicitation-request', () => ({}));
    expect(elicited[0]).toContain('name of A');
    expect(elicited[1]).toContain('name of B');
    expect(a.asked.elicitation).toHaveLength(1);
    expect(b.asked.elicitation).toHaveLength(1);

    const roots = await both('get-roots-list', () => ({}));
    expect(roots[0]).toContain('file:///workspace/A');
    expect(roots[0]).not.toContain('file:///workspace/B');
    expect(roots[1]).toContain('file:///workspace/B');
    expect(a.asked.roots).toBeGreaterThan(0);
    expect(b.asked.roots).toBeGreaterThan(0);

    await a.client.close();
    await b.client.close();
  });

  it('tells only its own backend session when a client changes its roots', async () => {
    const a = await identifiedClient(url, 'C');
    await a.client.callTool({ name: 'everything__get-roots-list', arguments: {} });
    const before = a.asked.roots;
    await a.client.sendRootsListChanged();
    await expect.poll(() => a.asked.roots, { timeout: 5000 }).toBeGreaterThan(before);
    await a.client.close();
  });
});

describe("the life of a client's own backend session", () => {
  it('starts its own process on first use and ends it when the client leaves', async () => {
    const dir = tempDir();
    const pidfile = join(dir.path, 'pid');
    const testProxy = await withProxy(
      {
        servers: {
          raw: {
            command: process.execPath,
            args: [fixture('raw-server.mjs')],
            env: { FIXTURE_PIDFILE: pidfile },
            sessions: 'per-client',
          },
        },
      },
      { client: false },
    );
    const { url } = testProxy;
    try {
      const shared = readFileSync(pidfile, 'utf8');
      const client = new Client({ name: 'leaving', version: '1.0.0' });
      const transport = new StreamableHTTPClientTransport(url);
      await client.connect(transport);
      await client.callTool({ name: 'raw__echo', arguments: {} });
      const own = Number(readFileSync(pidfile, 'utf8'));
      expect(String(own)).not.toBe(shared);
      const servers = async () =>
        (await (await fetch(new URL('/api/servers', url))).json()) as Array<{
          name: string;
          clientSessions: number;
        }>;
      expect((await servers()).find((s) => s.name === 'raw')?.clientSessions).toBe(1);
      const metrics = await (await fetch(new URL('/metrics', url))).text();
      expect(metrics).toContain('switchyard_backend_client_sessions{server="raw"} 1');
      expect(() => process.kill(own, 0)).not.toThrow();
      // DELETE ends the client's session at the proxy (closing the SDK client alone does not).
      await transport.terminateSession();
      await client.close();
      await expect
        .poll(
          () => {
            try {
              process.kill(own, 0);
              return 'running';
            } catch {
              return 'gone';
            }
          },
          { timeout: 10_000 },
        )
        .toBe('gone');
      expect(() => process.kill(Number(shared), 0)).not.toThrow();
      expect((await servers()).find((s) => s.name === 'raw')?.clientSessions).toBe(0);
    } finally {
      await testProxy.close();
      dir.remove();
    }
  });
});
