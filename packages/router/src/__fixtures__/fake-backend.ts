import type {
  Clock,
  JsonObject,
  JsonRpcErrorObject,
  JsonRpcId,
  JsonRpcMessage,
  JsonRpcNotification,
  JsonRpcRequest,
  MessageTransport,
} from '@switchyard/protocol';
import { BackendSession, type BackendSessionOptions } from '../backend-session.js';
import type { Outcome } from '../outcome.js';

/** Who the proxy says it is in the tests' handshakes. */
export const TEST_CLIENT_INFO = { name: 'switchyard', version: '0.0.0-test' };

/** What a fake backend does with one request: answer it, fail it, or leave it pending. */
export type Answer = { result: JsonObject } | { error: JsonRpcErrorObject } | undefined;

export type Handler = (
  params: JsonObject | undefined,
  request: JsonRpcRequest,
) => Answer | Promise<Answer>;

/**
 * An in-memory backend transport: the session side sees an ordinary transport, the test drives the
 * backend side (answers requests through handlers or by hand, sends notifications, drops the line).
 */
export class FakeTransport implements MessageTransport {
  onmessage?: (message: JsonRpcMessage) => void;
  onerror?: (error: Error) => void;
  onclose?: (reason: string) => void;

  /** Everything the session sent, in order. */
  readonly sent: JsonRpcMessage[] = [];
  started = false;
  closed = false;
  /** When set, `send` rejects with this error (a broken pipe). */
  failSends: Error | undefined;

  /**
   * `handlers` answer requests by method. Other requests stay unanswered (the test answers them by
   * hand) unless `answerUnhandled` is set: then they get -32601, as from a real server.
   */
  constructor(
    readonly handlers: Record<string, Handler> = {},
    private readonly answerUnhandled = false,
  ) {}

  async start(): Promise<void> {
    this.started = true;
  }

  send(message: JsonRpcMessage): Promise<void> {
    if (this.failSends) return Promise.reject(this.failSends);
    this.sent.push(message);
    if ('method' in message && 'id' in message) {
      const handler = this.handlers[message.method];
      if (handler) {
        void Promise.resolve()
          .then(() => handler(message.params, message))
          .then((answer) => {
            if (answer) this.answer(message.id, answer);
          });
      } else if (this.answerUnhandled) {
        const error = { code: -32601, message: `Method not found: ${message.method}` };
        void Promise.resolve().then(() => this.answer(message.id, { error }));
      }
    }
    return Promise.resolve();
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** Requests the session sent, optionally only those of one method. */
  requests(method?: string): JsonRpcRequest[] {
    return this.sent.filter(
      (m): m is JsonRpcRequest =>
        'method' in m && 'id' in m && (method === undefined || m.method === method),
    );
  }

  /** The first request of `method` the session sent; throws when there is none. */
  sentRequest(method: string): JsonRpcRequest {
    const found = this.requests(method)[0];
    if (!found) throw new Error(`no ${method} request was sent`);
    return found;
  }

  /** The `_meta.progressToken` of the first `method` request (a backend-side token). */
  progressTokenOf(method: string): unknown {
    const meta = this.sentRequest(method).params?._meta;
    return typeof meta === 'object' && meta !== null
      ? (meta as JsonObject).progressToken
      : undefined;
  }

  /** Notifications the session sent, optionally only those of one method. */
  notifications(method?: string): JsonRpcNotification[] {
    return this.sent.filter(
      (m): m is JsonRpcNotification =>
        'method' in m && !('id' in m) && (method === undefined || m.method === method),
    );
  }

  /** Responses the session sent (to backend-initiated requests). */
  responses(): JsonRpcMessage[] {
    return this.sent.filter((m) => !('method' in m));
  }

  /** The backend answers request `id`. */
  answer(id: JsonRpcId, answer: NonNullable<Answer>): void {
    this.onmessage?.(
      'result' in answer
        ? { jsonrpc: '2.0', id, result: answer.result }
        : { jsonrpc: '2.0', id, error: answer.error },
    );
  }

  /** The backend sends a notification or a request of its own. */
  deliver(message: JsonRpcMessage): void {
    this.onmessage?.(message);
  }

  /** The connection ends from the backend's side (the process exited). */
  drop(reason: string): void {
    this.onclose?.(reason);
  }
}

export interface FakeBackendOptions {
  /** Capabilities the backend declares in its `initialize` result. */
  capabilities?: JsonObject;
  /** Revision the backend answers with; defaults to echoing the offer. */
  protocolVersion?: string;
  instructions?: string;
  handlers?: Record<string, Handler>;
  /** Answer requests without a handler with -32601 instead of leaving them pending. */
  answerUnhandled?: boolean;
  clock?: Clock;
  onNotification?: BackendSessionOptions['onNotification'];
  /** The backend's own requests (sampling, elicitation), with the session they came from. */
  onRequest?: (session: BackendSession, request: JsonRpcRequest) => Promise<Outcome>;
}

/** A BackendSession connected (handshake done) to a fake backend. */
export async function connectFakeBackend(
  name: string,
  options: FakeBackendOptions = {},
): Promise<{ session: BackendSession; transport: FakeTransport }> {
  const transport = new FakeTransport(
    {
      initialize: (params) => ({
        result: {
          protocolVersion: options.protocolVersion ?? (params?.protocolVersion as string),
          capabilities: options.capabilities ?? { tools: {} },
          serverInfo: { name, version: '1.0.0' },
          ...(options.instructions === undefined ? {} : { instructions: options.instructions }),
        },
      }),
      ...options.handlers,
    },
    options.answerUnhandled,
  );
  const onRequest = options.onRequest;
  const session: BackendSession = new BackendSession({
    clientInfo: TEST_CLIENT_INFO,
    name,
    transport,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.onNotification ? { onNotification: options.onNotification } : {}),
    ...(onRequest ? { onRequest: (request: JsonRpcRequest) => onRequest(session, request) } : {}),
  });
  await session.connect();
  return { session, transport };
}

/** Lets every queued promise callback run (the fakes answer on the microtask queue). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
