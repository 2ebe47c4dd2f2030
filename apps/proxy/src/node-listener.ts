import type { IncomingMessage, ServerResponse } from 'node:http';
import { getRequestListener, type HttpBindings } from '@hono/node-server';
import type { StreamableHttpFront } from '@switchyard/transports';
import type { Admitted, HeaderReader } from './auth.js';
import { type HttpAnswer, writeAnswer } from './http-answer.js';

/** A `node:http` request listener. */
export type NodeListener = (incoming: IncomingMessage, outgoing: ServerResponse) => void;

export interface NodeListenerOptions {
  /** The web handler of every endpoint (the Hono app). */
  fetch: (request: Request, env: HttpBindings) => Response | Promise<Response>;
  /**
   * The checks every MCP request passes before its front sees it (Origin/Host, bearer key,
   * shutdown): the answer that refuses it, or who sent it. The same functions the Hono routes use.
   */
  admit(header: HeaderReader): HttpAnswer | Admitted;
  /** The aggregate endpoint's Streamable HTTP front, which answers `POST /mcp`. */
  front: StreamableHttpFront;
  /** Whether a `POST /mcp` must take the app's way anyway (e.g. for its CORS headers). */
  viaApp?: ((header: HeaderReader) => boolean) | undefined;
}

/**
 * The proxy's Node request listener. `POST /mcp`, the path of nearly every call, goes to the
 * aggregate front directly: its checks read Node's headers, and Hono's routing, context and
 * middleware chain are skipped (docs/performance.md profiles where a call spends its time). Everything else, and every
 * request made through `fetch()` when embedding, goes through the Hono app.
 */
export function createNodeListener(options: NodeListenerOptions): NodeListener {
  const web = getRequestListener((request, env) => options.fetch(request, env as HttpBindings));
  // The front reads the body from the Node request, and `@hono/node-server` writes its answer
  // (JSON straight from the string, SSE from the stream) on the Node response. The principal
  // admission found travels with the Node request to the front, which binds sessions to it.
  const principals = new WeakMap<IncomingMessage, string>();
  const mcp = getRequestListener((request, env) => {
    const { incoming } = env as HttpBindings;
    return options.front.handle(request, incoming, principals.get(incoming));
  });
  return (incoming, outgoing) => {
    const header = nodeHeaders(incoming);
    if (
      incoming.method !== 'POST' ||
      pathOf(incoming.url) !== '/mcp' ||
      options.viaApp?.(header) === true
    ) {
      void web(incoming, outgoing);
      return;
    }
    const admitted = options.admit(header);
    if (!('principal' in admitted)) {
      writeAnswer(outgoing, admitted);
      incoming.resume();
      return;
    }
    principals.set(incoming, admitted.principal);
    void mcp(incoming, outgoing);
  };
}

function pathOf(url: string | undefined): string {
  const path = url ?? '/';
  const query = path.indexOf('?');
  return query === -1 ? path : path.slice(0, query);
}

/** Reads a Node request's headers (Node lower-cases their names and keeps one `Authorization`). */
export function nodeHeaders(incoming: Pick<IncomingMessage, 'headers'>): HeaderReader {
  return (name) => {
    const value = incoming.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
}
