import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  type ErrorName,
  failure,
  httpStatusOf,
  type JsonRpcMessage,
  parseFrame,
  serializeMessage,
} from '@switchyard/protocol';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import type { FrontSession, OpenSession } from './front-session.js';

/** The one subprotocol this front speaks; clients must offer it. */
const SUBPROTOCOL = 'mcp';
/** RFC 6455 §7.4.1: the endpoint received data it cannot accept (a binary frame). */
const UNSUPPORTED_DATA = 1003;
/** RFC 6455 §7.4.1: the endpoint is going away (proxy shutdown). */
const GOING_AWAY = 1001;

export interface WebSocketFrontOptions {
  openSession: OpenSession;
  /** Largest frame accepted (default 4 MiB); a larger one closes the socket with 1009. */
  maxMessageBytes?: number;
}

/**
 * MCP over WebSocket: one session per connection, one JSON-RPC message per text frame. Mount it on
 * a Node server's `upgrade` event. Upgrades bypass HTTP middleware, so the caller must check
 * `Origin` and `Host` before calling {@link WebSocketFront.handleUpgrade}, as every HTTP endpoint
 * does (MCP 2025-11-25, Transports, Security Warning).
 */
export interface WebSocketFront {
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Closes every connection with 1001 and ends its session (shutdown). */
  close(): void;
  readonly sessionCount: number;
}

function offered(request: IncomingMessage): boolean {
  const header = request.headers['sec-websocket-protocol'] ?? '';
  return header.split(',').some((protocol) => protocol.trim() === SUBPROTOCOL);
}

/**
 * Answers an upgrade request with a plain HTTP error (the status the error table gives `name`)
 * and drops the connection.
 */
function refuse(socket: Duplex, name: ErrorName, message: string): void {
  const status = httpStatusOf(name);
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`,
  );
}

function toText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

/**
 * Creates the WebSocket front on `ws` in `noServer` mode. Only the `mcp` subprotocol is accepted
 * (400 otherwise). Malformed frames get their JSON-RPC error frame; batches get -32600; binary
 * frames close the connection with 1003; closing the socket closes the session.
 */
export function createWebSocketFront(options: WebSocketFrontOptions): WebSocketFront {
  const server = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxMessageBytes ?? 4 * 1024 * 1024,
    handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
  });
  const sessions = new Map<WebSocket, FrontSession>();
  let closed = false;

  function end(socket: WebSocket): void {
    const session = sessions.get(socket);
    if (!session) return;
    sessions.delete(socket);
    session.close();
  }

  function accept(socket: WebSocket): void {
    const send = (message: JsonRpcMessage) => {
      if (socket.readyState === WebSocket.OPEN) socket.send(serializeMessage(message));
    };
    const session = options.openSession(send, { transport: 'websocket' });
    sessions.set(socket, session);
    socket.on('message', (data, isBinary) => {
      if (isBinary) {
        socket.close(UNSUPPORTED_DATA, 'MCP messages are text frames');
        return;
      }
      const frame = parseFrame(toText(data));
      if (!frame.ok) send(frame.error);
      else if (frame.batch) {
        send(
          failure(
            null,
            'invalid_request',
            'Invalid Request: batches are not supported on WebSocket',
          ),
        );
      } else session.handle(frame.message);
    });
    // `ws` reports protocol violations (an oversized frame: 1009) here, then closes the socket.
    socket.on('error', () => end(socket));
    socket.on('close', () => end(socket));
  }

  return {
    handleUpgrade(request, socket, head) {
      if (closed) {
        refuse(socket, 'shutting_down', 'The proxy is shutting down');
        return;
      }
      if (!offered(request)) {
        refuse(
          socket,
          'invalid_request',
          `WebSocket clients must offer the "${SUBPROTOCOL}" subprotocol`,
        );
        return;
      }
      server.handleUpgrade(request, socket, head, accept);
    },
    close() {
      closed = true;
      for (const socket of [...sessions.keys()]) {
        end(socket);
        socket.close(GOING_AWAY, 'Proxy shutting down');
      }
      server.close();
    },
    get sessionCount() {
      return sessions.size;
    },
  };
}
