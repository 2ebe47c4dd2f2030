import { type ServerResponse, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * An HTTP answer the proxy gives by itself (a refusal, mostly), in a form that every path can
 * send: a web `Response` on the Hono path, a Node response on the `/mcp` fast path, a status
 * line on a refused WebSocket upgrade. Each path sends the same bytes.
 */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A JSON answer, as Hono's `c.json` writes it. */
export function jsonAnswer(
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): HttpAnswer {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(value),
  };
}

export function toResponse(answer: HttpAnswer): Response {
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}

export function writeAnswer(outgoing: ServerResponse, answer: HttpAnswer): void {
  outgoing.writeHead(answer.status, {
    ...answer.headers,
    'content-length': Buffer.byteLength(answer.body),
  });
  outgoing.end(answer.body);
}

/** Refuses a WebSocket upgrade with a bare status line (no body), and drops the connection. */
export function refuseUpgrade(socket: Duplex, status: number): void {
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
  );
}

/**
 * The JSON object an admin request carries, or undefined when the body is not one (then the
 * route answers 400 saying what it expects).
 */
export async function jsonBody(c: {
  req: { json(): Promise<unknown> };
}): Promise<Record<string, unknown> | undefined> {
  try {
    const value: unknown = await c.req.json();
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
