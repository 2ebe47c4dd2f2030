import { type JsonRpcMessage, serializeMessage } from '@switchyard/protocol';
import type { StoredEvent } from '../event-store.js';

const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
};
const encoder = new TextEncoder();
/**
 * How soon a client whose stream was cut should reconnect (the `retry` field of the priming
 * event, 2025-11-25): soon, since the stream keeps collecting events for it meanwhile.
 */
const RETRY_MS = 1000;

/** One SSE response whose events carry ids; `onCancel` runs when the client goes away. */
class SseConnection {
  private controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  private done = false;
  readonly response: Response;

  constructor(headers: Record<string, string>, onCancel: (connection: SseConnection) => void) {
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.controller = controller;
      },
      cancel: () => {
        this.done = true;
        onCancel(this);
      },
    });
    this.response = new Response(body, { status: 200, headers: { ...SSE_HEADERS, ...headers } });
  }

  /** A `message` event, or a priming event (an id, a retry hint, empty data) when `data` is empty. */
  write(id: string, data: string): void {
    if (this.done) return;
    const text =
      data === ''
        ? `id: ${id}\nretry: ${RETRY_MS}\ndata: \n\n`
        : `event: message\ndata: ${data}\nid: ${id}\n\n`;
    this.controller?.enqueue(encoder.encode(text));
  }

  end(): void {
    if (this.done) return;
    this.done = true;
    this.controller?.close();
  }
}

export interface ResumableStreamOptions {
  readonly id: string;
  /** Records one event of this stream and returns its id (an `EventStore` bound to the session). */
  readonly record: (streamId: string, data: string) => string;
  /** Response headers of every connection (the session id). */
  readonly headers: Record<string, string>;
  /** The stream has ended for good. */
  readonly onEnd?: () => void;
}

/**
 * One logical SSE stream of a session (a POST's, or the standalone GET's) that outlives its
 * connections: every event is recorded before it is written, a cut connection only detaches, and a
 * resuming GET takes over with the events it missed (MCP 2025-11-25, Transports: Streamable HTTP,
 * Resumability and Redelivery).
 */
export class ResumableStream {
  private connection: SseConnection | undefined;
  private ended = false;

  constructor(private readonly options: ResumableStreamOptions) {}

  get id(): string {
    return this.options.id;
  }

  /** Whether a client is reading the stream now. */
  get attached(): boolean {
    return this.connection !== undefined;
  }

  /** The first connection; `prime` sends a priming event so even a silent stream can be resumed. */
  open(prime: boolean): Response {
    const connection = this.connect();
    if (prime) connection.write(this.options.record(this.id, ''), '');
    return connection.response;
  }

  /**
   * A new connection that first gets `missed` (from the store) and then the live events. The
   * newest connection wins: one still attached is closed, since its client has moved on.
   */
  resume(missed: readonly StoredEvent[]): Response {
    this.connection?.end();
    const connection = this.connect();
    for (const event of missed) connection.write(event.id, event.data);
    return connection.response;
  }

  send(message: JsonRpcMessage): void {
    const data = serializeMessage(message);
    const id = this.options.record(this.id, data);
    this.connection?.write(id, data);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.connection) this.detach(this.connection);
    this.options.onEnd?.();
  }

  private connect(): SseConnection {
    const connection = new SseConnection(this.options.headers, (cut) => {
      if (this.connection === cut) this.connection = undefined;
    });
    this.connection = connection;
    return connection;
  }

  private detach(connection: SseConnection): void {
    connection.end();
    if (this.connection === connection) this.connection = undefined;
  }
}

/** Replays the stored events of a stream that has already ended, then closes. */
export function replayEnded(
  missed: readonly StoredEvent[],
  headers: Record<string, string>,
): Response {
  const connection = new SseConnection(headers, () => undefined);
  for (const event of missed) connection.write(event.id, event.data);
  connection.end();
  return connection.response;
}
