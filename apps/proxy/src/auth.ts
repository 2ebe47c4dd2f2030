import { type ErrorName, failure, httpStatusOf } from '@switchyard/protocol';
import type { MiddlewareHandler } from 'hono';
import { type HttpAnswer, jsonAnswer, toResponse } from './http-answer.js';
import { bearerToken, matchingHash } from './keys.js';

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
 * The principal of a request when no key is needed (loopback without keys, or a server opened
 * without them on purpose): every such client is the same principal.
 */
export const ANONYMOUS_PRINCIPAL = 'anonymous';

/** Who sent a request that may pass: the hash of its key (`sha256:<hex>`), or anonymous. */
export interface Admitted {
  principal: string;
}

/** The Hono variables {@link Auth.middleware} sets for the routes after it. */
export interface AuthEnv {
  Variables: { principal: string };
}

/**
 * The bearer-key check of a group of endpoints, as one function that every way in uses: Hono
 * routes (through {@link Auth.middleware}), the Node fast path of `POST /mcp` and WebSocket
 * upgrades (through {@link Auth.identify} and {@link Auth.answer}).
 */
export interface Auth {
  /** The refusal for a request with these headers, or undefined when it may pass. */
  check(header: HeaderReader): AuthRefusal | undefined;
  /**
   * The principal of a request that may pass, or its refusal. Sessions are bound to it
   * (docs/security.md, "Session binding").
   */
  identify(header: HeaderReader): Admitted | AuthRefusal;
  /** The HTTP answer to a refusal: 401 with `WWW-Authenticate: Bearer`, or 403. */
  answer(refusal: AuthRefusal): HttpAnswer;
  /** Refuses a request, or sets its `principal` variable for the routes after it. */
  middleware: MiddlewareHandler<AuthEnv>;
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

  const identify = (header: HeaderReader): Admitted | AuthRefusal => {
    if (hashes.length === 0) {
      return closed === undefined
        ? { principal: ANONYMOUS_PRINCIPAL }
        : { code: 'forbidden', message: closed };
    }
    const hash = matchingHash(bearerToken(header('authorization')), hashes);
    return hash === undefined
      ? { code: 'unauthorized', message: unauthorized }
      : { principal: hash };
  };
  const check = (header: HeaderReader): AuthRefusal | undefined => {
    const result = identify(header);
    return 'principal' in result ? undefined : result;
  };
  const answer = (refusal: AuthRefusal): HttpAnswer =>
    jsonAnswer(
      httpStatusOf(refusal.code),
      body(refusal),
      refusal.code === 'unauthorized' ? { 'www-authenticate': 'Bearer' } : {},
    );

  return {
    check,
    identify,
    answer,
    middleware: async (c, next) => {
      const result = identify((name) => c.req.header(name));
      if (!('principal' in result)) return toResponse(answer(result));
      c.set('principal', result.principal);
      await next();
    },
  };
}
