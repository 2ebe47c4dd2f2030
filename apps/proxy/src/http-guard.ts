import { httpStatusOf } from '@switchyard/protocol';
import type { MiddlewareHandler } from 'hono';
import type { HeaderReader } from './auth.js';
import { type HttpAnswer, jsonAnswer, toResponse } from './http-answer.js';

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

function hostnameOf(hostHeader: string): string {
  if (hostHeader.startsWith('[')) return hostHeader.slice(0, hostHeader.indexOf(']') + 1);
  return hostHeader.split(':')[0] ?? '';
}

export interface HttpGuardOptions {
  /** Origins allowed besides loopback ones, e.g. `https://app.example.com`. */
  allowedOrigins?: readonly string[];
  /** Host names allowed in `Host` besides loopback names; empty when bound to loopback. */
  allowedHosts?: readonly string[];
  /** True when the server listens on loopback only: then `Host` must name loopback (DNS rebinding). */
  loopbackOnly: boolean;
}

/**
 * `Origin` and `Host` validation (MCP 2025-11-25, Transports: Streamable HTTP, Security Warning):
 * the reason to refuse a request, or undefined. A browser page from a foreign origin is refused;
 * requests without `Origin` (CLI clients, SDKs) pass. When bound to loopback, a `Host` that is not
 * a loopback name means a DNS-rebinding attempt.
 */
export function createOriginCheck(
  options: HttpGuardOptions,
): (header: HeaderReader) => string | undefined {
  const origins = new Set(options.allowedOrigins ?? []);
  const hosts = new Set(options.allowedHosts ?? []);
  return (header) => {
    const origin = header('origin');
    if (origin !== undefined && !origins.has(origin)) {
      let loopback = false;
      try {
        loopback = LOOPBACK_NAMES.has(new URL(origin).hostname);
      } catch {
        loopback = false;
      }
      if (!loopback) return 'Forbidden: origin not allowed';
    }
    if (options.loopbackOnly) {
      const host = hostnameOf(header('host') ?? '');
      if (host && !LOOPBACK_NAMES.has(host) && !hosts.has(host))
        return 'Forbidden: host not allowed';
    }
    return undefined;
  };
}

/** The 403 for a request {@link createOriginCheck} refused. */
export function guardAnswer(reason: string): HttpAnswer {
  return jsonAnswer(httpStatusOf('forbidden'), { error: reason });
}

/** {@link createOriginCheck} as middleware for every HTTP endpoint: 403 when it refuses. */
export function httpGuard(check: (header: HeaderReader) => string | undefined): MiddlewareHandler {
  return async (c, next) => {
    const refused = check((name) => c.req.header(name));
    if (refused) return toResponse(guardAnswer(refused));
    await next();
  };
}
