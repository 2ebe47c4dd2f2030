import { setMaxListeners } from 'node:events';
import { Agent, type Dispatcher, fetch as undiciFetch, request as undiciRequest } from 'undici';

/** A `fetch` with the SDK's signature. */
export type FetchLike = (url: string | URL, init?: RequestInit) => Promise<Response>;

/** What one HTTP exchange needs: fewer allocations than `fetch` (no web streams or `Request`). */
export interface HttpRequestOptions {
  method: 'GET' | 'POST' | 'DELETE';
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

/** An HTTP exchange through undici's dispatcher API: the answer's body is a Node stream. */
export type HttpRequest = (
  url: URL,
  options: HttpRequestOptions,
) => Promise<Dispatcher.ResponseData>;

/**
 * The abort controller of a backend session, whose signal every request of the session takes.
 * undici adds a listener to it per request and removes it when the response ends: many calls in
 * flight are no leak, so Node's warning at eleven listeners is off for this signal.
 */
export function sessionAbort(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}

/** {@link HttpRequest} through undici's global dispatcher, when there is no pool. */
export const defaultHttpRequest: HttpRequest = (url, options) => undiciRequest(url, options);

export interface HttpPoolOptions {
  /** Keep-alive connections per backend origin (`proxy.connectionPoolSize`). */
  connections: number;
  /** Time to establish a connection. Default 10 s. */
  connectTimeoutMs?: number;
  /** Time until response headers arrive; bodies are not timed, since SSE streams stay open. */
  headersTimeoutMs?: number;
}

/** A keep-alive connection pool shared by the HTTP backends, and the two ways to use it. */
export interface HttpPool {
  /** For the SDK's HTTP+SSE client transport. */
  fetch: FetchLike;
  /** For the Streamable HTTP backends. */
  request: HttpRequest;
  close(): Promise<void>;
}

/**
 * Creates the HTTP backends' connection pool (docs/transports.md, "Backend side"): undici keeps up
 * to `connections` sockets per origin alive and queues requests beyond that, so a busy backend gets
 * a bounded number of connections instead of one per request. No request is retried: MCP POSTs are
 * not idempotent.
 */
export function createHttpPool(options: HttpPoolOptions): HttpPool {
  const agent = new Agent({
    connections: options.connections,
    connect: { timeout: options.connectTimeoutMs ?? 10_000 },
    headersTimeout: options.headersTimeoutMs ?? 60_000,
    bodyTimeout: 0,
    keepAliveTimeout: 30_000,
  });
  let closing: Promise<void> | undefined;
  return {
    fetch: (url, init) =>
      undiciFetch(url, {
        ...(init as Parameters<typeof undiciFetch>[1]),
        dispatcher: agent,
      }) as unknown as Promise<Response>,
    request: (url, requestOptions) => undiciRequest(url, { ...requestOptions, dispatcher: agent }),
    // Closing twice (stop() called again) is a no-op rather than undici's ClientDestroyedError.
    close: () => {
      closing ??= agent.close();
      return closing;
    },
  };
}
