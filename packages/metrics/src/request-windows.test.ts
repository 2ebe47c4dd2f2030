import { ManualClock } from '@switchyard/protocol/testing';
import { describe, expect, it } from 'vitest';
import {
  createRequestWindows,
  type RequestSummary,
  type ServerWindows,
  type WindowStats,
} from './request-windows.js';
import type { RequestRecord, RequestStatus } from './types.js';

/** A bucket boundary (10 s), so that "n minutes ago" lands on a known bucket. */
const START = 1_700_000_000_000;
const SECOND = 1000;
const MINUTE = 60 * SECOND;

function request(
  server: string,
  method: string,
  status: RequestStatus = 'ok',
  durationSeconds = 0.01,
): RequestRecord {
  return { server, method, status, durationSeconds };
}

function server(summary: RequestSummary, name: string): ServerWindows {
  const found = summary.servers.find((entry) => entry.server === name);
  if (!found) throw new Error(`no server ${name} in the summary`);
  return found;
}

function counts(stats: WindowStats) {
  const { requests, errors, ratePerSecond, errorRate } = stats;
  return { requests, errors, ratePerSecond, errorRate };
}

/** A percentile read from the histogram: within 2.6% of the exact value. */
function expectNear(actual: number | null, exact: number): void {
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - exact) / exact).toBeLessThanOrEqual(0.026);
}

/** The exact nearest-rank percentile of `values`. */
function exactPercentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(p * sorted.length) - 1]!;
}

describe('createRequestWindows', () => {
  it('counts a scripted workload into the 1, 5 and 15 minute windows', () => {
    const clock = new ManualClock(START);
    const windows = createRequestWindows({ clock });
    // 16 minutes before the summary: outside every window.
    windows.record(request('git', 'tools/call'));
    windows.record(request('git', 'tools/call', 'error'));
    windows.record(request('memory', 'tools/call'));
    // 3 minutes before: in 5m and 15m, not in 1m.
    clock.advance(13 * MINUTE);
    windows.record(request('git', 'tools/list'));
    windows.record(request('git', 'tools/list'));
    windows.record(request('git', 'tools/list', 'timeout'));
    windows.record(request('git', 'tools/list', 'cancelled'));
    // 30 seconds before: in every window.
    clock.advance(2 * MINUTE + 30 * SECOND);
    for (let i = 0; i < 6; i++) windows.record(request('git', 'tools/call'));
    windows.refused('git');
    windows.record(request('', 'ping', 'error'));
    clock.advance(30 * SECOND);

    const summary = windows.summary();
    expect(summary.at).toBe(START + 16 * MINUTE);
    expect(summary.bucketMs).toBe(10_000);
    expect(summary.servers.map((entry) => entry.server)).toEqual(['git', 'memory']);

    const git = server(summary, 'git');
    expect(counts(git.windows['1m'])).toEqual({
      requests: 7,
      errors: 1,
      ratePerSecond: 7 / 60,
      errorRate: 1 / 7,
    });
    expect(counts(git.windows['5m'])).toEqual({
      requests: 11,
      errors: 2,
      ratePerSecond: 11 / 300,
      errorRate: 2 / 11,
    });
    expect(counts(git.windows['15m'])).toEqual({
      requests: 11,
      errors: 2,
      ratePerSecond: 11 / 900,
      errorRate: 2 / 11,
    });
    expect(git.methods.map((entry) => entry.method)).toEqual(['tools/call', 'tools/list']);
    const [call, list] = git.methods;
    expect(counts(call!.windows['15m'])).toEqual({
      requests: 6,
      errors: 0,
      ratePerSecond: 6 / 900,
      errorRate: 0,
    });
    expect(counts(list!.windows['1m'])).toEqual({
      requests: 0,
      errors: 0,
      ratePerSecond: 0,
      errorRate: 0,
    });
    expect(list!.windows['1m'].p50Ms).toBeNull();
    expect(counts(list!.windows['5m'])).toMatchObject({ requests: 4, errors: 1 });

    const memory = server(summary, 'memory');
    expect(counts(memory.windows['15m'])).toEqual({
      requests: 0,
      errors: 0,
      ratePerSecond: 0,
      errorRate: 0,
    });
    expect(memory.methods).toEqual([]);

    // The proxy-answered ping counts in the total only.
    expect(counts(summary.total['1m'])).toMatchObject({ requests: 8, errors: 2 });
    expect(counts(summary.total['15m'])).toMatchObject({ requests: 12, errors: 3 });
    expect(summary.servers.some((entry) => entry.server === '')).toBe(false);
  });

  it('covers the buckets whose start lies within the window, the current partial one included', () => {
    const clock = new ManualClock(START);
    const windows = createRequestWindows({ clock });
    windows.record(request('git', 'a')); // bucket starting at START
    clock.advance(MINUTE);
    // Exactly one minute later, START's bucket begins one minute ago: still in 1m.
    expect(server(windows.summary(), 'git').windows['1m'].requests).toBe(1);
    clock.advance(SECOND);
    expect(server(windows.summary(), 'git').windows['1m'].requests).toBe(0);
    expect(server(windows.summary(), 'git').windows['5m'].requests).toBe(1);
    windows.record(request('git', 'a'));
    expect(server(windows.summary(), 'git').windows['1m'].requests).toBe(1);
  });

  it('reads percentiles within 2.6% of the exact ones of a known distribution', () => {
    const clock = new ManualClock(START);
    const windows = createRequestWindows({ clock });
    // Durations from 0.01 ms to 10 s, spread over three buckets in a scrambled order.
    const durationsMs = Array.from({ length: 1000 }, (_, i) => ((i * 389) % 1000) + 1).map(
      (n) => 0.00001 * n * n,
    );
    durationsMs.forEach((ms, i) => {
      if (i % 400 === 399) clock.advance(10 * SECOND);
      windows.record(request('git', 'tools/call', 'ok', ms / 1000));
    });
    const summary = windows.summary();
    for (const stats of [
      summary.total['1m'],
      server(summary, 'git').windows['15m'],
      server(summary, 'git').methods[0]!.windows['5m'],
    ]) {
      expect(stats.requests).toBe(1000);
      for (const [p, key] of [
        [0.5, 'p50Ms'],
        [0.95, 'p95Ms'],
        [0.99, 'p99Ms'],
      ] as const) {
        expectNear(stats[key], exactPercentile(durationsMs, p));
      }
    }
  });

  it('keeps every single duration from 0.01 ms to 10 minutes within 2.6%', () => {
    for (let ms = 0.01; ms <= 600_000; ms *= 1.37) {
      const windows = createRequestWindows({ clock: new ManualClock(START) });
      windows.record(request('git', 'tools/call', 'ok', ms / 1000));
      expectNear(server(windows.summary(), 'git').windows['1m'].p50Ms, ms);
    }
  });

  it('draws a zero-filled series aligned to bucket starts over the whole horizon', () => {
    const clock = new ManualClock(START + 5 * SECOND);
    const windows = createRequestWindows({ clock });
    windows.record(request('git', 'a', 'ok', 0.02));
    clock.advance(30 * SECOND);
    windows.record(request('git', 'a', 'error', 0.04));
    windows.refused('git');

    const { series } = server(windows.summary(), 'git');
    expect(series).toHaveLength(91);
    const current = START + 30 * SECOND;
    expect(series.at(-1)!.t).toBe(current);
    expect(series[0]!.t).toBe(current - 15 * MINUTE);
    series.forEach((point, i) => {
      expect(point.t).toBe(series[0]!.t + i * 10_000);
    });
    expect(series.at(-1)).toMatchObject({ requests: 2, errors: 2 });
    expectNear(series.at(-1)!.p50Ms, 40);
    expect(series.at(-4)).toMatchObject({ requests: 1, errors: 0 });
    expectNear(series.at(-4)!.p99Ms, 20);
    const quiet = series.filter((_, i) => i !== 87 && i !== 90);
    for (const point of quiet) {
      expect(point).toEqual({
        t: point.t,
        requests: 0,
        errors: 0,
        p50Ms: null,
        p95Ms: null,
        p99Ms: null,
      });
    }
  });

  it('counts refusals as requests and errors without latency', () => {
    const clock = new ManualClock(START);
    const windows = createRequestWindows({ clock });
    for (let i = 0; i < 3; i++) windows.refused('git');
    windows.refused('');
    const summary = windows.summary();
    const git = server(summary, 'git');
    expect(git.windows['1m']).toEqual({
      requests: 3,
      errors: 3,
      ratePerSecond: 3 / 60,
      errorRate: 1,
      p50Ms: null,
      p95Ms: null,
      p99Ms: null,
    });
    expect(git.methods).toEqual([]);
    expect(summary.servers).toHaveLength(1);
    expect(counts(summary.total['1m'])).toMatchObject({ requests: 4, errors: 4, errorRate: 1 });
  });

  it('counts a cancelled request and its latency, but not as an error', () => {
    const windows = createRequestWindows({ clock: new ManualClock(START) });
    windows.record(request('git', 'a', 'cancelled', 0.5));
    const stats = server(windows.summary(), 'git').windows['1m'];
    expect(counts(stats)).toMatchObject({ requests: 1, errors: 0, errorRate: 0 });
    expectNear(stats.p50Ms, 500);
  });

  it('forgets a server but keeps its requests in the total until they age out', () => {
    const clock = new ManualClock(START);
    const windows = createRequestWindows({ clock });
    windows.record(request('git', 'a', 'error'));
    windows.refused('git');
    windows.record(request('memory', 'a'));
    clock.advance(MINUTE);
    windows.forget('git');
    windows.forget('unknown');

    let summary = windows.summary();
    expect(summary.servers.map((entry) => entry.server)).toEqual(['memory']);
    expect(counts(summary.total['5m'])).toMatchObject({ requests: 3, errors: 2 });
    expect(summary.total['5m'].p50Ms).not.toBeNull();

    windows.record(request('git', 'b'));
    summary = windows.summary();
    expect(server(summary, 'git').windows['15m'].requests).toBe(1);
    expect(summary.total['15m'].requests).toBe(4);

    clock.advance(15 * MINUTE);
    summary = windows.summary();
    expect(summary.total['15m'].requests).toBe(1);
  });

  it('stays bounded after an hour of recordings', () => {
    const clock = new ManualClock(START);
    const windows = createRequestWindows({ clock });
    // A request every 10 s; the method changes every 10 minutes.
    for (let i = 0; i < 360; i++) {
      windows.record(request('git', `m${Math.floor(i / 60)}`));
      windows.record(request('', 'ping'));
      clock.advance(10 * SECOND);
    }
    const summary = windows.summary();
    const git = server(summary, 'git');
    expect(git.series).toHaveLength(91);
    // m3 stopped 20 minutes ago; m4 and m5 ran within the horizon.
    expect(git.methods.map((entry) => entry.method)).toEqual(['m4', 'm5']);
    expect(git.series.reduce((sum, point) => sum + point.requests, 0)).toBe(90);
    expect(git.windows['15m'].requests).toBe(90);
    expect(summary.total['15m'].requests).toBe(180);
  });

  it('sizes the series by bucketMs and horizonMs', () => {
    const windows = createRequestWindows({
      clock: new ManualClock(START),
      bucketMs: MINUTE,
      horizonMs: 60 * MINUTE,
    });
    windows.record(request('git', 'a'));
    const summary = windows.summary();
    expect(summary.bucketMs).toBe(MINUTE);
    expect(server(summary, 'git').series).toHaveLength(61);
    expect(server(summary, 'git').windows['1m'].requests).toBe(1);
  });

  it('refuses a horizon shorter than the longest window', () => {
    const clock = new ManualClock(START);
    expect(() => createRequestWindows({ clock, horizonMs: 5 * MINUTE })).toThrow(RangeError);
    expect(() => createRequestWindows({ clock, bucketMs: 0 })).toThrow(RangeError);
  });
});
