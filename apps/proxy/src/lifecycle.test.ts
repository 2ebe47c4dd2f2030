import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { normalizeConfig, type SwitchyardConfig } from '@switchyard/config';
import { silentLogger } from '@switchyard/logging';
import { SwitchyardError, systemClock } from '@switchyard/protocol';
import { until } from '@switchyard/protocol/testing';
import { planReload } from '@switchyard/supervisor';
import { describe, expect, it } from 'vitest';
import type { ProxyEvent } from './events.js';
import { createLifecycle, type StoppableEndpoint } from './lifecycle.js';
import { type BackendOptions, backendOptionsOf, type ListenSettings } from './options.js';

const server = (command: string, extra: Record<string, unknown> = {}) => ({ command, ...extra });

/**
 * A lifecycle over fake endpoints and backends that record what is done to them, in order. Its
 * front door answers once it has read the whole request body, as the MCP fronts do.
 */
function setup(config: SwitchyardConfig, listen: Partial<ListenSettings> = {}) {
  const log: string[] = [];
  const emitted: ProxyEvent[] = [];
  const applied: BackendOptions[][] = [];
  const secrets: string[][] = [];
  const endpoint = (name: string): StoppableEndpoint => ({
    router: {
      drain: async () => {
        log.push(`${name} drained`);
        return true;
      },
      close: async () => {
        log.push(`${name} sessions closed`);
      },
      inflight: 0,
    },
    http: { close: () => log.push(`${name} fronts closed`) },
    sse: { close: () => {} },
    ws: { close: () => {} },
  });
  const running = { current: config };
  const admission = { open: true };
  const lifecycle = createLifecycle({
    listen: {
      host: '127.0.0.1',
      port: 0,
      loopbackOnly: true,
      refusal: undefined,
      headersTimeoutMs: 10_000,
      requestBodyTimeoutMs: 30_000,
      maxConnections: 10_000,
      ...listen,
    },
    http: {
      listener: () => (incoming, response) => {
        incoming.resume();
        incoming.on('end', () => response.end('front door'));
      },
      handleUpgrade: () => {},
    },
    endpoints: { all: () => [endpoint('aggregate'), endpoint('per-server')] },
    backends: {
      start: async () => {
        log.push('backends started');
      },
      stop: async () => {
        log.push(`backends stopped (admission ${admission.open ? 'open' : 'closed'})`);
      },
      apply: async (next) => {
        log.push('backends applied');
        applied.push([...next]);
        return planReload(backendOptionsOf(running.current), next);
      },
    },
    admission,
    running,
    events: { emit: (event) => emitted.push(event) },
    logger: silentLogger(),
    secrets: {
      replace: (values) => {
        log.push('secrets replaced');
        secrets.push([...new Set(values)].sort());
      },
    },
    clock: systemClock,
    shutdownDeadlineMs: 1000,
    release: [
      async () => {
        log.push('pool closed');
      },
      async () => {
        log.push('logger flushed');
      },
    ],
  });
  return { lifecycle, log, emitted, applied, running, admission, secrets };
}

describe('reload', () => {
  const before = normalizeConfig({
    servers: { keep: server('keep'), change: server('change'), drop: server('drop') },
  });
  const after = normalizeConfig({
    proxy: { port: 4000 },
    naming: { separator: '.' },
    servers: {
      keep: server('keep'),
      change: server('change', { args: ['-v'] }),
      add: server('add'),
    },
  });

  it('summarises which servers were added, removed and restarted, and what waits for a restart', async () => {
    const { lifecycle, applied } = setup(before);
    const summary = await lifecycle.reload(after);
    expect(summary).toEqual({
      added: ['add'],
      removed: ['drop'],
      restarted: ['change'],
      needsRestart: ['proxy', 'naming'],
    });
    expect(applied[0]?.map((b) => b.name)).toEqual(['keep', 'change', 'add']);
  });

  it('puts the new servers in force and keeps the running values of restart-only sections', async () => {
    const { lifecycle, running } = setup(before);
    await lifecycle.reload(after);
    expect(running.current.servers.map((s) => s.name)).toEqual(['keep', 'change', 'add']);
    expect(running.current.proxy).toEqual(before.proxy);
    expect(running.current.naming).toEqual(before.naming);
  });

  it('knows the new secrets before a new server runs, and drops the old once it has stopped', async () => {
    const withOld = normalizeConfig({
      servers: { drop: server('drop', { env: { API_TOKEN: 'old-secret-1' } }) },
    });
    const withNew = normalizeConfig({
      dashboard: { apiKey: 'new-dashboard-key' },
      servers: { add: server('add', { env: { API_TOKEN: 'new-secret-2', LOG_LEVEL: 'info' } }) },
    });
    const { lifecycle, log, secrets } = setup(withOld);
    await lifecycle.reload(withNew);
    expect(log).toEqual(['secrets replaced', 'backends applied', 'secrets replaced']);
    expect(secrets).toEqual([
      ['new-dashboard-key', 'new-secret-2', 'old-secret-1'],
      ['new-dashboard-key', 'new-secret-2'],
    ]);
  });

  it('emits a reloaded event carrying the summary', async () => {
    const { lifecycle, emitted } = setup(before);
    const summary = await lifecycle.reload(before);
    expect(summary).toEqual({ added: [], removed: [], restarted: [], needsRestart: [] });
    expect(emitted).toEqual([{ type: 'reloaded', summary }]);
  });
});

describe('start and stop', () => {
  const config = normalizeConfig({ servers: {} });

  it('refuses to listen when the settings say why, before starting anything', async () => {
    const { lifecycle, log } = setup(config, { refusal: 'refusing to listen on 0.0.0.0' });
    const refused = await lifecycle.start().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(SwitchyardError);
    expect(refused).toMatchObject({
      code: 'config_invalid',
      message: 'refusing to listen on 0.0.0.0',
    });
    expect(log).toEqual([]);
    // Without listening (embedding, stdio) there is nothing to refuse.
    await lifecycle.start({ listen: false });
    expect(lifecycle.address).toBeUndefined();
    expect(log).toEqual(['backends started']);
  });

  it('listens first, then starts the backends; stops in order and closes the door first', async () => {
    const { lifecycle, log, admission } = setup(config);
    await lifecycle.start();
    const port = lifecycle.address?.port;
    expect(port).toBeGreaterThan(0);
    const body = await new Promise<string>((resolve, reject) => {
      request(`http://127.0.0.1:${port}/`, (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        response.on('end', () => resolve(text));
      })
        .on('error', reject)
        .end();
    });
    expect(body).toBe('front door');
    await lifecycle.stop();
    expect(admission.open).toBe(false);
    expect(log).toEqual([
      'backends started',
      'aggregate drained',
      'per-server drained',
      'aggregate fronts closed',
      'aggregate sessions closed',
      'per-server fronts closed',
      'per-server sessions closed',
      'backends stopped (admission closed)',
      'pool closed',
      'logger flushed',
    ]);
  });
});

/** A raw client connection: what it received, and whether the server closed it. */
async function rawClient(port: number) {
  const socket: Socket = connect(port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  const seen = { text: '', closed: false };
  socket.on('data', (chunk: Buffer) => {
    seen.text += chunk.toString();
  });
  socket.on('close', () => {
    seen.closed = true;
  });
  socket.on('error', () => {});
  return { socket, seen };
}

describe('slow and too many clients', () => {
  const config = normalizeConfig({ servers: {} });

  it('answers 408 and disconnects a client whose headers never finish', async () => {
    const { lifecycle } = setup(config, { headersTimeoutMs: 200, requestBodyTimeoutMs: 400 });
    await lifecycle.start();
    const { socket, seen } = await rawClient(lifecycle.address?.port ?? 0);
    socket.write('POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n');
    await until(() => seen.closed, 'the slow client to be disconnected');
    expect(seen.text).toMatch(/^HTTP\/1\.1 408 /);
    await lifecycle.stop();
  });

  it('answers 408 and disconnects a client whose body never finishes', async () => {
    const { lifecycle } = setup(config, { headersTimeoutMs: 200, requestBodyTimeoutMs: 400 });
    await lifecycle.start();
    const { socket, seen } = await rawClient(lifecycle.address?.port ?? 0);
    socket.write(
      'POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"jsonrpc"',
    );
    await until(() => seen.closed, 'the slow body to be cut off');
    expect(seen.text).toMatch(/^HTTP\/1\.1 408 /);
    await lifecycle.stop();
  });

  it('answers 503 with Retry-After to a connection over the cap, and serves again once one closes', async () => {
    const { lifecycle } = setup(config, { maxConnections: 2 });
    await lifecycle.start();
    const port = lifecycle.address?.port ?? 0;
    const first = await rawClient(port);
    await rawClient(port);
    const over = await rawClient(port);
    over.socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await until(() => over.seen.closed, 'the connection over the cap to be closed');
    expect(over.seen.text).toMatch(/^HTTP\/1\.1 503 /);
    expect(over.seen.text).toContain('Retry-After: 1');
    first.socket.destroy();
    await until(() => first.seen.closed, 'a connection to close');
    const next = await rawClient(port);
    next.socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    await until(() => next.seen.closed, 'the answer');
    expect(next.seen.text).toMatch(/^HTTP\/1\.1 200 /);
    expect(next.seen.text).toContain('front door');
    await lifecycle.stop();
  });
});
