import { ErrorCode } from '@switchyard/protocol';
import { ManualClock } from '@switchyard/protocol/testing';
import { describe, expect, it } from 'vitest';
import {
  type Admission,
  admit,
  createBackendGates,
  createGate,
  type GateOptions,
  RETRY_AFTER_MS,
  refusal,
  type Ticket,
} from './admission.js';

function gate(limits: Partial<GateOptions> = {}) {
  const clock = new ManualClock();
  const depths: number[] = [];
  const created = createGate({
    maxInFlight: 2,
    maxPending: 2,
    queueTimeoutMs: 1000,
    clock,
    onDepth: (depth) => depths.push(depth),
    ...limits,
  });
  return { gate: created, clock, depths };
}

/** Records how a ticket's wait ended, as it ends. */
function watch(ticket: ReturnType<ReturnType<typeof createGate>['enter']>) {
  const seen: { admission?: Admission } = {};
  if (typeof ticket === 'string') throw new Error(`expected to wait, got ${ticket}`);
  void ticket.admission.then((admission) => {
    seen.admission = admission;
  });
  return { ticket, seen };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('createGate', () => {
  it('admits up to its limit at once, then queues', () => {
    const { gate: g } = gate();
    expect(g.enter()).toBe('admitted');
    expect(g.enter()).toBe('admitted');
    expect(typeof g.enter()).toBe('object');
    expect(g.inFlight).toBe(2);
    expect(g.queued).toBe(1);
  });

  it('hands freed slots to waiting requests in the order they came', async () => {
    const { gate: g, depths } = gate({ maxInFlight: 1, maxPending: 3 });
    g.enter();
    const waiting = [watch(g.enter()), watch(g.enter()), watch(g.enter())];
    const order: number[] = [];
    waiting.forEach(({ ticket }, i) => {
      void (ticket as Ticket).admission.then(() => order.push(i));
    });
    g.leave();
    await settle();
    expect(order).toEqual([0]);
    g.leave();
    g.leave();
    await settle();
    expect(order).toEqual([0, 1, 2]);
    expect(waiting.map(({ seen }) => seen.admission)).toEqual(['admitted', 'admitted', 'admitted']);
    expect(g.inFlight).toBe(1);
    expect(depths).toEqual([1, 2, 3, 2, 1, 0]);
    g.leave();
    expect(g.inFlight).toBe(0);
  });

  it('lets no newcomer overtake a waiting request', async () => {
    const { gate: g } = gate({ maxInFlight: 1 });
    g.enter();
    const first = watch(g.enter());
    g.leave();
    // The freed slot is already the waiter's: a newcomer queues behind it.
    expect(typeof g.enter()).toBe('object');
    await settle();
    expect(first.seen.admission).toBe('admitted');
  });

  it('refuses at once when the queue is full', () => {
    const { gate: g } = gate({ maxInFlight: 1, maxPending: 1 });
    g.enter();
    g.enter();
    expect(g.enter()).toBe('queue_full');
    expect(g.queued).toBe(1);
  });

  it('refuses instead of queueing when no request may wait', () => {
    const { gate: g } = gate({ maxInFlight: 1, maxPending: 0 });
    g.enter();
    expect(g.enter()).toBe('queue_full');
  });

  it('refuses a request that waited its queue timeout on the clock, and frees its place', async () => {
    const { gate: g, clock } = gate({ maxInFlight: 1, maxPending: 1, queueTimeoutMs: 1000 });
    g.enter();
    const waiting = watch(g.enter());
    clock.advance(999);
    await settle();
    expect(waiting.seen.admission).toBeUndefined();
    clock.advance(1);
    await settle();
    expect(waiting.seen.admission).toBe('queue_timeout');
    expect(g.queued).toBe(0);
    expect(typeof g.enter()).toBe('object');
    expect(clock.pending).toBe(1);
  });

  it('takes a withdrawn request out of the queue: it never gets a slot', async () => {
    const { gate: g, clock } = gate({ maxInFlight: 1, maxPending: 2 });
    g.enter();
    const cancelled = watch(g.enter());
    const next = watch(g.enter());
    (cancelled.ticket as Ticket).withdraw();
    expect(g.queued).toBe(1);
    expect(clock.pending).toBe(1);
    g.leave();
    await settle();
    expect(cancelled.seen.admission).toBe('withdrawn');
    expect(next.seen.admission).toBe('admitted');
    (cancelled.ticket as Ticket).withdraw();
    expect(g.inFlight).toBe(1);
  });

  it('has no limit with an infinite one', () => {
    const { gate: g } = gate({ maxInFlight: Number.POSITIVE_INFINITY });
    for (let i = 0; i < 10_000; i++) expect(g.enter()).toBe('admitted');
  });
});

describe('admit', () => {
  it('holds the way out only while the request waits', async () => {
    const { gate: g } = gate({ maxInFlight: 1 });
    const held: Array<() => void> = [];
    let forgotten = 0;
    const onQueued = (withdraw: () => void) => {
      held.push(withdraw);
      return () => {
        forgotten++;
      };
    };
    expect(await admit(g, onQueued)).toBe('admitted');
    expect(held).toHaveLength(0);
    const second = admit(g, onQueued);
    expect(held).toHaveLength(1);
    held[0]?.();
    expect(await second).toBe('withdrawn');
    expect(forgotten).toBe(1);
  });
});

describe('createBackendGates', () => {
  it('keeps one gate per backend and reports each queue depth by name', () => {
    const clock = new ManualClock();
    const depths: Array<[string, number]> = [];
    const gates = createBackendGates({
      maxInFlight: 1,
      maxPending: 5,
      queueTimeoutMs: 100,
      clock,
      onDepth: (server, depth) => depths.push([server, depth]),
    });
    expect(gates.of('a')).toBe(gates.of('a'));
    gates.of('a').enter();
    gates.of('b').enter();
    gates.of('a').enter();
    expect(depths).toEqual([['a', 1]]);
    clock.advance(100);
    expect(depths).toEqual([
      ['a', 1],
      ['a', 0],
    ]);
  });
});

describe('refusal', () => {
  const limits = { maxInFlight: 100, maxPending: 1000, queueTimeoutMs: 30_000 };

  it("builds the error table's queue_full with the server, reason and a retry hint", () => {
    expect(refusal('queue_full', limits, 'git')).toEqual({
      kind: 'error',
      error: {
        code: ErrorCode.Overloaded,
        message: `Too many requests: backend "git" has 100 in flight and 1000 waiting; retry after ${RETRY_AFTER_MS} ms`,
        data: { server: 'git', reason: 'queue_full', retryAfterMs: RETRY_AFTER_MS },
      },
    });
  });

  it('names the session when the refusing gate is its own', () => {
    expect(refusal('queue_timeout', limits)).toEqual({
      kind: 'error',
      error: {
        code: ErrorCode.Overloaded,
        message: `Too many requests: no free slot at this session within 30000 ms; retry after ${RETRY_AFTER_MS} ms`,
        data: { reason: 'queue_timeout', retryAfterMs: RETRY_AFTER_MS },
      },
    });
  });
});
