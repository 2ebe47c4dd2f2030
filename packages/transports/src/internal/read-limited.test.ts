import { PassThrough } from 'node:stream';
import { ErrorCode } from '@switchyard/protocol';
import { describe, expect, it } from 'vitest';
import { readBody } from './read-limited.js';

const URL = 'http://127.0.0.1/mcp';

describe('readBody', () => {
  it('answers 400 when the Node body breaks off, instead of throwing', async () => {
    const source = new PassThrough();
    const reading = readBody(new Request(URL, { method: 'POST' }), 1_024, source);
    source.write('{"jsonrpc":"2.0",');
    source.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
    const answer = await reading;
    expect(answer).toBeInstanceOf(Response);
    expect((answer as Response).status).toBe(400);
    expect(await (answer as Response).json()).toMatchObject({
      id: null,
      error: { code: ErrorCode.InvalidRequest },
    });
  });

  it('answers 400 when the web body breaks off, instead of throwing', async () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"jsonrpc":'));
        controller.error(new Error('aborted'));
      },
    });
    const request = new Request(URL, { method: 'POST', body, duplex: 'half' } as RequestInit);
    const answer = await readBody(request, 1_024, undefined);
    expect((answer as Response).status).toBe(400);
  });

  it('reads a whole body, and answers 413 past the limit', async () => {
    const source = new PassThrough();
    const reading = readBody(new Request(URL, { method: 'POST' }), 4, source);
    source.end('{"a":1}');
    expect(((await reading) as Response).status).toBe(413);
    const whole = new PassThrough();
    const text = readBody(new Request(URL, { method: 'POST' }), 1_024, whole);
    whole.end('{}');
    expect(await text).toBe('{}');
  });
});
