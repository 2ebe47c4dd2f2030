import { PassThrough } from 'node:stream';
import { ErrorCode, type JsonRpcMessage, type SessionSink } from '@switchyard/protocol';
import { describe, expect, it } from 'vitest';
import type { FrontSession } from './front-session.js';
import { StdioFrontTransport } from './stdio-front.js';

/**
 * A stdio front over in-memory streams, with a session that records and answers pings (the one
 * with id "late" after the next one), negotiated at `revision`.
 */
function front(maxMessageBytes?: number, revision?: string) {
  const input = new PassThrough();
  const output = new PassThrough();
  const handled: JsonRpcMessage[] = [];
  const opened: unknown[] = [];
  let closed = 0;
  let sink: SessionSink = () => {};
  const transport = new StdioFrontTransport({
    input,
    output,
    ...(maxMessageBytes === undefined ? {} : { maxMessageBytes }),
    openSession: (s, info): FrontSession => {
      sink = s;
      opened.push(info);
      let late: JsonRpcMessage | undefined;
      return {
        revision,
        handle: (message) => {
          handled.push(message);
          if ('id' in message && 'method' in message && message.method === 'ping') {
            const answer: JsonRpcMessage = { jsonrpc: '2.0', id: message.id, result: {} };
            if (message.id === 'late') late = answer;
            else {
              sink(answer);
              if (late) sink(late);
              late = undefined;
            }
          }
        },
        close: () => {
          closed++;
        },
      };
    },
  });
  let written = '';
  output.on('data', (chunk: Buffer) => {
    written += chunk.toString('utf8');
  });
  /** Writes `text` to stdin and resolves once the input has been read. */
  const write = (text: string) =>
    new Promise<void>((resolve) => {
      input.write(text, () => setImmediate(resolve));
    });
  return {
    transport,
    input,
    handled,
    opened,
    write,
    sink: (message: JsonRpcMessage) => sink(message),
    closedCount: () => closed,
    lines: () =>
      written
        .split('\n')
        .filter((l) => l.length > 0)
        .map((l) => JSON.parse(l) as JsonRpcMessage),
    raw: () => written,
  };
}

describe('StdioFrontTransport', () => {
  it('opens one stdio session when started', () => {
    const f = front();
    f.transport.start();
    expect(f.opened).toEqual([{ transport: 'stdio' }]);
  });

  it('hands a valid message to the session and writes its answer as one line', async () => {
    const f = front();
    f.transport.start();
    await f.write('{"jsonrpc":"2.0","id":1,"method":"ping"}\n');
    expect(f.handled).toEqual([{ jsonrpc: '2.0', id: 1, method: 'ping' }]);
    expect(f.raw()).toBe('{"jsonrpc":"2.0","id":1,"result":{}}\n');
  });

  it('reassembles a message split across chunks and accepts CRLF and blank lines', async () => {
    const f = front();
    f.transport.start();
    await f.write('{"jsonrpc":"2.0",');
    await f.write('"method":"notifications/initialized"}\r\n\n');
    expect(f.handled).toEqual([{ jsonrpc: '2.0', method: 'notifications/initialized' }]);
    expect(f.lines()).toEqual([]);
  });

  it('answers a malformed line with -32700 and keeps going', async () => {
    const f = front();
    f.transport.start();
    await f.write('this is not json\n{"jsonrpc":"2.0","id":2,"method":"ping"}\n');
    expect(f.lines()).toEqual([
      {
        jsonrpc: '2.0',
        id: null,
        error: { code: ErrorCode.ParseError, message: 'Parse error: invalid JSON' },
      },
      { jsonrpc: '2.0', id: 2, result: {} },
    ]);
    expect(f.handled).toHaveLength(1);
  });

  it('answers a batch with -32600, handing none of it on, unless the session is 2025-03-26', async () => {
    for (const revision of [undefined, '2025-06-18']) {
      const f = front(undefined, revision);
      f.transport.start();
      await f.write(
        '[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","id":2,"method":"ping"}]\n',
      );
      expect(f.lines()).toEqual([
        {
          jsonrpc: '2.0',
          id: null,
          error: {
            code: ErrorCode.InvalidRequest,
            message: `Invalid Request: batches are not allowed in revision ${revision ?? 'unknown'}`,
          },
        },
      ]);
      expect(f.handled).toEqual([]);
    }
  });

  it('answers a 2025-03-26 batch as one array in request order, invalid items first', async () => {
    const f = front(undefined, '2025-03-26');
    f.transport.start();
    await f.write(
      `${JSON.stringify([
        { jsonrpc: '2.0', id: 'late', method: 'ping' },
        { jsonrpc: '2.0', method: 'notifications/roots/list_changed' },
        { jsonrpc: '1.0', id: 9, method: 'ping' },
        { jsonrpc: '2.0', id: 'soon', method: 'ping' },
      ])}\n`,
    );
    expect(f.handled).toHaveLength(3);
    expect(f.lines()).toEqual([
      [
        {
          jsonrpc: '2.0',
          id: 9,
          error: expect.objectContaining({ code: ErrorCode.InvalidRequest }),
        },
        { jsonrpc: '2.0', id: 'late', result: {} },
        { jsonrpc: '2.0', id: 'soon', result: {} },
      ],
    ]);
  });

  it('writes nothing for a 2025-03-26 batch of notifications only', async () => {
    const f = front(undefined, '2025-03-26');
    f.transport.start();
    await f.write('[{"jsonrpc":"2.0","method":"notifications/roots/list_changed"}]\n');
    expect(f.handled).toHaveLength(1);
    expect(f.raw()).toBe('');
  });

  it('answers an invalid message with its error, keeping the id when it can be read', async () => {
    const f = front();
    f.transport.start();
    await f.write(
      '[]\n{"jsonrpc":"1.0","id":9,"method":"ping"}\n{"jsonrpc":"2.0","id":3,"method":"x","params":[1]}\n',
    );
    expect(f.lines()).toMatchObject([
      { id: null, error: { code: ErrorCode.InvalidRequest } },
      { id: 9, error: { code: ErrorCode.InvalidRequest } },
      { id: 3, error: { code: ErrorCode.InvalidParams } },
    ]);
    expect(f.handled).toEqual([]);
  });

  it('rejects a line over maxMessageBytes with -32600 and reads the next one', async () => {
    const f = front(64);
    f.transport.start();
    await f.write(
      `{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"${'x'.repeat(100)}"}}\n`,
    );
    await f.write('{"jsonrpc":"2.0","id":2,"method":"ping"}\n');
    const [first, second] = f.lines();
    expect(first).toMatchObject({ id: null, error: { code: ErrorCode.InvalidRequest } });
    expect((first as { error: { message: string } }).error.message).toContain('64-byte limit');
    expect(second).toEqual({ jsonrpc: '2.0', id: 2, result: {} });
    expect(f.handled).toEqual([{ jsonrpc: '2.0', id: 2, method: 'ping' }]);
  });

  it('writes what the session sends on its own, one line per message', async () => {
    const f = front();
    f.transport.start();
    f.sink({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    f.sink({
      jsonrpc: '2.0',
      method: 'notifications/message',
      params: { level: 'info', data: 'a\nb' },
    });
    expect(f.raw().split('\n')).toHaveLength(3);
    expect(f.lines().map((m) => ('method' in m ? m.method : ''))).toEqual([
      'notifications/tools/list_changed',
      'notifications/message',
    ]);
  });

  it('settles `closed` when stdin ends', async () => {
    const f = front();
    f.transport.start();
    let ended = false;
    void f.transport.closed.then(() => {
      ended = true;
    });
    await f.write('{"jsonrpc":"2.0","id":1,"method":"ping"}\n');
    expect(ended).toBe(false);
    f.input.end();
    f.input.resume();
    await f.transport.closed;
    expect(ended).toBe(true);
  });

  it('closes its session once', () => {
    const f = front();
    f.transport.start();
    f.transport.close();
    f.transport.close();
    expect(f.closedCount()).toBe(1);
  });

  it('has nothing to wait for before it is started', async () => {
    await expect(front().transport.closed).resolves.toBeUndefined();
  });
});
