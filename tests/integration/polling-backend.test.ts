import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstText, fixture, launch, type TestProxy, withProxy } from './helpers.js';

/**
 * A Streamable HTTP backend that does SSE polling (MCP 2025-11-25, Transports: Streamable HTTP,
 * Resumability and Redelivery): it primes each call's stream with an event id and a `retry` hint,
 * closes the stream while it works, and expects the client to come back with GET +
 * `Last-Event-ID`, as many times as it closes it. The backend is the SDK's server transport with
 * an event store (tests/fixtures/transport-server.mjs), the proxy its client.
 */
describe('a Streamable HTTP backend that closes its SSE stream mid-call (SSE polling)', () => {
  let child: ChildProcess | undefined;
  let testProxy: TestProxy | undefined;

  beforeAll(async () => {
    const launched = await launch(
      [fixture('transport-server.mjs'), 'streamable-http', 'poller'],
      {},
      /port (\d+)/,
    );
    child = launched.child;
    testProxy = await withProxy({
      servers: {
        poller: {
          url: `http://127.0.0.1:${launched.match[1]}/mcp`,
          transport: 'streamable-http',
        },
      },
    });
  });

  afterAll(async () => {
    await testProxy?.close();
    child?.kill();
  });

  it('delivers the answer of a call whose stream the backend closed once', async () => {
    const result = await testProxy?.client.callTool({
      name: 'poller__poll',
      arguments: { cuts: 1 },
    });
    expect(firstText(result)).toBe('answered by poller after 1 cuts');
  });

  it('delivers the answer of a call whose resumed streams the backend closed again', async () => {
    const result = await testProxy?.client.callTool({
      name: 'poller__poll',
      arguments: { cuts: 3 },
    });
    expect(firstText(result)).toBe('answered by poller after 3 cuts');
  });

  it('answers calls whose answer is replayed on the resumed stream, many in a row', async () => {
    // The answer is ready before the proxy comes back, so the backend replays it on a stream
    // it then keeps open; the proxy lets go of it, or each call would hold a pooled connection.
    for (let i = 0; i < 12; i++) {
      const result = await testProxy?.client.callTool({
        name: 'poller__poll',
        arguments: { cuts: 1, waitMs: 0 },
      });
      expect(firstText(result)).toBe('answered by poller after 1 cuts');
    }
    const echo = await testProxy?.client.callTool({
      name: 'poller__echo',
      arguments: { message: 'still here' },
    });
    expect(firstText(echo)).toBe('still here');
  });
});
