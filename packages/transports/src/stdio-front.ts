import {
  type Clock,
  checkEnvelope,
  failure,
  featuresOf,
  hasModernEnvelope,
  isNotification,
  isRefusal,
  isRequest,
  isResponse,
  type JsonRpcId,
  type JsonRpcMessage,
  type JsonRpcRequest,
  type MessageCheck,
  Method,
  parseFrame,
  resolveRevision,
  serializeMessage,
  systemClock,
} from '@switchyard/protocol';
import type { FrontSession, OpenSession } from './front-session.js';
import { LineSplitter } from './internal/line-splitter.js';
import { serveModern } from './internal/modern-post.js';
import { signalCancellation } from './internal/modern-session.js';
import { ModernBridge, type ModernDrop, type ModernShared } from './modern-bridge.js';

export interface StdioFrontOptions {
  openSession: OpenSession;
  input: NodeJS.ReadableStream;
  /**
   * Carries protocol messages only: nothing else may ever be written to it (MCP 2025-11-25,
   * Transports: stdio).
   */
  output: NodeJS.WritableStream;
  maxMessageBytes?: number;
  /** Times the internal session of a modern client (docs/protocol-versions.md). */
  clock?: Clock;
  /** Hears what a modern client could not be given (docs/protocol-versions.md). */
  onModernDropped?: (drop: ModernDrop) => void;
  /** Hears when a principal's further modern client programs share one session. */
  onModernShared?: (shared: ModernShared) => void;
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
 *
 * The first message decides the era (MCP 2026-07-28, Transports: stdio): one carrying the modern
 * `_meta` envelope, or `server/discover`, makes this a modern (2026-07-28) server for the life of
 * the process, served through a {@link ModernBridge}; anything else opens the legacy session.
 */
export class StdioFrontTransport {
  private session: FrontSession | undefined;
  private modern: ModernBridge | undefined;
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
    // The legacy session is open from the start, as a legacy client expects; a modern first
    // message closes it unused.
    this.session = openSession(write, { transport: 'stdio' });
    let era: 'legacy' | 'modern' | undefined;
    const handleBatch = (session: FrontSession, items: MessageCheck[]) => {
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
    const maxBytes = this.options.maxMessageBytes ?? 4 * 1024 * 1024;
    const splitter = new LineSplitter(
      maxBytes,
      (text) => {
        const frame = parseFrame(text);
        if (!frame.ok) {
          write(frame.error);
          return;
        }
        if (era === undefined) {
          era = !frame.batch && hasModernEnvelope(frame.message) ? 'modern' : 'legacy';
          if (era === 'modern') {
            this.session?.close();
            this.session = undefined;
          }
        }
        const session = era === 'legacy' ? this.session : undefined;
        if (session) {
          if (frame.batch) handleBatch(session, frame.items);
          else session.handle(frame.message);
        } else if (era === 'modern') {
          if (frame.batch) {
            write(failure(null, 'invalid_request', 'Invalid Request: 2026-07-28 has no batches'));
          } else this.handleModern(frame.message, write);
        }
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
    this.modern?.close();
  }

  /** Requests in flight from a modern client, by its id, so `notifications/cancelled` reaches them. */
  private readonly modernInFlight = new Map<JsonRpcId, AbortController>();

  /**
   * One message from a modern client: a request is checked and served through the bridge, its
   * progress and answer written as they come; `notifications/cancelled` (how a stdio client cancels,
   * MCP 2026-07-28, Basic: Cancellation) aborts its request; nothing else is answered.
   */
  private handleModern(message: JsonRpcMessage, write: (message: JsonRpcMessage) => void): void {
    this.modern ??= new ModernBridge({
      openSession: this.options.openSession,
      transport: 'stdio',
      clock: this.options.clock ?? systemClock,
      ...(this.options.onModernDropped ? { onDropped: this.options.onModernDropped } : {}),
      ...(this.options.onModernShared ? { onShared: this.options.onModernShared } : {}),
    });
    if (isNotification(message)) {
      const requestId = message.params?.requestId;
      if (
        message.method === Method.Cancelled &&
        (typeof requestId === 'string' || typeof requestId === 'number')
      ) {
        this.modernInFlight.get(requestId)?.abort();
      }
      return;
    }
    if (!isRequest(message)) return;
    const envelope = checkEnvelope(message.method, message.params);
    if (isRefusal(envelope)) {
      write(failure(message.id, envelope.name, envelope.message, envelope.data));
      return;
    }
    const request: JsonRpcRequest = message;
    const abort = new AbortController();
    this.modernInFlight.set(request.id, abort);
    const call = { request, envelope, notify: write, cancelled: signalCancellation(abort.signal) };
    void serveModern(this.modern, call).then((answer) => {
      if (this.modernInFlight.get(request.id) === abort) this.modernInFlight.delete(request.id);
      if (!abort.signal.aborted) write(answer);
    });
  }
}
