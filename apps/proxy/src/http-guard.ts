import type { MiddlewareHandler } from 'hono';

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
 * `Origin` and `Host` validation for every HTTP endpoint (spec K1). A browser page from a foreign
 * origin gets 403; requests without `Origin` (CLI clients, SDKs) pass. When bound to loopback, a
 * `Host` that is not a loopback name means a DNS-rebinding attempt and gets 403 too.
 */
export function httpGuard(options: HttpGuardOptions): MiddlewareHandler {
  const origins = new Set(options.allowedOrigins ?? []);
  const hosts = new Set(options.allowedHosts ?? []);
  return async (c, next) => {
    const origin = c.req.header('origin');
    if (origin !== undefined && !origins.has(origin)) {
      let loopback = false;
      try {
        loopback = LOOPBACK_NAMES.has(new URL(origin).hostname);
      } catch {
        loopback = false;
      }
      if (!loopback) return c.json({ error: 'Forbidden: origin not allowed' }, 403);
    }
    if (options.loopbackOnly) {
      const host = hostnameOf(c.req.header('host') ?? '');
      if (host && !LOOPBACK_NAMES.has(host) && !hosts.has(host)) {
        return c.json({ error: 'Forbidden: host not allowed' }, 403);
      }
    }
    await next();
  };
}
