import type { ChildProcess } from 'node:child_process';
import { until } from '@switchyard/protocol/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstText, fixture, launch, type TestProxy, withProxy } from './helpers.js';

interface Received {
  calls: Array<{ name: string; args: Record<string, unknown> }>;
  initializes: number;
}

/**
 * A Streamable HTTP backend that resets connections, answers 5xx and expires sessions
 * (tests/fixtures/chaos-http-server.mjs), next to a healthy one: each fault reaches the caller as
 * an error naming the backend, later calls work, and nothing already sent is sent again.
 */
describe('a Streamable HTTP backend that resets, fails and expires sessions', () => {
  const children: ChildProcess[] = [];
  let testProxy: TestProxy;

  beforeAll(async () => {
    const [flaky, steady] = await Promise.all([
      launch([fixture('chaos-http-server.mjs')], {}, /port (\d+)/),
      launch([fixture('chaos-http-server.mjs')], {}, /port (\d+)/),
    ]);
    children.push(flaky.child, steady.child);
    const server = (port: string | undefined) => ({
      url: `http://127.0.0.1:${port}/mcp`,
      transport: 'streamable-http',
    });
    testProxy = await withProxy({
      servers: { flaky: server(flaky.match[1]), steady: server(steady.match[1]) },
    });
  });

  afterAll(async () => {
    await testProxy?.close();
    for (const child of children) child.kill();
  });

  const call = (name: string, args: Record<string, unknown> = {}) =>
    testProxy.client.callTool({ name, arguments: args });
  const echo = async (server: string, tag: string) =>
    JSON.parse(firstText(await call(`${server}__echo`, { tag }))).args.tag as string;
  /** An echo that succeeds, retried while the backend reconnects. */
  const echoOnceBack = (server: string, tag: string) =>
    until(
      () =>
        echo(server, tag).then(
          (text) => text,
          () => undefined,
        ),
      `${server} to serve again`,
    );
  const received = async (server: string): Promise<Received> =>
    JSON.parse(firstText(await call(`${server}__received`)));
  /** How many times the backend received a tools/call with this tag. */
  const timesReceived = (log: Received, tag: string) =>
    log.calls.filter((c) => c.args.tag === tag).length;

  it('a connection reset fails the call, and the next calls work', async () => {
    await expect(call('flaky__reset', { tag: 'reset-1' })).rejects.toThrow(
      /Backend "flaky" is unavailable: other side closed/,
    );
    expect(await echoOnceBack('flaky', 'after reset')).toBe('after reset');
    expect(await echo('steady', 'unaffected')).toBe('unaffected');
    expect(timesReceived(await received('flaky'), 'reset-1')).toBe(1);
  });

  it('an HTTP 500 fails the call, and the next calls work', async () => {
    await expect(call('flaky__fail', { tag: 'fail-1' })).rejects.toThrow(/HTTP 500/);
    expect(await echoOnceBack('flaky', 'after 500')).toBe('after 500');
    expect(await echo('steady', 'still unaffected')).toBe('still unaffected');
    expect(timesReceived(await received('flaky'), 'fail-1')).toBe(1);
  });

  it('a 404 on the session fails the call once, re-initializes, and never sends that call again', async () => {
    const before = (await received('flaky')).initializes;
    await call('flaky__expire');
    // The call that meets the expired session fails: a tools/call is not idempotent, so the
    // proxy does not replay it on the new session.
    await expect(call('flaky__echo', { tag: 'meets 404' })).rejects.toThrow(/"flaky"/);
    expect(await echoOnceBack('flaky', 'after 404')).toBe('after 404');
    const log = await received('flaky');
    expect(log.initializes).toBe(before + 1);
    expect(timesReceived(log, 'meets 404')).toBe(1);
    expect(timesReceived(log, 'after 404')).toBeGreaterThanOrEqual(1);
    expect(await echo('steady', 'never noticed')).toBe('never noticed');
  });

  it('keeps the proxy serving throughout', async () => {
    const health = (await (await fetch(`${testProxy.url.origin}/health`)).json()) as {
      status: string;
      backends: Array<{ name: string; state: string; restarts: number }>;
    };
    expect(health.status).toBe('ok');
    const states = Object.fromEntries(health.backends.map((b) => [b.name, b.state]));
    expect(states).toMatchObject({ flaky: 'running', steady: 'running' });
    expect(health.backends.find((b) => b.name === 'steady')?.restarts).toBe(0);
  });
});
