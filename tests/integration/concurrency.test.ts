import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { everythingServer, firstText, fixture, type TestProxy, withProxy } from './helpers.js';

const CLIENTS = 20;
const CALLS = 50;

describe('20 clients x 50 concurrent tools/call with colliding request ids', () => {
  let testProxy: TestProxy;
  let clients: Client[];

  beforeAll(async () => {
    testProxy = await withProxy(
      {
        // The default limits: up to 500 calls reach each backend at once, 100 run and the rest
        // wait their turn (docs/operations.md, "Admission").
        servers: {
          // Random delays make responses come back out of order: a crossed id would show.
          slow: {
            command: process.execPath,
            args: [fixture('raw-server.mjs')],
            env: { FIXTURE_NAME: 'slow' },
          },
          everything: everythingServer(),
        },
      },
      { client: false },
    );
    // Every SDK client numbers its requests from 0, so all 20 send the same ids at once.
    clients = await Promise.all(
      Array.from({ length: CLIENTS }, (_, i) => testProxy.connect(`client-${i}`)),
    );
  });

  afterAll(() => testProxy?.close());

  it('delivers every response to its own caller with its own payload', async () => {
    const calls = clients.flatMap((client, c) =>
      Array.from({ length: CALLS }, async (_, i) => {
        const tag = `c${c}-r${i}`;
        if (i % 2 === 0) {
          const result = await client.callTool({
            name: 'slow__echo',
            arguments: { tag, delayMs: Math.floor(Math.random() * 20) },
          });
          return {
            tag,
            got: (JSON.parse(firstText(result)) as { args: { tag: string } }).args.tag,
          };
        }
        const result = await client.callTool({
          name: 'everything__echo',
          arguments: { message: tag },
        });
        return { tag, got: firstText(result).replace('Echo: ', '') };
      }),
    );
    const results = await Promise.all(calls);
    expect(results).toHaveLength(CLIENTS * CALLS);
    const crossed = results.filter((r) => r.tag !== r.got);
    expect(crossed).toEqual([]);
  });
});
