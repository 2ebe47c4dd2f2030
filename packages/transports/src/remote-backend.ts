import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import {
  type Clock,
  type JsonRpcMessage,
  type MessageTransport,
  parseFrame,
  SwitchyardError,
  serializeMessage,
} from '@switchyard/protocol';
import WebSocket from 'ws';
import type { FetchLike, HttpRequest } from './http-pool.js';
import { originBoundFetch } from './internal/origin-bound-fetch.js';
import { StreamableHttpBackend } from './streamable-http-backend.js';

export { BACKEND_SESSION_EXPIRED } from './streamable-http-backend.js';

/** How to reach a remote backend (docs/transports.md, "Backend side"). */
export interface RemoteBackendOptions {
  type: 'streamable-http' | 'sse' | 'websocket';
  url: string;
  /** Sent with every HTTP request, or with the WebSocket upgrade (API keys, `Authorization`). */
  headers?: Readonly<Record<string, string>>;
  /** WebSocket subprotocols offered after `mcp`. */
  protocols?: readonly string[];
  /** Largest message accepted from a WebSocket backend. */
  maxMessageBytes?: number;
  /** The `fetch` of HTTP+SSE backends: a shared keep-alive pool ({@link createHttpPool}). */
  fetch?: FetchLike;
  /** The requests of Streamable HTTP backends, through the same pool. */
  request?: HttpRequest;
  /** The clock of a Streamable HTTP backend's waits before resuming or reopening a stream. */
  clock?: Clock;
}

/**
 * The legacy HTTP+SSE transport (MCP 2024-11-05, Transports: HTTP with SSE), through the SDK's
 * client, which enforces that the `endpoint` event stays on the backend's origin. Its fetch is
 * held to that origin as well, redirects included (docs/security.md, "Backend-supplied URLs"),
 * whatever the SDK's own policy. It parses frames loosely, so every field survives.
 */
class SseBackend implements MessageTransport {
  onmessage?: (message: JsonRpcMessage) => void;
  onerror?: (error: Error) => void;
  onclose?: (reason: string) => void;
  private readonly inner: SSEClientTransport;

  constructor(options: RemoteBackendOptions) {
    const url = new URL(options.url);
    this.inner = new SSEClientTransport(url, {
      requestInit: { headers: { ...options.headers } },
      fetch: originBoundFetch(options.fetch ?? globalThis.fetch, options.url),
    });
    this.inner.onmessage = (message) => this.onmessage?.(message as unknown as JsonRpcMessage);
    this.inner.onerror = (error) => this.onerror?.(error);
    this.inner.onclose = () => this.onclose?.(`connection to ${url.origin} closed`);
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  send(message: JsonRpcMessage): Promise<void> {
    return this.inner.send(message as unknown as JSONRPCMessage);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** A WebSocket backend: subprotocol `mcp`, one JSON-RPC message per text frame. */
class WebSocketBackend implements MessageTransport {
  onmessage?: (message: JsonRpcMessage) => void;
  onerror?: (error: Error) => void;
  onclose?: (reason: string) => void;
  private socket: WebSocket | undefined;

  constructor(private readonly options: RemoteBackendOptions) {}

  start(): Promise<void> {
    const { url, headers, protocols, maxMessageBytes } = this.options;
    const socket = new WebSocket(url, ['mcp', ...(protocols ?? [])], {
      headers: { ...headers },
      maxPayload: maxMessageBytes ?? 4 * 1024 * 1024,
    });
    this.socket = socket;
    socket.on('message', (data, isBinary) => {
      const frame = parseFrame(
        isBinary ? Buffer.from(data as Buffer).toString('utf8') : String(data),
      );
      if (frame.ok && !frame.batch) this.onmessage?.(frame.message);
      else {
        this.onerror?.(
          new SwitchyardError(
            'invalid_request',
            'backend sent a frame that is not one JSON-RPC message',
          ),
        );
      }
    });
    socket.on('close', (code, reason) =>
      this.onclose?.(`WebSocket closed (${code}${reason.length ? `: ${reason}` : ''})`),
    );
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', (error) => {
        reject(
          new SwitchyardError(
            'backend_unavailable',
            `cannot connect to ${url}: ${error.message}`,
            undefined,
            { cause: error },
          ),
        );
      });
      socket.on('error', (error) => this.onerror?.(error));
    });
  }

  async send(message: JsonRpcMessage): Promise<void> {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN)
      throw new SwitchyardError('connection_closed', 'WebSocket is not open');
    await new Promise<void>((resolve, reject) =>
      socket.send(serializeMessage(message), (error) => (error ? reject(error) : resolve())),
    );
  }

  async close(): Promise<void> {
    const socket = this.socket;
    if (!socket || socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.close(1000);
    });
  }
}

/**
 * A transport to a remote backend over Streamable HTTP, HTTP+SSE or WebSocket. Failing to connect
 * is `backend_unavailable`; sending on a closed connection is `connection_closed`.
 */
export function createRemoteBackendTransport(options: RemoteBackendOptions): MessageTransport {
  switch (options.type) {
    case 'websocket':
      return new WebSocketBackend(options);
    case 'sse':
      return new SseBackend(options);
    case 'streamable-http':
      return new StreamableHttpBackend({
        url: options.url,
        ...(options.headers ? { headers: options.headers } : {}),
        ...(options.request ? { request: options.request } : {}),
        ...(options.clock ? { clock: options.clock } : {}),
      });
  }
}
