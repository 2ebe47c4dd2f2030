import type { JsonRpcMessage, SessionInfo, SessionSink } from '@switchyard/protocol';
import type { FrontSession } from '../front-session.js';

/**
 * A client session as a front transport sees it, for front tests: it echoes each request's
 * method back as the result, and records what it was given and whether it was closed.
 */
export class EchoSession implements FrontSession {
  readonly handled: JsonRpcMessage[] = [];
  closed = false;

  constructor(
    readonly sink: SessionSink,
    readonly info: SessionInfo,
    readonly revision?: string,
  ) {}

  handle(message: JsonRpcMessage): void {
    this.handled.push(message);
    if ('method' in message && 'id' in message) {
      this.sink({ jsonrpc: '2.0', id: message.id, result: { echo: message.method } });
    }
  }

  close(): void {
    this.closed = true;
  }
}
