import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createLogger, silentLogger } from '@switchyard/logging';
import { ManualClock, until } from '@switchyard/protocol/testing';
import { createProxy, type SwitchyardProxy } from '@switchyard/proxy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstText, fixture, type TestProxy, tempDir, withProxy } from './helpers.js';

/**
 * Backends that misbehave as real processes (tests/fixtures/chaos-server.mjs): the proxy stays
 * up, the others keep serving, and the broken one ends in a state its clients can see
 * (docs/operations.md, "Backend states" and "Restarts"). Time-based bounds are checked on the
 * proxy's injected clock, never on the wall clock.
 */

interface BackendHealth {
  name: string;
  state: string;
  reason?: string;
  restarts: number;
}

function chaosServer(env: Record<string, string> = {}, extra: Record<string, unknown> = {}) {
  return { command: process.execPath, args: [fixture('chaos-server.mjs')], env, ...extra };
}

function observe(testProxy: TestProxy) {
  const base = testProxy.url.origin;
  const health = async () =>
    (await (await fetch(`${base}/health`)).json()) as { status: string; backends: BackendHealth[] };
  return {
    health,
    backend: async (name: string) => (await health()).backends.find((b) => b.name === name),
    metrics: async () => (await fetch(`${base}/metrics`)).text(),
  };
}

/** A writable stream that appends each line written to it to `into`. */
function lines(into: string[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      into.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
}

/** The value of one sample of a Prometheus text exposition, or 0 when it is absent. */
function sample(metrics: string, series: string): number {
  const line = metrics.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe('a backend that writes garbage on stdout between its answers', () => {
  let testProxy: TestProxy;

  beforeAll(async () => {
    testProxy = await withProxy({ servers: { chaos: chaosServer() } });
  });
  afterAll(() => testProxy?.close());

  it('delivers every answer among 1,000 garbage lines, forwards none of them, and counts them', async () => {
    const { client } = testProxy;
    const oddities: unknown[] = [];
    client.onerror = (error) => oddities.push(error);
    client.fallbackNotificationHandler = async (notification) => {
      oddities.push(notification);
    };
    const { metrics } = observe(testProxy);
    const series = 'switchyard_non_protocol_lines_total{server="chaos"}';
    const before = sample(await metrics(), series);

    // 100 concurrent calls, each answered between 5 garbage lines and 5 more.
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        client.callTool({ name: 'chaos__garbage', arguments: { i, lines: 10 } }),
      ),
    );
    expect(results.map((r) => JSON.parse(firstText(r)).args.i)).toEqual(
      Array.from({ length: 100 }, (_, i) => i),
    );
    await until(
      async () => sample(await metrics(), series) - before === 1000,
      'the 1,000 garbage lines to be counted',
    );
    expect(oddities).toEqual([]);
    const again = await client.callTool({ name: 'chaos__echo', arguments: { tag: 'after' } });
    expect(JSON.parse(firstText(again)).args.tag).toBe('after');
  });
});

describe('a backend that floods stdout without a newline', () => {
  const dir = tempDir();
  const clock = new ManualClock();
  const log: string[] = [];
  let testProxy: TestProxy;

  beforeAll(async () => {
    testProxy = await withProxy(
      {
        servers: {
          flood: chaosServer(
            {},
            {
              requestTimeoutMs: 5_000,
              healthCheck: { intervalMs: 1_000, timeoutMs: 500, failureThreshold: 2 },
            },
          ),
          other: chaosServer({ FIXTURE_NAME: 'other' }),
        },
      },
      { clock, logger: createLogger({ level: 'warn', format: 'json', stream: lines(log) }) },
    );
  });
  afterAll(async () => {
    await testProxy?.close();
    dir.remove();
  });

  it('fails its calls, restarts it, and leaves the other backend and the proxy serving', async () => {
    const { client } = testProxy;
    const { backend, health } = observe(testProxy);
    const doneFile = join(dir.path, 'flooded');
    // 20 MiB is five times proxy.maxMessageBytes (4 MiB by default); the line never ends.
    const flood = client
      .callTool({ name: 'flood__flood', arguments: { bytes: 20 * 1024 * 1024, doneFile } })
      .then(
        () => 'answered',
        (error: Error) => error.message,
      );
    await until(() => existsSync(doneFile), 'the flood to be written', 20_000);
    // Logged as soon as the line passes the limit, though it never ends.
    await until(
      () => log.some((l) => /"server":"flood"/.test(l) && /over the 4194304-byte limit/.test(l)),
      'the flood to be logged',
    );
    const stuck = client
      .callTool({ name: 'flood__echo', arguments: { tag: 'lost in the flood' } })
      .then(
        () => 'answered',
        (error: Error) => error.message,
      );

    const other = await client.callTool({ name: 'other__echo', arguments: { tag: 'meanwhile' } });
    expect(JSON.parse(firstText(other))).toEqual({ server: 'other', args: { tag: 'meanwhile' } });

    // On the proxy's clock the health checks find the backend mute (its answers are part of the
    // endless line, dropped once it passes proxy.maxMessageBytes) and restart it; the calls in
    // flight fail with it.
    await clock.advanceTimerByTimer(5_000);
    // The second failed probe (at 2.5 s) closes the backend, before the calls' own timeout.
    expect(await flood).toMatch(/Backend "flood" is unavailable/);
    expect(await stuck).toMatch(/Backend "flood" is unavailable/);
    const restarted = await until(
      async () => {
        await clock.advanceTimerByTimer(500);
        const b = await backend('flood');
        return b?.state === 'running' && b.restarts >= 1 ? b : undefined;
      },
      'the flooding backend to be restarted',
      20_000,
    );
    expect(restarted.restarts).toBe(1);
    expect((await health()).status).toBe('ok');
    const back = await client.callTool({ name: 'flood__echo', arguments: { tag: 'clean' } });
    expect(JSON.parse(firstText(back)).args.tag).toBe('clean');
    expect((await backend('other'))?.restarts).toBe(0);
  });
});

describe('a backend that never answers initialize', () => {
  const clock = new ManualClock();
  const clients: Client[] = [];
  let proxy: SwitchyardProxy;

  /** Resolves `pending`, moving the proxy's clock in 500 ms steps until it settles. */
  async function advancingUntil<T>(pending: Promise<T>): Promise<T> {
    let done = false;
    const settled = pending.finally(() => {
      done = true;
    });
    await until(async () => {
      if (!done) await clock.advanceTimerByTimer(500);
      return done;
    }, 'a request waiting on the proxy clock');
    return settled;
  }

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await proxy?.stop();
  });

  it('leaves the proxy serving, never advertises its tools, and ends failed after its init timeouts', async () => {
    proxy = createProxy(
      {
        servers: {
          mute: chaosServer({ FIXTURE_MUTE: '1' }, { restartDelayMs: 1_000 }),
          other: chaosServer({ FIXTURE_NAME: 'other' }),
        },
      },
      { logger: silentLogger(), port: 0, baseEnv: process.env, clock },
    );
    // start() resolves once every backend has had its first handshake; the HTTP server listens
    // before that, so liveness does not wait for the mute backend.
    const starting = proxy.start();
    const port = await until(() => proxy.address?.port, 'the proxy to listen');
    const base = `http://127.0.0.1:${port}`;
    const health = async () =>
      (await (await fetch(`${base}/health`)).json()) as {
        status: string;
        backends: BackendHealth[];
      };
    const backend = async (name: string) => (await health()).backends.find((b) => b.name === name);
    await until(async () => (await backend('other'))?.state === 'running', 'other running');
    expect((await health()).status).toBe('ok');
    expect((await backend('mute'))?.state).toBe('starting');
    // The handshake times out on the proxy's clock after the router's 30 s initialize timeout
    // (MCP 2025-11-25, Basic: Lifecycle, Timeouts), and no sooner.
    await advancingUntil(starting);
    expect(clock.now()).toBeGreaterThanOrEqual(30_000);

    const client = new Client({ name: 'chaos', version: '1.0.0' });
    clients.push(client);
    await advancingUntil(client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`))));
    const names = (await advancingUntil(client.listTools())).tools.map((t) => t.name);
    expect(names).toContain('other__echo');
    expect(names.filter((n) => n.startsWith('mute__'))).toEqual([]);

    // Each restart's handshake times out too, until the crash-loop limit.
    const states = new Set<string>();
    const failed = await until(
      async () => {
        await clock.advanceTimerByTimer(1_000);
        const b = await backend('mute');
        if (b) states.add(b.state);
        return b?.state === 'failed' ? b : undefined;
      },
      'the mute backend to give up',
      30_000,
    );
    expect(failed.reason).toMatch(/crash loop: 3 restarts/);
    expect(failed.reason).toMatch(/initialize/);
    expect(states).toContain('backoff');
    const last = (await client.listTools()).tools.map((t) => t.name);
    expect(last.filter((n) => n.startsWith('mute__'))).toEqual([]);
    await expect(client.callTool({ name: 'mute__echo', arguments: {} })).rejects.toThrow(
      /Backend "mute" is unavailable \(failed: crash loop/,
    );
    const other = await client.callTool({ name: 'other__echo', arguments: { tag: 'fine' } });
    expect(JSON.parse(firstText(other)).args.tag).toBe('fine');
    expect((await health()).status).toBe('ok');
  });
});

describe('a backend in a crash loop', () => {
  const clock = new ManualClock();
  let testProxy: TestProxy;

  beforeAll(async () => {
    testProxy = await withProxy(
      {
        servers: {
          loop: {
            command: process.execPath,
            args: [fixture('exit-at-once.mjs')],
            restartDelayMs: 1_000,
            maxRestarts: 3,
          },
        },
      },
      { clock },
    );
  });
  afterAll(() => testProxy?.close());

  it('restarts at once, then with a growing backoff, then gives up visibly in /health and /metrics', async () => {
    const { backend, metrics } = observe(testProxy);
    /** The proxy's clock at each restart, seen at a 50 ms resolution. */
    const restartedAt: number[] = [];
    const failed = await until(
      async () => {
        const b = await backend('loop');
        if (!b) return undefined;
        while (restartedAt.length < b.restarts) restartedAt.push(clock.now());
        if (b.state === 'failed') return b;
        if (b.state === 'backoff') await clock.advanceTimerByTimer(50);
        return undefined;
      },
      'the crash loop to give up',
      30_000,
    );
    expect(failed.restarts).toBe(3);
    expect(failed.reason).toMatch(/crash loop: 3 restarts within 300000 ms/);
    const [first = -1, second = -1, third = -1] = restartedAt;
    // The first restart is immediate; then restartDelayMs (±20 % jitter), then twice that.
    expect(first).toBeLessThanOrEqual(50);
    expect(second - first).toBeGreaterThanOrEqual(800);
    expect(second - first).toBeLessThanOrEqual(1_250);
    expect(third - second).toBeGreaterThanOrEqual(1_600);
    expect(third - second).toBeLessThanOrEqual(2_450);
    const text = await metrics();
    expect(sample(text, 'switchyard_backend_restarts_total{server="loop"}')).toBe(3);
    expect(sample(text, 'switchyard_backend_state{server="loop",state="failed"}')).toBe(1);
    expect(sample(text, 'switchyard_backend_up{server="loop"}')).toBe(0);
  });
});

describe('a backend that breaks the protocol', () => {
  let testProxy: TestProxy;

  beforeAll(async () => {
    testProxy = await withProxy({ servers: { chaos: chaosServer() } });
  });
  afterAll(() => testProxy?.close());

  it('drops duplicate answers and answers to ids it never sent, and keeps serving', async () => {
    const { client } = testProxy;
    const oddities: unknown[] = [];
    client.onerror = (error) => oddities.push(error);
    const result = await client.callTool({ name: 'chaos__duplicate', arguments: {} });
    expect(JSON.parse(firstText(result))).toEqual({ server: 'chaos', answer: 1 });
    const calls = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        client.callTool({ name: 'chaos__echo', arguments: { i } }),
      ),
    );
    expect(calls.map((r) => JSON.parse(firstText(r)).args.i)).toEqual([...Array(10).keys()]);
    expect(oddities).toEqual([]);
    expect((await observe(testProxy).backend('chaos'))?.restarts).toBe(0);
  });

  it('answers -32601 to the backend for sampling a client did not declare, without a crash', async () => {
    const { client } = testProxy;
    const result = await client.callTool({ name: 'chaos__ask', arguments: {} });
    const response = JSON.parse(firstText(result)) as { error?: { code: number } };
    expect(response.error?.code).toBe(-32601);
    const again = await client.callTool({ name: 'chaos__echo', arguments: { tag: 'still' } });
    expect(JSON.parse(firstText(again)).args.tag).toBe('still');
  });
});
