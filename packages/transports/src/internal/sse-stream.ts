import { type Clock, type JsonRpcMessage, serializeMessage } from '@switchyard/protocol';

const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
};
const encoder = new TextEncoder();

export interface SseStreamOptions {
  /** Extra response headers (a session id, `x-accel-buffering`). */
  headers?: Record<string, string>;
  /** The client went away (the response body was cancelled). */
  onCancel: () => void;
  /** Interval of `: keepalive` comments that stop idle proxies from dropping the stream; 0 for none. */
  keepAliveMs?: number;
  /** The keep-alive timer's clock. */
  clock: Clock;
}

/** One open SSE response: `message` events, other named events, and optional keep-alives. */
export class SseStream {
  private controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  private done = false;
  private readonly keepAlive: unknown;
  private readonly clock: Clock;
  readonly response: Response;

  constructor(options: SseStreamOptions) {
    this.clock = options.clock;
    const stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.controller = controller;
      },
      cancel: () => {
        this.stop();
        options.onCancel();
      },
    });
    this.response = new Response(stream, {
      status: 200,
      headers: { ...SSE_HEADERS, ...options.headers },
    });
    const every = options.keepAliveMs ?? 0;
    if (every > 0)
      this.keepAlive = this.clock.setInterval(() => this.write(': keepalive\n\n'), every);
  }

  /** Sends one JSON-RPC message as an `event: message`. */
  push(message: JsonRpcMessage): void {
    this.event('message', serializeMessage(message));
  }

  /** Sends a named event; `data` must be a single line (JSON text always is). */
  event(name: string, data: string): void {
    this.write(`event: ${name}\ndata: ${data}\n\n`);
  }

  end(): void {
    if (this.done) return;
    this.stop();
    this.controller?.close();
  }

  private write(text: string): void {
    if (this.done) return;
    this.controller?.enqueue(encoder.encode(text));
  }

  private stop(): void {
    this.done = true;
    if (this.keepAlive !== undefined) this.clock.clearInterval(this.keepAlive);
  }
}
