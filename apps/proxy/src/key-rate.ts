import { type Clock, failure, httpStatusOf } from '@switchyard/protocol';
import { createKeyedRateLimiter, type RateLimit } from '@switchyard/router';
import { type HttpAnswer, jsonAnswer } from './http-answer.js';

/** The answer refusing a request of `principal` for its key's rate, or undefined when it may pass. */
export type KeyRate = (principal: string) => HttpAnswer | undefined;

/**
 * The rate limit per client key (docs/operations.md, "Rate limits"): one token bucket per
 * principal (a key's hash, or the anonymous principal), on `clock`. Every MCP HTTP request and
 * WebSocket upgrade takes a token once its key is known and before its body is read; over the
 * limit it gets 429 with `Retry-After` (whole seconds, rounded up) and the JSON-RPC error
 * `rate_limited` with `data.retryAfterMs`. Without a limit everything passes.
 */
export function createKeyRate(
  limit: RateLimit | undefined,
  clock: Clock,
  onRefused: () => void,
): KeyRate {
  if (limit === undefined) return () => undefined;
  const limiter = createKeyedRateLimiter(limit, clock);
  return (principal) => {
    const retryAfterMs = limiter.take(principal);
    if (retryAfterMs === undefined) return undefined;
    onRefused();
    return jsonAnswer(
      httpStatusOf('rate_limited'),
      failure(
        null,
        'rate_limited',
        `Too many requests: this key is over its rate limit; retry after ${retryAfterMs} ms`,
        { reason: 'rate_limited', retryAfterMs },
      ),
      { 'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) },
    );
  };
}
