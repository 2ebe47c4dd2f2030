import type { MiddlewareHandler } from 'hono';

/** What a page of an allowed origin may send to the MCP endpoints and `/api`. */
const ALLOW_METHODS = 'GET, POST, DELETE, OPTIONS';
const ALLOW_HEADERS =
  'Authorization, Content-Type, Accept, Mcp-Session-Id, Mcp-Protocol-Version, Last-Event-ID';
/** What such a page may read of an answer: the session id, and why a key was refused. */
const EXPOSE_HEADERS = 'Mcp-Session-Id, WWW-Authenticate';

/**
 * CORS for exactly the configured origins (`proxy.allowedOrigins`, docs/security.md, "CORS"),
 * off when there are none. A listed origin's answers name that origin (never `*`), with
 * `Vary: Origin`; its preflights are answered here, before the key check, since browsers send
 * them without credentials. Any other origin, or a request without one, gets no CORS header, so a
 * browser keeps the answer from the page. No `Access-Control-Allow-Credentials`: keys travel in
 * `Authorization`, never in cookies.
 */
export function cors(allowedOrigins: readonly string[]): MiddlewareHandler {
  const origins = new Set(allowedOrigins);
  return async (c, next) => {
    const origin = c.req.header('origin');
    if (origin === undefined || !origins.has(origin)) {
      await next();
      return;
    }
    if (c.req.method === 'OPTIONS' && c.req.header('access-control-request-method')) {
      return new Response(null, {
        status: 204,
        headers: {
          'access-control-allow-origin': origin,
          'access-control-allow-methods': ALLOW_METHODS,
          'access-control-allow-headers': ALLOW_HEADERS,
          'access-control-max-age': '600',
          vary: 'Origin',
        },
      });
    }
    await next();
    c.res = withHeaders(c.res, {
      'access-control-allow-origin': origin,
      'access-control-expose-headers': EXPOSE_HEADERS,
      vary: 'Origin',
    });
  };
}

/** The response with these headers set, copied first when its headers are immutable. */
function withHeaders(response: Response, headers: Record<string, string>): Response {
  let target = response;
  try {
    for (const [name, value] of Object.entries(headers)) target.headers.set(name, value);
  } catch {
    target = new Response(response.body, response);
    for (const [name, value] of Object.entries(headers)) target.headers.set(name, value);
  }
  return target;
}
