import {
  isResponse,
  type JsonRpcFailure,
  type JsonRpcId,
  type JsonRpcMessage,
  type JsonRpcResponse,
} from '@switchyard/protocol';
import { failureResponse, jsonResponse } from './http-response.js';
import type { ResumableStream } from './resumable-sse.js';

/**
 * The messages one POST is waiting for: the responses to its requests, plus what belongs to them
 * (progress, log messages, sampling and elicitation requests). It answers with one JSON body when
 * nothing but the responses comes, and switches to an SSE stream as soon as anything else does, if
 * the client accepts SSE: the cheap path for plain calls, and nothing belonging to a request is
 * ever sent elsewhere (or lost for want of a GET stream).
 */
export class PostChannel {
  private readonly pending: Set<JsonRpcId>;
  private readonly collected: JsonRpcResponse[] = [];
  private resolveResponse: ((response: Response) => void) | undefined;
  private sse: ResumableStream | undefined;
  private opened: Response | undefined;

  constructor(
    private readonly order: JsonRpcId[],
    private readonly early: JsonRpcFailure[],
    private readonly batch: boolean,
    /** Opens the SSE stream; absent when the client accepts only JSON. */
    private readonly openSse: (() => ResumableStream) | undefined,
    streamAtOnce: boolean,
    private readonly headers: Record<string, string>,
    private readonly release: (channel: PostChannel) => void,
    private readonly prime: boolean,
  ) {
    this.pending = new Set(order);
    if (streamAtOnce) this.stream();
  }

  /** The response to return for this POST: the SSE stream once open, or the JSON body when complete. */
  response(): Promise<Response> {
    if (this.opened) return Promise.resolve(this.opened);
    return new Promise((resolve) => {
      this.resolveResponse = resolve;
    });
  }

  deliver(message: JsonRpcMessage): boolean {
    if (isResponse(message)) {
      if (message.id === null || !this.pending.delete(message.id)) return false;
      if (this.sse) this.sse.send(message);
      else this.collected.push(message);
      if (this.pending.size === 0) this.complete();
      return true;
    }
    const sse = this.sse ?? this.stream();
    if (!sse) return false;
    sse.send(message);
    return true;
  }

  /** Switches to SSE (once): what was already collected goes first on the stream. */
  private stream(): ResumableStream | undefined {
    if (this.sse || !this.openSse) return this.sse;
    const sse = this.openSse();
    this.sse = sse;
    this.opened = sse.open(this.prime);
    for (const message of [...this.early, ...this.collected]) sse.send(message);
    this.collected.length = 0;
    this.resolveResponse?.(this.opened);
    return sse;
  }

  /** The session ended first: its cancelled requests will never be answered, so stop waiting. */
  abort(): void {
    this.release(this);
    if (this.sse) {
      this.sse.end();
      return;
    }
    this.resolveResponse?.(
      failureResponse('session_not_found', 'Session not found: the session was terminated'),
    );
  }

  private complete(): void {
    this.release(this);
    if (this.sse) {
      this.sse.end();
      return;
    }
    // A batch is answered in the order of its requests, whatever order the backends answered in.
    const rank = (id: JsonRpcId | null) => (id === null ? -1 : this.order.indexOf(id));
    this.collected.sort((a, b) => rank(a.id) - rank(b.id));
    const all = [...this.early, ...this.collected];
    this.resolveResponse?.(jsonResponse(this.batch ? all : all[0], 200, this.headers));
  }
}
