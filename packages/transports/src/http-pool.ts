import { Agent, fetch as undiciFetch } from 'undici';

/** A `fetch` with the SDK's signature. */
export type FetchLike = (url: string | URL, init?: RequestInit) => Promise<Response>;

export interface HttpPoolOptions {
  /** Keep-alive connections per backend origin (spec T4). */
  connections: number;
  /** Time to establish a connection. Default 10 s. */
  connectTimeoutMs?: number;
  /** Time until response headers arrive; bodies are not timed, since SSE streams stay open. */
  headersTimeoutMs?: number;
}

/** A keep-alive connection pool shared by the HTTP backends, and the `fetch` that uses it. */
export interface HttpPool {
  fetch: FetchLike;
  close(): Promise<void>;
}

/**
 * Creates the HTTP backends' connection pool (spec T4): undici keeps up to `connections` sockets
 * per origin alive and queues requests beyond that, so a busy backend gets a bounded number of
 * connections instead of one per request. No request is retried: MCP POSTs are not idempotent.
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
    // Closing twice (stop() called again) is a no-op rather than undici's ClientDestroyedError.
    close: () => {
      closing ??= agent.close();
      return closing;
    },
  };
}
