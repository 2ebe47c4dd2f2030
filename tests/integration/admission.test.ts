import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { everythingServer, firstText, fixture, type TestProxy, withProxy } from './helpers.js';

const CLIENTS = 10;
const CALLS = 30;

/** `CALLS` concurrent calls from each client at once, with what each answered or its error. */
function burst(clients: Client[], call: (client: Client, tag: string) => Promise<string>) {
  return Promise.all(
    clients.flatMap((client, c) =>
      Array.from({ length: CALLS }, (_, i) => {
        const tag = `c${c}-r${i}`;
        return call(client, tag).then(
          (got) => ({ tag, got }),
          (error: Error) => ({ tag, got: `error: ${error.message}` }),
        );
      }),
    ),
  );
}

describe('admission with the default limits: 10 clients x 30 concurrent calls to one stdio backend', () => {
  let testProxy: TestProxy;
  let clients: Client[];

  beforeAll(async () => {
    // The default configuration: no limit is raised (docs/operations.md, "Admission").
    testProxy = await withProxy(
      {
        servers: {
          everything: everythingServer(),
          held: { command: process.execPath, args: [fixture('raw-server.mjs')] },
        },
      },
      { client: false },
    );
    clients = await Promise.all(
      Array.from({ length: CLIENTS }, (_, i) => testProxy.connect(`client-${i}`)),
    );
  });

  afterAll(() => testProxy?.close());

  it("all succeed through server-everything's echo", async () => {
    const results = await burst(clients, async (client, tag) =>
      firstText(
        await client.callTool({ name: 'everything__echo', arguments: { message: tag } }),
      ).replace('Echo: ', ''),
    );
    expect(results.filter((r) => r.got !== r.tag)).toEqual([]);
  });

  it('all succeed when every call holds its slot, so 300 are wanted at once: 100 run, the rest wait', async () => {
    const results = await burst(clients, async (client, tag) => {
      const result = await client.callTool({
        name: 'held__echo',
        arguments: { tag, delayMs: 200 },
      });
      return (JSON.parse(firstText(result)) as { args: { tag: string } }).args.tag;
    });
    expect(results).toHaveLength(CLIENTS * CALLS);
    expect(results.filter((r) => r.got !== r.tag)).toEqual([]);
    const metrics = await (await fetch(`${testProxy.url.origin}/metrics`)).text();
    expect(metrics).toContain(
      `switchyard_requests_total{server="held",method="tools/call",status="ok"} ${CLIENTS * CALLS}`,
    );
    expect(metrics).toContain('switchyard_backend_queue_depth{server="held"} 0');
    expect(metrics).not.toMatch(/switchyard_requests_rejected_total\{[^}]*\} [1-9]/);
  });
});
