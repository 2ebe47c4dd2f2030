import { type ErrorName, failure, httpStatusOf } from '@switchyard/protocol';
import type { MiddlewareHandler } from 'hono';
import { type HttpAnswer, jsonAnswer, toResponse } from './http-answer.js';
import { bearerToken, keyMatches } from './keys.js';

/**
 * Which bearer keys a group of endpoints accepts (docs/transports.md and docs/operations.md,
 * "The admin API and keys"). Keys are held as `sha256:<hex>` hashes only.
 */
export interface KeyPolicy {
  /** Hashes of the accepted keys; empty: no key is needed. */
  readonly hashes: readonly string[];
  /** Set when no key is configured and yet nothing may pass: why (answered with 403). */
  readonly closed?: string;
}

/** Reads one request header by its lower-case name, whatever the request's shape. */
export type HeaderReader = (name: string) => string | undefined;

/** Why a request may not pass: no valid key (`unauthorized`, 401), or none can (`forbidden`, 403). */
export interface AuthRefusal {
  code: Extract<ErrorName, 'unauthorized' | 'forbidden'>;
  message: string;
}

export interface AuthOptions {
  keys: KeyPolicy;
  /** The message of a 401; default the one MCP clients get. */
  unauthorizedMessage?: string;
  /** The body of a refusal; default the JSON-RPC error response (`id: null`) MCP clients read. */
  body?: (refusal: AuthRefusal) => unknown;
}

/**
 * The bearer-key check of a group of endpoints, as one function that every way in uses: Hono
 * routes (through {@link Auth.middleware}), the Node fast path of `POST /mcp` and WebSocket
 * upgrades (through {@link Auth.check} and {@link Auth.answer}).
 */
export interface Auth {
  /** The refusal for a request with these headers, or undefined when it may pass. */
  check(header: HeaderReader): AuthRefusal | undefined;
  /** The HTTP answer to a refusal: 401 with `WWW-Authenticate: Bearer`, or 403. */
  answer(refusal: AuthRefusal): HttpAnswer;
  middleware: MiddlewareHandler;
}

export const MCP_UNAUTHORIZED = 'Unauthorized: a valid bearer key is required';

/**
 * Creates the check for one key policy. The presented key is hashed and compared with every
 * configured hash in constant time (see `keyMatches`), so the time taken reveals neither which key
 * nor how much of one matched.
 */
export function createAuth(options: AuthOptions): Auth {
  const { hashes, closed } = options.keys;
  const unauthorized = options.unauthorizedMessage ?? MCP_UNAUTHORIZED;
  const body =
    options.body ?? ((refusal: AuthRefusal) => failure(null, refusal.code, refusal.message));

  const check = (header: HeaderReader): AuthRefusal | undefined => {
    if (hashes.length === 0) {
      return closed === undefined ? undefined : { code: 'forbidden', message: closed };
    }
    if (keyMatches(bearerToken(header('authorization')), hashes)) return undefined;
    return { code: 'unauthorized', message: unauthorized };
  };
  const answer = (refusal: AuthRefusal): HttpAnswer =>
    jsonAnswer(
      httpStatusOf(refusal.code),
      body(refusal),
      refusal.code === 'unauthorized' ? { 'www-authenticate': 'Bearer' } : {},
    );

  return {
    check,
    answer,
    middleware: async (c, next) => {
      const refusal = check((name) => c.req.header(name));
      if (refusal) return toResponse(answer(refusal));
      await next();
    },
  };
}
