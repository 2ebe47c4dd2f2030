import {
  failure,
  featuresOf,
  isRequest,
  isResponse,
  type JsonRpcId,
  type JsonRpcMessage,
  type MessageCheck,
  parseFrame,
  resolveRevision,
  serializeMessage,
} from '@switchyard/protocol';
import type { FrontSession, OpenSession } from './front-session.js';
import { LineSplitter } from './internal/line-splitter.js';

export interface StdioFrontOptions {
  openSession: OpenSession;
  input: NodeJS.ReadableStream;
  /**
   * Carries protocol messages only: nothing else may ever be written to it (MCP 2025-11-25,
   * Transports: stdio).
   */
  output: NodeJS.WritableStream;
  maxMessageBytes?: number;
}

/** A batch waiting for the answers to its requests, which go out together as one array. */
interface PendingBatch {
  order: JsonRpcId[];
  waiting: Set<JsonRpcId>;
  answers: JsonRpcMessage[];
}

/**
 * The proxy as an MCP server on stdin/stdout (`switchyard --stdio`): one client session for the
 * life of the process. Malformed lines get their JSON-RPC error. Batches are accepted from a client
 * that negotiated 2025-03-26, the one revision that has them (MCP 2025-03-26, Basic, Batching;
 * docs/protocol-versions.md, "Batches and the `MCP-Protocol-Version` header"): each item is
 * handled, and the answers to its requests are written as one array, in request order, with the
 * errors of invalid items first; anything else they cause (progress) goes out on its own. Other
 * revisions get -32600.
 */
export class StdioFrontTransport {
  private session: FrontSession | undefined;
  private ended: Promise<void> | undefined;

  constructor(private readonly options: StdioFrontOptions) {}

  /** Starts reading; the returned promise of {@link closed} settles when the input ends. */
  start(): void {
    const { input, output, openSession } = this.options;
    const line = (value: unknown) => {
      output.write(`${serializeMessage(value)}\n`);
    };
    const batches: PendingBatch[] = [];
    const write = (message: JsonRpcMessage) => {
      const id = isResponse(message) ? message.id : null;
      const batch = id === null ? undefined : batches.find((b) => b.waiting.has(id));
      if (!batch || id === null) {
        line(message);
        return;
      }
      batch.waiting.delete(id);
      batch.answers.push(message);
      if (batch.waiting.size > 0) return;
      batches.splice(batches.indexOf(batch), 1);
      const rank = (m: JsonRpcMessage) =>
        'id' in m && m.id !== null ? batch.order.indexOf(m.id) : -1;
      line(batch.answers.sort((a, b) => rank(a) - rank(b)));
    };
    const session = openSession(write, { transport: 'stdio' });
    const handleBatch = (items: MessageCheck[]) => {
      const revision = resolveRevision(session.revision);
      if (!revision || !featuresOf(revision).batches) {
        line(
          failure(
            null,
            'invalid_request',
            `Invalid Request: batches are not allowed in revision ${revision ?? 'unknown'}`,
          ),
        );
        return;
      }
      const messages = items.flatMap((item) => (item.ok ? [item.message] : []));
      const early = items.flatMap((item) => (item.ok ? [] : [item.error]));
      const order = messages.filter(isRequest).map((request) => request.id);
      if (order.length === 0) {
        if (early.length > 0) line(early);
      } else {
        batches.push({ order, waiting: new Set(order), answers: early });
      }
      for (const message of messages) session.handle(message);
    };
    this.session = session;
    const maxBytes = this.options.maxMessageBytes ?? 4 * 1024 * 1024;
    const splitter = new LineSplitter(
      maxBytes,
      (text) => {
        const frame = parseFrame(text);
        if (!frame.ok) write(frame.error);
        else if (frame.batch) handleBatch(frame.items);
        else session.handle(frame.message);
      },
      (bytes) =>
        write(
          failure(
            null,
            'message_too_large',
            `Invalid Request: message of ${bytes} bytes exceeds the ${maxBytes}-byte limit`,
          ),
        ),
    );
    input.on('data', (chunk: Buffer | string) =>
      splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk),
    );
    this.ended = new Promise((resolve) => {
      input.once('end', () => resolve());
      input.once('close', () => resolve());
    });
  }

  /** Settles when the client closes its end of stdin. */
  get closed(): Promise<void> {
    return this.ended ?? Promise.resolve();
  }

  close(): void {
    this.session?.close();
    this.session = undefined;
  }
}
