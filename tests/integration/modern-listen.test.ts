import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cliPath,
  everythingServer,
  serverScript,
  sseEvents,
  type TestProxy,
  tempDir,
  withProxy,
} from './helpers.js';
import { createMessageValidator, formatIssue } from './schema-validator.js';

/**
 * `subscriptions/listen` served by the proxy to 2026-07-28 clients (docs/protocol-versions.md,
 * "The modern era (2026-07-28)"): raw clients over Streamable HTTP and over `--stdio` get the
 * acknowledgement first, then only the notifications they opted in to, each with the subscription
 * id, and every message validates against the 2026-07-28 schema.
 */

const MODERN = '2026-07-28';
const validator = createMessageValidator(MODERN);
const SUBSCRIPTION_ID = 'io.modelcontextprotocol/subscriptionId';
const envelope = {
  'io.modelcontextprotocol/protocolVersion': MODERN,
  'io.modelcontextprotocol/clientCapabilities': {},
};

type Message = { id?: unknown; method?: string; params?: Record<string, unknown> } & Record<
  string,
  unknown
>;

/** Messages as they arrive, and a way to wait for the first one that matches. */
class Inbox {
  readonly messages: Message[] = [];
  private waiters: (() => void)[] = [];

  push(message: Message): void {
    this.messages.push(message);
    for (const wake of this.waiters.splice(0)) wake();
  }

  async next(match: (m: Message) => boolean, what: string, ms = 20_000): Promise<Message> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.messages.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${what} in ${JSON.stringify(this.messages)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }
}

/** The subscription id a stream message carries. */
const subscriptionOf = (m: Message) =>
  (m.params?._meta as Record<string, unknown> | undefined)?.[SUBSCRIPTION_ID];

/** Checks every message of a listen stream: valid for 2026-07-28, of `allowed` methods, on `id`. */
function expectStream(messages: Message[], id: unknown, allowed: string[]): void {
  expect(messages[0]?.method).toBe('notifications/subscriptions/acknowledged');
  for (const message of messages) {
    expect(validator.validate(message, 'subscriptions/listen').map(formatIssue)).toEqual([]);
    if (message.method === undefined) continue;
    expect(allowed).toContain(message.method);
    expect(subscriptionOf(message)).toBe(id);
  }
}

/** A raw modern POST answered as JSON. */
async function call(url: URL, method: string, params: Record<string, unknown>): Promise<Message> {
  const name = params.name ?? params.uri;
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': MODERN,
      'mcp-method': method,
      ...(typeof name === 'string' ? { 'mcp-name': name } : {}),
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: { ...params, _meta: envelope } }),
  });
  return (await response.json()) as Message;
}

describe('subscriptions/listen over Streamable HTTP', () => {
  let dir: ReturnType<typeof tempDir>;
  let t: TestProxy;
  beforeAll(async () => {
    dir = tempDir();
    t = await withProxy({
      servers: {
        everything: everythingServer(),
        memory: {
          command: process.execPath,
          args: [serverScript('server-memory')],
          env: { MEMORY_FILE_PATH: join(dir.path, 'memory.jsonl') },
        },
      },
    });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    dir?.remove();
  });

  it('advertises listChanged and subscribe in server/discover', async () => {
    const discover = await call(t.url, 'server/discover', {});
    expect(discover.result).toMatchObject({
      capabilities: {
        tools: { listChanged: true },
        prompts: { listChanged: true },
        resources: { listChanged: true, subscribe: true },
      },
    });
  });

  it('acknowledges, then delivers opted-in list changes and resource updates, and unsubscribes at close', async () => {
    const listed = await call(t.url, 'resources/list', {});
    const uri = (
      (listed.result as { resources: { uri: string }[] }).resources[0] as { uri: string }
    ).uri;
    const logs: string[] = [];
    t.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
      logs.push(String(n.params.data));
    });
    const abort = new AbortController();
    const response = await fetch(t.url, {
      method: 'POST',
      signal: abort.signal,
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': MODERN,
        'mcp-method': 'subscriptions/listen',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 'listen-1',
        method: 'subscriptions/listen',
        params: {
          notifications: { toolsListChanged: true, resourceSubscriptions: [uri] },
          _meta: envelope,
        },
      }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const inbox = new Inbox();
    const reading = (async () => {
      const decoder = new TextDecoder();
      let text = '';
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        text += decoder.decode(chunk, { stream: true });
        const events = sseEvents(text);
        text = text.slice(text.lastIndexOf('\n\n') + 2);
        for (const event of events) inbox.push(JSON.parse(event.data) as Message);
      }
    })().catch(() => {});

    const ack = await inbox.next((m) => m.method !== undefined, 'acknowledgement');
    expect(ack).toMatchObject({
      method: 'notifications/subscriptions/acknowledged',
      params: {
        notifications: { toolsListChanged: true, resourceSubscriptions: [uri] },
        _meta: { [SUBSCRIPTION_ID]: 'listen-1' },
      },
    });
    await t.proxy.backends.supervisor.stop('memory');
    await inbox.next((m) => m.method === 'notifications/tools/list_changed', 'tools/list_changed');
    await t.proxy.backends.supervisor.start('memory');
    await call(t.url, 'tools/call', {
      name: 'everything__toggle-subscriber-updates',
      arguments: {},
    });
    const updated = await inbox.next(
      (m) => m.method === 'notifications/resources/updated',
      'resources/updated',
    );
    expect(updated.params).toMatchObject({ uri, _meta: { [SUBSCRIPTION_ID]: 'listen-1' } });
    await call(t.url, 'tools/call', {
      name: 'everything__toggle-subscriber-updates',
      arguments: {},
    });

    abort.abort();
    await reading;
    const unsubscribed = new Inbox();
    const poll = setInterval(() => {
      if (logs.some((l) => l.includes(`Unsubscribe Resource request: ${uri}`)))
        unsubscribed.push({});
    }, 50);
    try {
      await unsubscribed.next(() => true, 'resources/unsubscribe at the backend');
    } finally {
      clearInterval(poll);
    }
    expectStream(inbox.messages, 'listen-1', [
      'notifications/subscriptions/acknowledged',
      'notifications/tools/list_changed',
      'notifications/resources/updated',
    ]);
  }, 60_000);

  it('refuses a listen request from a client that does not accept SSE: 406', async () => {
    const response = await fetch(t.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        'mcp-protocol-version': MODERN,
        'mcp-method': 'subscriptions/listen',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 2,
        method: 'subscriptions/listen',
        params: { notifications: {}, _meta: envelope },
      }),
    });
    expect(response.status).toBe(406);
  });
});

describe('subscriptions/listen over stdio', () => {
  let dir: ReturnType<typeof tempDir>;
  let child: ChildProcess;
  const inbox = new Inbox();
  const send = (message: Record<string, unknown>) =>
    child.stdin?.write(`${JSON.stringify(message)}\n`);
  beforeAll(() => {
    dir = tempDir();
    const file = join(dir.path, 'switchyard.json');
    writeFileSync(file, JSON.stringify({ servers: { everything: everythingServer() } }));
    child = spawn(process.execPath, [cliPath, '--stdio', '--config', file], {
      stdio: ['pipe', 'pipe', 'ignore'],
      env: process.env,
    });
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const lines = text.split('\n');
      text = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) inbox.push(JSON.parse(line) as Message);
    });
  });
  afterAll(async () => {
    child.stdin?.end();
    await new Promise((resolve) => child.once('exit', resolve));
    dir?.remove();
  });

  it('demultiplexes by subscription id, delivers only what was opted in, and ends on cancel', async () => {
    const uri = 'demo://resource/static/document/architecture.md';
    send({
      jsonrpc: '2.0',
      id: 'a',
      method: 'subscriptions/listen',
      params: { notifications: { resourceSubscriptions: [uri] }, _meta: envelope },
    });
    send({
      jsonrpc: '2.0',
      id: 'b',
      method: 'subscriptions/listen',
      params: { notifications: { toolsListChanged: true }, _meta: envelope },
    });
    const on = (id: string) => (m: Message) => subscriptionOf(m) === id;
    const ackA = await inbox.next(on('a'), 'acknowledgement of a');
    expect(ackA).toMatchObject({
      method: 'notifications/subscriptions/acknowledged',
      params: { notifications: { resourceSubscriptions: [uri] } },
    });
    const ackB = await inbox.next(on('b'), 'acknowledgement of b');
    expect(ackB.params?.notifications).toEqual({ toolsListChanged: true });
    send({
      jsonrpc: '2.0',
      id: 'toggle',
      method: 'tools/call',
      params: { name: 'everything__toggle-subscriber-updates', arguments: {}, _meta: envelope },
    });
    const updated = await inbox.next(
      (m) => on('a')(m) && m.method === 'notifications/resources/updated',
      'resources/updated on a',
    );
    expect(updated.params).toMatchObject({ uri });
    send({
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId: 'a', _meta: envelope },
    });
    send({
      jsonrpc: '2.0',
      id: 'toggle-off',
      method: 'tools/call',
      params: { name: 'everything__toggle-subscriber-updates', arguments: {}, _meta: envelope },
    });
    await inbox.next((m) => m.id === 'toggle-off', 'the second toggle');
    const stream = (id: string) => inbox.messages.filter(on(id));
    expectStream(stream('a'), 'a', [
      'notifications/subscriptions/acknowledged',
      'notifications/resources/updated',
    ]);
    // b opted in to tool list changes only: one may come when the backend finishes starting.
    expectStream(stream('b'), 'b', [
      'notifications/subscriptions/acknowledged',
      'notifications/tools/list_changed',
    ]);
    expect(inbox.messages.filter((m) => m.id === 'a' || m.id === 'b')).toEqual([]);
  }, 60_000);
});
