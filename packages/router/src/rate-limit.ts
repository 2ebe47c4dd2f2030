import type { Clock } from '@switchyard/protocol';

/** A token bucket's rate (docs/operations.md, "Rate limits"). */
export interface RateLimit {
  /** Tokens added per second: the sustained rate of requests. */
  requestsPerSecond: number;
  /** The bucket's size: requests that may come at once after a quiet spell. */
  burst: number;
}

/** One bucket: `take()` spends a token, or says how long until one is there. */
export interface TokenBucket {
  /** Undefined when a token was spent; otherwise the milliseconds until one will be there. */
  take(): number | undefined;
}

/**
 * A token bucket on `clock`: it starts full (`burst` tokens) and refills continuously at
 * `requestsPerSecond`, never beyond `burst`. Nothing runs between calls: the refill is computed
 * from the time passed when a token is asked for.
 */
export function createTokenBucket(limit: RateLimit, clock: Clock): TokenBucket {
  const burst = Math.max(1, limit.burst);
  const perMs = limit.requestsPerSecond / 1000;
  let tokens = burst;
  let at = clock.now();
  return {
    take() {
      const now = clock.now();
      tokens = Math.min(burst, tokens + (now - at) * perMs);
      at = now;
      if (tokens >= 1) {
        tokens -= 1;
        return undefined;
      }
      // Rounded down by a hair first, so that float error never adds a whole millisecond.
      return perMs > 0 ? Math.ceil((1 - tokens) / perMs - 1e-6) : Number.POSITIVE_INFINITY;
    },
  };
}

/** One bucket per key (per client key, say), made on first use, all with the same rate. */
export interface KeyedRateLimiter {
  take(key: string): number | undefined;
}

/**
 * Buckets by key. Keys come from a bounded set (the configured client keys and the anonymous
 * principal), so buckets are kept for the life of the limiter.
 */
export function createKeyedRateLimiter(limit: RateLimit, clock: Clock): KeyedRateLimiter {
  const buckets = new Map<string, TokenBucket>();
  return {
    take(key) {
      let bucket = buckets.get(key);
      if (!bucket) {
        bucket = createTokenBucket(limit, clock);
        buckets.set(key, bucket);
      }
      return bucket.take();
    },
  };
}
