import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import type { Readable, Writable } from 'node:stream';
import { WebSocket } from 'ws';
import type { Answer } from './fuzz-inputs.js';
import { cliPath, initializeMessage, sseEvents } from './helpers.js';

/** Messages as they arrive on one connection, taken in order by whoever waits for an answer. */
export class Inbox {
  private readonly messages: Answer[] = [];
  private wake: (() => void) | undefined;
  private ended: Error | undefined;

  push(message: Answer): void {
    this.messages.push(message);
    this.wake?.();
  }

  end(reason: string): void {
    this.ended = new Error(reason);
    this.wake?.();
  }

  /**
   * The next response, or batch of responses (notifications from the proxy, such as
   * `list_changed`, are skipped).
   */
  async response(): Promise<Answer> {
    for (;;) {
      const message = this.messages.shift();
      if (message) {
        if (Array.isArray(message) || 'result' in message || 'error' in message) return message;
        continue;
      }
      if (this.ended) throw this.ended;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = undefined;
    }
  }
}

/** A probe call of the recording backend's `echo`, tagged so the recording can be checked. */
export function probeCall(id: number, probe: string) {
  return {
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name: 'recorder__echo', arguments: { probe } },
  };
}

export const INITIALIZED = { jsonrpc: '2.0', method: 'notifications/initialized' };

/** A raw Streamable HTTP client session on `/mcp`. */
export class HttpSession {
  private constructor(
    readonly url: URL,
    readonly id: string,
    readonly revision: string,
  ) {}

  static async open(url: URL, revision: string): Promise<HttpSession> {
    const init = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify(initializeMessage(revision, 'fuzzer')),
    });
    const id = init.headers.get('mcp-session-id');
    if (init.status !== 200 || !id) throw new Error(`initialize answered ${init.status}`);
    await init.body?.cancel();
    const session = new HttpSession(url, id, revision);
    const ack = await session.post(JSON.stringify(INITIALIZED));
    if (ack.status !== 202) throw new Error(`initialized answered ${ack.status}`);
    return session;
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-session-id': this.id,
      'mcp-protocol-version': this.revision,
      ...extra,
    };
  }

  post(body: Uint8Array | string, extra: Record<string, string> = {}): Promise<Response> {
    return fetch(this.url, { method: 'POST', headers: this.headers(extra), body });
  }
}

/**
 * Reads an HTTP answer's status and its JSON body (undefined when there is none); of an SSE
 * answer, the response it carries.
 */
export async function answerOf(response: Response): Promise<{ status: number; body: unknown }> {
  const text = await response.text();
  if (response.headers.get('content-type')?.includes('text/event-stream')) {
    const messages = sseEvents(text)
      .filter((event) => event.data !== '')
      .map((event) => JSON.parse(event.data) as Answer);
    return { status: response.status, body: messages.find((m) => 'result' in m || 'error' in m) };
  }
  return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

/**
 * A POST over `node:http`, for what fetch cannot send: a `Content-Length` larger than the bytes
 * that follow (`declared`), or a chunked body with no length at all. Resolves with the answer as
 * soon as it arrives, without waiting for the proxy to read what was sent.
 */
export function rawPost(
  url: URL,
  headers: Record<string, string>,
  body: Buffer,
  declared?: number,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, {
      method: 'POST',
      headers:
        declared === undefined ? headers : { ...headers, 'content-length': String(declared) },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        req.destroy();
        const text = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode ?? 0, body: text === '' ? undefined : JSON.parse(text) });
      });
    });
    // The proxy may answer and close before the whole body is sent.
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') reject(error);
    });
    req.write(body);
    if (declared === undefined) req.end();
  });
}

/**
 * A POST that breaks off mid-body: `body` is sent (announced by a larger `Content-Length`, or
 * chunked), then the connection is dropped. Resolves once it is closed on this side.
 */
export function cutPost(
  url: URL,
  headers: Record<string, string>,
  body: Buffer,
  chunked: boolean,
): Promise<void> {
  return new Promise((resolve) => {
    const req = httpRequest(url, {
      method: 'POST',
      headers: chunked ? headers : { ...headers, 'content-length': String(body.length + 1) },
    });
    req.on('error', () => {});
    req.on('close', () => resolve());
    req.write(body, () => req.destroy());
  });
}

/** A raw HTTP+SSE client session: `GET /sse` kept open, messages posted to its endpoint. */
export class SseSession {
  readonly inbox = new Inbox();
  private constructor(
    readonly endpoint: URL,
    private readonly abort: AbortController,
  ) {}

  static async open(origin: URL): Promise<SseSession> {
    const abort = new AbortController();
    const response = await fetch(new URL('/sse', origin), {
      headers: { accept: 'text/event-stream' },
      signal: abort.signal,
    });
    if (!response.body) throw new Error('no SSE body');
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let endpoint: URL | undefined;
    while (!endpoint) {
      const { value, done } = await reader.read();
      if (done) throw new Error('SSE stream ended before its endpoint event');
      buffer += value;
      const first = sseEvents(buffer)[0];
      if (first) endpoint = new URL(first.data, origin);
    }
    const session = new SseSession(endpoint, abort);
    const inbox = session.inbox;
    const drain = () => {
      const end = buffer.lastIndexOf('\n\n');
      if (end === -1) return;
      for (const event of sseEvents(buffer.slice(0, end + 2))) {
        if (event.data !== '') inbox.push(JSON.parse(event.data) as Answer);
      }
      buffer = buffer.slice(end + 2);
    };
    buffer = buffer.slice(buffer.indexOf('\n\n') + 2);
    void (async () => {
      try {
        for (;;) {
          drain();
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
        }
      } catch {}
      inbox.end('SSE stream ended');
    })();
    await session.post(JSON.stringify(initializeMessage('2024-11-05', 'fuzzer')));
    await inbox.response();
    await session.post(JSON.stringify(INITIALIZED));
    return session;
  }

  post(body: Uint8Array | string, endpoint = this.endpoint): Promise<Response> {
    return fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
  }

  close(): void {
    this.abort.abort();
  }
}

/** A raw WebSocket client session on `/ws` (subprotocol `mcp`). */
export class WsSession {
  readonly inbox = new Inbox();
  /** The close code, once the proxy closed the connection. */
  readonly closed: Promise<number>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => this.inbox.push(JSON.parse(String(data)) as Answer));
    // A connection the proxy closes on a protocol error may also reset: the close code is checked.
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => socket.once('close', (code) => resolve(code)));
    void this.closed.then(() => this.inbox.end('WebSocket closed'));
  }

  static async connect(url: URL, initialize = true): Promise<WsSession> {
    const socket = new WebSocket(url, ['mcp']);
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    const session = new WsSession(socket);
    if (initialize) {
      session.send(JSON.stringify(initializeMessage('2025-06-18', 'fuzzer')));
      await session.inbox.response();
      session.send(JSON.stringify(INITIALIZED));
    }
    return session;
  }

  send(data: string | Buffer, binary = false): void {
    this.socket.send(data, { binary });
  }
}

/** `switchyard --stdio` as a child process, spoken to line by line. */
export class StdioSession {
  readonly inbox = new Inbox();
  private constructor(readonly child: ChildProcessByStdio<Writable, Readable, null>) {
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      for (let newline = buffer.indexOf('\n'); newline !== -1; newline = buffer.indexOf('\n')) {
        this.inbox.push(JSON.parse(buffer.slice(0, newline)) as Answer);
        buffer = buffer.slice(newline + 1);
      }
    });
    child.once('exit', (code) => this.inbox.end(`switchyard --stdio exited with ${code}`));
  }

  static async start(configFile: string, revision: string): Promise<StdioSession> {
    const child = spawn(process.execPath, [cliPath, '--stdio', '--config', configFile], {
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    const session = new StdioSession(child);
    session.write(JSON.stringify(initializeMessage(revision, 'fuzzer')));
    await session.inbox.response();
    session.write(JSON.stringify(INITIALIZED));
    return session;
  }

  write(line: string | Buffer): void {
    this.child.stdin.write(line);
    this.child.stdin.write('\n');
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin.end();
    await exited;
  }
}
