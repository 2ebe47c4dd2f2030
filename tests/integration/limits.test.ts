import { readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstText, fixture, type TestProxy, tempDir, withProxy } from './helpers.js';

describe('request limits', () => {
  const dir = tempDir();
  const record = join(dir.path, 'hung.jsonl');
  let testProxy: TestProxy;
  let url: URL;
  let client: Client;

  beforeAll(async () => {
    writeFileSync(record, '');
    testProxy = await withProxy({
      // Limits lowered so that a handful of calls reach them.
      proxy: { maxConcurrentRequests: 5, maxQueuedRequests: 1, maxMessageBytes: 64 * 1024 },
      servers: {
        hung: {
          command: process.execPath,
          args: [fixture('raw-server.mjs')],
          env: { FIXTURE_RECORD: record },
          requestTimeoutMs: 300,
        },
        quick: { command: process.execPath, args: [fixture('raw-server.mjs')] },
      },
    });
    ({ url, client } = testProxy);
  });

  afterAll(async () => {
    await testProxy?.close();
    dir.remove();
  });

  it('times a hung call out at the configured time, cancels it at the backend, others unaffected', async () => {
    const other = await testProxy.connect('other');
    const t0 = Date.now();
    const hung = client.callTool({ name: 'hung__echo', arguments: { delayMs: 60_000 } });
    const meanwhile = await other.callTool({ name: 'quick__echo', arguments: { ok: true } });
    expect(firstText(meanwhile)).toContain('"ok":true');
    await expect(hung).rejects.toThrow(/Request to backend "hung" timed out after 300 ms/);
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(2000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const lines = readFileSync(record, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const call = lines.find((m) => m.method === 'tools/call');
    const cancel = lines.find((m) => m.method === 'notifications/cancelled');
    expect(cancel?.params.requestId).toBe(call?.id);
    await other.close();
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
