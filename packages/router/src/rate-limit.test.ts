import { ErrorCode } from '@switchyard/protocol';
import { ManualClock } from '@switchyard/protocol/testing';
import { describe, expect, it } from 'vitest';
import { createHarness } from './__fixtures__/router-harness.js';
import { createKeyedRateLimiter, createTokenBucket } from './rate-limit.js';

describe('a token bucket', () => {
  it('lets a burst through at once, then refuses with the wait until the next token', () => {
    const clock = new ManualClock();
    const bucket = createTokenBucket({ requestsPerSecond: 2, burst: 3 }, clock);
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(bucket.take()).toBe(500);
    clock.advance(499);
    expect(bucket.take()).toBe(1);
    clock.advance(1);
    expect(bucket.take()).toBeUndefined();
    expect(bucket.take()).toBe(500);
  });

  it('refills at the sustained rate and never beyond its burst', () => {
    const clock = new ManualClock();
    const bucket = createTokenBucket({ requestsPerSecond: 10, burst: 2 }, clock);
    clock.advance(60_000);
    expect([bucket.take(), bucket.take()]).toEqual([undefined, undefined]);
    expect(bucket.take()).toBe(100);
    clock.advance(1000);
    let taken = 0;
    while (bucket.take() === undefined) taken++;
    expect(taken).toBe(2);
  });
});

describe('buckets by key', () => {
  it('keeps each key to its own bucket, so one key over its limit leaves the others alone', () => {
    const clock = new ManualClock();
    const limiter = createKeyedRateLimiter({ requestsPerSecond: 1, burst: 1 }, clock);
    expect(limiter.take('a')).toBeUndefined();
    expect(limiter.take('a')).toBe(1000);
    expect(limiter.take('b')).toBeUndefined();
    clock.advance(1000);
    expect(limiter.take('a')).toBeUndefined();
  });
});

describe('the rate of a client session', () => {
  it('refuses a request over the rate with rate_limited and a retry hint, counted, others unaffected', async () => {
    const refused: unknown[] = [];
    const h = await createHarness([{ name: 'alpha' }], {
      rateLimitPerSession: { requestsPerSecond: 1, burst: 2 },
      observer: { requestRefused: (record) => refused.push(record) },
    });
    const one = h.client();
    const two = h.client();
    expect('result' in (await one.request('ping'))).toBe(true);
    expect('result' in (await one.request('ping'))).toBe(true);
    expect(await one.request('ping')).toMatchObject({
      error: {
        code: ErrorCode.RateLimited,
        data: { reason: 'rate_limited', retryAfterMs: 1000 },
      },
    });
    expect(refused).toEqual([{ server: '', reason: 'rate_limited' }]);
    expect('result' in (await two.request('ping'))).toBe(true);
    h.clock.advance(1000);
    expect('result' in (await one.request('ping'))).toBe(true);
  });

  it('has no rate limit unless one is configured', async () => {
    const h = await createHarness([{ name: 'alpha' }]);
    const client = h.client();
    for (let i = 0; i < 50; i++) expect('result' in (await client.request('ping'))).toBe(true);
  });
});
