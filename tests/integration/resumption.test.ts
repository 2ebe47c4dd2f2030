import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  firstText,
  fixture,
  initializeMessage,
  type SseEvent,
  sseEvents,
  type TestProxy,
  withProxy,
} from './helpers.js';

const REVISION = '2025-11-25';

/** Reads an SSE body until `done` holds for the events so far, or the body ends. */
async function readUntil(
  body: ReadableStream<Uint8Array>,
  done: (events: SseEvent[]) => boolean,
): Promise<{ events: SseEvent[]; reader: ReadableStreamDefaultReader<Uint8Array> }> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!done(sseEvents(text))) {
    const chunk = await reader.read();
    if (chunk.done) break;
    text += decoder.decode(chunk.value, { stream: true });
  }
  return { events: sseEvents(text), reader };
}

describe('resuming a cut SSE stream with GET + Last-Event-ID', () => {
  let testProxy: TestProxy;
  let url: URL;

  beforeAll(async () => {
    testProxy = await withProxy(
      { servers: { raw: { command: process.execPath, args: [fixture('raw-server.mjs')] } } },
      { client: false },
    );
    ({ url } = testProxy);
  });

  afterAll(() => testProxy?.close());

  async function initialize(): Promise<string> {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify(initializeMessage(REVISION, 'resumption-test')),
    });
    expect(response.status).toBe(200);
    await response.body?.cancel();
    const session = response.headers.get('mcp-session-id') ?? '';
    const initialized = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': session,
        'mcp-protocol-version': REVISION,
      },
      body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    });
    expect(initialized.status).toBe(202);
    return session;
  }

  it('delivers the result of a call whose POST stream was cut, on the resumed GET stream', async () => {
    const session = await initialize();
    const headers = {
      accept: 'text/event-stream',
      'mcp-session-id': session,
      'mcp-protocol-version': REVISION,
    };
    const abort = new AbortController();
    const call = await fetch(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      signal: abort.signal,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: {
          name: 'raw__echo',
          arguments: { delayMs: 500, tag: 'resumed' },
          _meta: { progressToken: 'resume-1' },
        },
      }),
    });
    expect(call.headers.get('content-type')).toBe('text/event-stream');
    const first = await readUntil(call.body!, (events) => events.some((e) => e.id));
    const lastEventId = first.events.findLast((e) => e.id)?.id ?? '';
    expect(lastEventId).toMatch(/_\d+$/);
    expect(first.events.some((e) => e.data.includes('"id":2'))).toBe(false);
    abort.abort();

    const resumed = await fetch(url, {
      method: 'GET',
      headers: { ...headers, 'last-event-id': lastEventId },
    });
    expect(resumed.status).toBe(200);
    const { events, reader } = await readUntil(resumed.body!, (all) =>
      all.some((e) => e.data.includes('"id":2')),
    );
    const answer = events.find((e) => e.data.includes('"id":2'));
    expect(answer?.id?.split('_')[0]).toBe(lastEventId.split('_')[0]);
    const result = (JSON.parse(answer?.data ?? '{}') as { result?: unknown }).result;
    expect(JSON.parse(firstText(result))).toMatchObject({ args: { tag: 'resumed' } });
    expect((await reader.read()).done).toBe(true);
  });

  it('answers 400 to a Last-Event-ID it does not hold', async () => {
    const session = await initialize();
    const response = await fetch(url, {
      method: 'GET',
      headers: {
        accept: 'text/event-stream',
        'mcp-session-id': session,
        'last-event-id': 'post-99_0',
      },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: -32600 } });
  });
});
