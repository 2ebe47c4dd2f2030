import { ManualClock } from '@switchyard/protocol/testing';
import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backend-supervisor.js';
import { Supervisor } from './supervisor.js';
import type { BackendSpec, Connection, Connector, SupervisorEvent } from './types.js';

/** A connection the test controls: kill it, make probes hang or answer. */
class FakeConnection implements Connection {
  closed = false;
  healthy = true;
  constructor(readonly onLost: (reason: string, options?: { immediate?: boolean }) => void) {}
  async probe(): Promise<boolean> {
    return this.healthy && !this.closed;
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

function harness(overrides: Partial<BackendSpec> = {}, fail: () => boolean = () => false) {
  const clock = new ManualClock();
  const connections: FakeConnection[] = [];
  const connect: Connector = async ({ onLost }) => {
    if (fail()) throw new Error('spawn failed');
    const connection = new FakeConnection(onLost);
    connections.push(connection);
    return connection;
  };
  const supervisor = new Supervisor({ clock, random: () => 0.5 });
  const events: SupervisorEvent[] = [];
  supervisor.subscribe((event) => events.push(event));
  const backend = supervisor.add({
    name: 'b',
    enabled: true,
    connect,
    restart: {
      onFailure: true,
      maxRestarts: 3,
      baseDelayMs: 100,
      maxDelayMs: 10_000,
      windowMs: 60_000,
      stableMs: 30_000,
      jitter: 0.2,
    },
    health: {
      enabled: false,
      intervalMs: 1000,
      timeoutMs: 500,
      failureThreshold: 3,
      method: 'ping',
    },
    ...overrides,
  });
  const states = () =>
    events.filter((e) => e.type === 'state').map((e) => (e.type === 'state' ? e.to : ''));
  return { clock, connections, supervisor, backend, events, states };
}

describe('backoffDelay', () => {
  const policy = { baseDelayMs: 100, maxDelayMs: 1000, jitter: 0.2 };

  it('restarts the first failure in a row at once, then doubles from the base delay up to the cap', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((a) => backoffDelay(policy, a, () => 0.5))).toEqual([
      0, 100, 200, 400, 800, 1000, 1000,
    ]);
  });

  it('jitters the delays from the second failure either way', () => {
    expect(backoffDelay(policy, 1, () => 0)).toBe(80);
    expect(backoffDelay(policy, 1, () => 0.999999)).toBe(120);
    expect(backoffDelay(policy, 0, () => 0)).toBe(0);
  });

  it('waits a first delay when the policy has one', () => {
    expect(backoffDelay({ ...policy, firstDelayMs: 250 }, 0, () => 0.5)).toBe(250);
    expect(backoffDelay({ ...policy, firstDelayMs: 250 }, 1, () => 0.5)).toBe(100);
  });
});

describe('Supervisor', () => {
  it('starts a backend and emits each transition with a reason and timestamp', async () => {
    const { supervisor, backend, events } = harness();
    await supervisor.startAll();
    expect(backend.state).toBe('running');
    expect(events[0]).toEqual({
      type: 'state',
      server: 'b',
      from: 'stopped',
      to: 'starting',
      reason: 'proxy started',
      at: 0,
    });
    expect(events[1]).toMatchObject({ type: 'state', to: 'running' });
  });

  it('restarts a backend that dies at once, and counts the restart when it happens', async () => {
    const { clock, supervisor, backend, connections, events } = harness();
    await supervisor.startAll();
    connections[0]?.onLost('process exited with code 1');
    expect(backend.state).toBe('backoff');
    expect(events.at(-1)).toMatchObject({ type: 'restart-scheduled', attempt: 1, delayMs: 0 });
    expect(backend.restarts).toBe(0);
    expect(events.filter((e) => e.type === 'restart')).toEqual([]);
    await clock.advanceTimerByTimer(0);
    expect(backend.state).toBe('running');
    expect(connections).toHaveLength(2);
    expect(backend.restarts).toBe(1);
    expect(events.filter((e) => e.type === 'restart')).toEqual([
      { type: 'restart', server: 'b', attempt: 1, reason: 'process exited with code 1', at: 0 },
    ]);
  });

  it('waits the base delay from the second failure in a row, doubling, up to the cap', async () => {
    const { clock, supervisor, backend, connections, events } = harness({
      restart: {
        onFailure: true,
        maxRestarts: 10,
        baseDelayMs: 100,
        maxDelayMs: 300,
        windowMs: 60_000,
        stableMs: 30_000,
        jitter: 0,
      },
    });
    await supervisor.startAll();
    const delays = () => events.flatMap((e) => (e.type === 'restart-scheduled' ? [e.delayMs] : []));
    for (let crash = 0; crash < 5; crash++) {
      connections.at(-1)?.onLost('crash');
      await clock.advanceTimerByTimer(delays().at(-1) ?? 0);
      expect(backend.state).toBe('running');
    }
    expect(delays()).toEqual([0, 100, 200, 300, 300]);
    expect(events.flatMap((e) => (e.type === 'restart' ? [e.at] : []))).toEqual([
      0, 100, 300, 600, 900,
    ]);
  });

  it('backs off exponentially in a crash loop and then gives up, visibly', async () => {
    let failing = false;
    const { clock, supervisor, backend, connections, events, states } = harness({}, () => failing);
    await supervisor.startAll();
    failing = true;
    connections[0]?.onLost('crashed');
    const delays = () =>
      events
        .filter((e) => e.type === 'restart-scheduled')
        .map((e) => (e.type === 'restart-scheduled' ? e.delayMs : 0));
    await clock.advanceTimerByTimer(0);
    await clock.advanceTimerByTimer(100);
    await clock.advanceTimerByTimer(200);
    expect(delays()).toEqual([0, 100, 200]);
    expect(backend.state).toBe('failed');
    expect(backend.reason).toMatch(
      /^crash loop: 3 restarts within 60000 ms; last failure: spawn failed/,
    );
    expect(states().slice(-2)).toEqual(['starting', 'failed']);
    // No timer is left: nothing more happens, however long we wait.
    await clock.advanceTimerByTimer(1_000_000);
    expect(backend.state).toBe('failed');
  });

  it('resets the backoff after a stable period', async () => {
    const { clock, supervisor, backend, connections, events } = harness();
    await supervisor.startAll();
    connections[0]?.onLost('crash');
    await clock.advanceTimerByTimer(0);
    connections[1]?.onLost('crash');
    expect(events.at(-1)).toMatchObject({ type: 'restart-scheduled', delayMs: 100 });
    await clock.advanceTimerByTimer(100);
    await clock.advanceTimerByTimer(30_000);
    connections[2]?.onLost('crash');
    expect(events.at(-1)).toMatchObject({ type: 'restart-scheduled', delayMs: 0 });
    expect(backend.state).toBe('backoff');
  });

  it('reconnects at once the first time a connection is lost with `immediate`, then backs off', async () => {
    const { clock, supervisor, backend, connections } = harness({
      restart: {
        onFailure: true,
        maxRestarts: 3,
        firstDelayMs: 500,
        baseDelayMs: 100,
        maxDelayMs: 10_000,
        windowMs: 60_000,
        stableMs: 30_000,
        jitter: 0.2,
      },
    });
    await supervisor.startAll();
    connections[0]?.onLost('backend session expired (HTTP 404)', { immediate: true });
    await clock.advanceTimerByTimer(0);
    expect(backend.state).toBe('running');
    expect(connections).toHaveLength(2);
    connections[1]?.onLost('backend session expired (HTTP 404)', { immediate: true });
    await clock.advanceTimerByTimer(0);
    expect(backend.state).toBe('backoff');
    await clock.advanceTimerByTimer(200);
    expect(backend.state).toBe('running');
  });

  it('marks a backend failed at once when restarts are off', async () => {
    const { supervisor, backend, connections } = harness({
      restart: {
        onFailure: false,
        maxRestarts: 3,
        baseDelayMs: 100,
        maxDelayMs: 1000,
        windowMs: 1000,
        stableMs: 1000,
        jitter: 0,
      },
    });
    await supervisor.startAll();
    connections[0]?.onLost('process exited with code 2');
    expect(backend.state).toBe('failed');
    expect(backend.reason).toBe('process exited with code 2');
  });

  it('degrades on a failed health check, recovers on an answer, restarts at the threshold', async () => {
    const health = {
      enabled: true,
      intervalMs: 1000,
      timeoutMs: 500,
      failureThreshold: 3,
      method: 'ping',
    };
    const { clock, supervisor, backend, connections, events } = harness({ health });
    await supervisor.startAll();
    const first = connections[0] as FakeConnection;
    first.healthy = false;
    await clock.advanceTimerByTimer(1000);
    expect(backend.state).toBe('degraded');
    first.healthy = true;
    await clock.advanceTimerByTimer(1000);
    expect(backend.state).toBe('running');
    first.healthy = false;
    await clock.advanceTimerByTimer(3000);
    expect(first.closed).toBe(true);
    expect(events.filter((e) => e.type === 'state' && e.to === 'backoff')).toEqual([
      expect.objectContaining({ reason: 'health check failed 3 times in a row', at: 5000 }),
    ]);
    expect(backend.state).toBe('running');
    expect(connections).toHaveLength(2);
  });

  it('stops, restarts and disables on request, and a stop cancels a pending restart', async () => {
    const { clock, supervisor, backend, connections, events } = harness();
    await supervisor.startAll();
    await supervisor.restart('b');
    expect(connections[0]?.closed).toBe(true);
    expect(backend.state).toBe('running');
    connections[1]?.onLost('crash');
    await supervisor.stop('b');
    await clock.advanceTimerByTimer(10_000);
    expect(backend.state).toBe('stopped');
    expect(connections).toHaveLength(2);
    // The restart that the stop cancelled never happened, so it is not counted.
    expect(backend.restarts).toBe(0);
    expect(events.filter((e) => e.type === 'restart')).toEqual([]);
    await supervisor.setEnabled('b', false);
    expect(backend.enabled).toBe(false);
    await supervisor.setEnabled('b', true);
    expect(backend.state).toBe('running');
  });

  it('ignores a connection lost after the backend was stopped on purpose', async () => {
    const { supervisor, backend, connections } = harness();
    await supervisor.startAll();
    await supervisor.stop('b');
    connections[0]?.onLost('process exited with signal SIGTERM');
    expect(backend.state).toBe('stopped');
  });

  it('shuts every backend down', async () => {
    const { supervisor, connections } = harness();
    await supervisor.startAll();
    await supervisor.shutdown();
    expect(connections.every((c) => c.closed)).toBe(true);
  });

  it('ignores a loss reported by a connection attempt that failed', async () => {
    const clock = new ManualClock();
    const supervisor = new Supervisor({ clock, random: () => 0.5 });
    const backend = supervisor.add({
      name: 'flaky',
      enabled: true,
      connect: async ({ onLost }) => {
        onLost('closed');
        throw new Error('cannot start `nope`: spawn nope ENOENT');
      },
      restart: {
        onFailure: true,
        maxRestarts: 3,
        baseDelayMs: 100,
        maxDelayMs: 1000,
        windowMs: 1000,
        stableMs: 1000,
        jitter: 0,
      },
      health: { enabled: false, intervalMs: 1, timeoutMs: 1, failureThreshold: 1, method: 'ping' },
    });
    await supervisor.startAll();
    expect(backend.state).toBe('backoff');
    expect(backend.reason).toBe('cannot start `nope`: spawn nope ENOENT');
  });

  it('does not retry a connection that can never work', async () => {
    const clock = new ManualClock();
    const supervisor = new Supervisor({ clock });
    const backend = supervisor.add({
      name: 'remote',
      enabled: true,
      connect: async () => {
        throw Object.assign(new Error('transport "websocket" is not available'), {
          retryable: false,
        });
      },
      restart: {
        onFailure: true,
        maxRestarts: 3,
        baseDelayMs: 1,
        maxDelayMs: 1,
        windowMs: 1,
        stableMs: 1,
        jitter: 0,
      },
      health: { enabled: false, intervalMs: 1, timeoutMs: 1, failureThreshold: 1, method: 'ping' },
    });
    await supervisor.startAll();
    expect(backend.state).toBe('failed');
    expect(backend.reason).toBe('transport "websocket" is not available');
  });

  it('leaves a lazy backend stopped at start-up and starts it when woken', async () => {
    const { supervisor, backend, connections } = harness({ lazy: true });
    await supervisor.startAll();
    expect(backend.state).toBe('stopped');
    expect(backend.reason).toBe('starts on first use');
    expect(backend.wakeable).toBe(true);
    await backend.start('first use');
    expect(backend.state).toBe('running');
    expect(connections).toHaveLength(1);
  });

  it('stops an idle backend, waits while it is busy, and can be woken again', async () => {
    const { clock, supervisor, backend, connections } = harness({ idleStopMs: 1000 });
    await supervisor.startAll();
    await clock.advanceTimerByTimer(600);
    backend.touch();
    await clock.advanceTimerByTimer(600);
    expect(backend.state).toBe('running');
    const first = connections[0] as FakeConnection & { busy?: () => boolean };
    let busy = true;
    first.busy = () => busy;
    await clock.advanceTimerByTimer(1000);
    expect(backend.state).toBe('running');
    busy = false;
    await clock.advanceTimerByTimer(1000);
    expect(backend.state).toBe('stopped');
    expect(backend.reason).toBe('idle for 1000 ms');
    expect(first.closed).toBe(true);
    expect(backend.wakeable).toBe(true);
    await backend.start('used again');
    expect(backend.state).toBe('running');
    expect(backend.wakeable).toBe(false);
  });

  it('refuses duplicate and unknown names', async () => {
    const { supervisor, backend } = harness();
    expect(() => supervisor.add(backend.spec)).toThrow(/already supervised/);
    await expect(supervisor.stop('nope')).rejects.toMatchObject({ code: 'invalid_params' });
  });
});
