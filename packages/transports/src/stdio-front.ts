import { ErrorCode, errorResponse, type JsonRpcMessage, parseFrame } from '@switchyard/protocol';
import { LineSplitter } from './internal/line-splitter.js';
import type { FrontSession, OpenSession } from './transport.js';

export interface StdioFrontOptions {
  openSession: OpenSession;
  input: NodeJS.ReadableStream;
  /** Carries protocol messages only (spec L3): nothing else may ever be written to it. */
  output: NodeJS.WritableStream;
  maxMessageBytes?: number;
}

/**
 * The proxy as an MCP server on stdin/stdout (`switchyard --stdio`): one client session for the
 * life of the process. Malformed lines get their JSON-RPC error; batches get -32600 because no
 * revision allows them on stdio in practice (protocol.md §3: SDK peers reject them).
 */
export class StdioFrontTransport {
  private session: FrontSession | undefined;
  private ended: Promise<void> | undefined;

  constructor(private readonly options: StdioFrontOptions) {}

  /** Starts reading; the returned promise of {@link closed} settles when the input ends. */
  start(): void {
    const { input, output, openSession } = this.options;
    const write = (message: JsonRpcMessage) => {
      output.write(`${JSON.stringify(message)}\n`);
    };
    const session = openSession(write, { transport: 'stdio' });
    this.session = session;
    const maxBytes = this.options.maxMessageBytes ?? 4 * 1024 * 1024;
    const splitter = new LineSplitter(
      maxBytes,
      (line) => {
        const frame = parseFrame(line);
        if (!frame.ok) write(frame.error);
        else if (frame.batch)
          write(
            errorResponse(
              null,
              ErrorCode.InvalidRequest,
              'Invalid Request: batches are not supported on stdio',
            ),
          );
        else session.handle(frame.message);
      },
      (bytes) =>
        write(
          errorResponse(
            null,
            ErrorCode.InvalidRequest,
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
