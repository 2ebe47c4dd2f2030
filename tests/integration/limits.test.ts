import { readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ManualClock, until } from '@switchyard/protocol/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstText, fixture, type TestProxy, tempDir, withProxy } from './helpers.js';

describe('request timeouts, on the proxy clock', () => {
  const dir = tempDir();
  const record = join(dir.path, 'hung.jsonl');
  // The proxy's timers run on this clock: the timeout is checked to the millisecond, unslept.
  const clock = new ManualClock();
  let testProxy: TestProxy;

  /** What the `hung` backend has read from the proxy, in order. */
  const received = () =>
    readFileSync(record, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map(
        (line) =>
          JSON.parse(line) as { id?: number; method?: string; params?: { requestId?: number } },
      );

  beforeAll(async () => {
    writeFileSync(record, '');
    testProxy = await withProxy(
      {
        servers: {
          hung: {
            command: process.execPath,
            args: [fixture('raw-server.mjs')],
            env: { FIXTURE_RECORD: record },
            requestTimeoutMs: 300,
          },
          quick: { command: process.execPath, args: [fixture('raw-server.mjs')] },
        },
      },
      { clock },
    );
  });

  afterAll(async () => {
    // `hung` still holds its 60 s call and outlives its stdin: closing it waits out grace
    // periods, on this clock too.
    let closed = false;
    void testProxy?.close().then(() => {
      closed = true;
    });
    await until(() => {
      clock.advance(1_000);
      return closed;
    }, 'the proxy to stop');
    dir.remove();
  });

  it('times a hung call out at the configured time, cancels it at the backend, others unaffected', async () => {
    const { client } = testProxy;
    const other = await testProxy.connect('other');
    let settled = false;
    const hung = client
      .callTool({ name: 'hung__echo', arguments: { delayMs: 60_000 } })
      .then(
        () => 'answered',
        (error: Error) => error.message,
      )
      .finally(() => {
        settled = true;
      });
    await until(
      () => received().find((m) => m.method === 'tools/call'),
      'the call to reach the backend',
    );
    const meanwhile = await other.callTool({ name: 'quick__echo', arguments: { ok: true } });
    expect(firstText(meanwhile)).toContain('"ok":true');

    clock.advance(299);
    // The backend reads what the proxy sends in order: had the timeout fired at 299 ms, its
    // notifications/cancelled would arrive before this later call.
    await client.callTool({ name: 'hung__echo', arguments: { at: 299 } });
    expect(received().filter((m) => m.method === 'notifications/cancelled')).toEqual([]);
    expect(settled).toBe(false);

    clock.advance(1);
    expect(await hung).toMatch(/Request to backend "hung" timed out after 300 ms/);
    const cancel = await until(
      () => received().find((m) => m.method === 'notifications/cancelled'),
      'the cancellation to reach the backend',
    );
    const call = received().find((m) => m.method === 'tools/call');
    expect(cancel.params?.requestId).toBe(call?.id);
    await other.close();
  });
});

describe('request limits', () => {
  let testProxy: TestProxy;
  let url: URL;
  let client: Client;

  beforeAll(async () => {
    testProxy = await withProxy({
      // Limits lowered so that a handful of calls reach them.
      proxy: { maxConcurrentRequests: 5, maxQueuedRequests: 1, maxMessageBytes: 64 * 1024 },
      servers: {
        quick: { command: process.execPath, args: [fixture('raw-server.mjs')] },
      },
    });
    ({ url, client } = testProxy);
  });

  afterAll(async () => {
    await testProxy?.close();
  });

  it('queues requests beyond the per-session limit and refuses only past its queue, with a retry hint', async () => {
    const calls = Array.from({ length: 7 }, (_, i) =>
      client.callTool({ name: 'quick__echo', arguments: { i, delayMs: 200 } }).then(
        () => 'ok',
        (error: Error & { code?: number; data?: unknown }) => ({
          message: error.message,
          code: error.code,
          data: error.data,
        }),
      ),
    );
    const outcomes = await Promise.all(calls);
    // Five run, one waits for a slot and runs after them, one finds the queue full.
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(6);
    expect(outcomes.filter((o) => o !== 'ok')).toEqual([
      {
        message: expect.stringMatching(
          /Too many requests: this session has 5 in flight and 1 waiting; retry after 1000 ms/,
        ),
        code: -32012,
        data: { reason: 'queue_full', retryAfterMs: 1000 },
      },
    ]);
    const metrics = await (await fetch(`${url.origin}/metrics`)).text();
    expect(metrics).toContain(
      'switchyard_requests_rejected_total{server="",reason="queue_full"} 1',
    );
  });

  it('rejects an oversized message with 413 and a JSON-RPC error, and keeps serving', async () => {
    const body = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'quick__echo', arguments: { pad: 'x'.repeat(100_000) } },
    });
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body,
    });
    expect(response.status).toBe(413);
    expect(
      ((await response.json()) as { error: { code: number; message: string } }).error.message,
    ).toMatch(/limit is 65536 bytes/);
    expect(
      firstText(await client.callTool({ name: 'quick__echo', arguments: { after: 1 } })),
    ).toContain('"after":1');
  });

  it('stops reading a streamed body (no Content-Length) once it passes the limit: 413', async () => {
    // 16 chunks of 8 KiB: twice the 64 KiB limit, sent without declaring a length.
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'transfer-encoding': 'chunked',
        },
      });
      req.on('response', (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write('{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"');
      let sent = 0;
      const next = () => {
        if (sent++ < 16) req.write('x'.repeat(8192), next);
        else req.end('"}}');
      };
      next();
    });
    expect(status).toBe(413);
    expect(
      firstText(await client.callTool({ name: 'quick__echo', arguments: { after: 2 } })),
    ).toContain('"after":2');
  });
});
