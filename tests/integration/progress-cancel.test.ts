import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { until } from '@switchyard/protocol/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  everythingServer,
  firstText,
  fixture,
  type TestProxy,
  tempDir,
  withProxy,
} from './helpers.js';

interface Recorded {
  id?: number;
  method?: string;
  params?: { requestId?: number; name?: string; arguments?: { tag?: string } };
}

describe('progress and cancellation through the proxy', () => {
  const dir = tempDir();
  const record = join(dir.path, 'received.jsonl');
  let testProxy: TestProxy;
  let client: Client;

  beforeAll(async () => {
    writeFileSync(record, '');
    testProxy = await withProxy({
      servers: {
        everything: everythingServer(),
        recorder: {
          command: process.execPath,
          args: [fixture('raw-server.mjs')],
          env: { FIXTURE_RECORD: record },
        },
      },
    });
    ({ client } = testProxy);
  });

  afterAll(async () => {
    await testProxy?.close();
    dir.remove();
  });

  it('relays progress notifications of a real server to the client, under its own token', async () => {
    const seen: Array<{ progress: number; total?: number }> = [];
    const result = await client.callTool(
      {
        name: 'everything__trigger-long-running-operation',
        arguments: { duration: 0.3, steps: 3 },
      },
      undefined,
      {
        onprogress: (p) =>
          seen.push({ progress: p.progress, ...(p.total === undefined ? {} : { total: p.total }) }),
      },
    );
    expect(firstText(result)).toContain('Long running operation completed');
    expect(seen).toEqual([
      { progress: 1, total: 3 },
      { progress: 2, total: 3 },
      { progress: 3, total: 3 },
    ]);
  });

  it('propagates W3C trace context (_meta.traceparent) to the backend unchanged', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await client.callTool({
      name: 'recorder__echo',
      arguments: { tag: 'traced' },
      _meta: { traceparent },
    });
    const sent = readFileSync(record, 'utf8')
      .trim()
      .split('\n')
      .map(
        (line) => JSON.parse(line) as Recorded & { params?: { _meta?: { traceparent?: string } } },
      )
      .find((m) => m.method === 'tools/call' && m.params?.arguments?.tag === 'traced');
    expect(sent?.params?._meta?.traceparent).toBe(traceparent);
  });

  it('forwards a client cancellation to the backend under the backend’s own request id', async () => {
    const controller = new AbortController();
    const call = client.callTool(
      { name: 'recorder__echo', arguments: { tag: 'to-cancel', delayMs: 10_000 } },
      undefined,
      { signal: controller.signal },
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    controller.abort('user changed their mind');
    await expect(call).rejects.toThrow();
    const recorded = await until(() => {
      const lines = readFileSync(record, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Recorded);
      return lines.some((m) => m.method === 'notifications/cancelled') && lines;
    }, 'the cancellation at the backend');
    const callSent = recorded.find(
      (m) => m.method === 'tools/call' && m.params?.arguments?.tag === 'to-cancel',
    );
    const cancel = recorded.find((m) => m.method === 'notifications/cancelled');
    expect(callSent?.id).toBeTypeOf('number');
    expect(cancel?.params?.requestId).toBe(callSent?.id);
    // The proxy still serves the session after the cancellation.
    const after = await client.callTool({ name: 'recorder__echo', arguments: { tag: 'after' } });
    expect(firstText(after)).toContain('after');
  });
});
