import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, sseEvents, type TestProxy, tempDir, withProxy } from './helpers.js';
import { createMessageValidator, formatIssue } from './schema-validator.js';

/**
 * The translation matrix: a client of each legacy revision talks, through one proxy, to
 * backends of each legacy revision (a fixture that serves everything its revision defines). Every
 * message a client receives must validate against the client's own revision, and what the older
 * side lacks must arrive converted, never silently lost.
 */
const REVISIONS = ['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25'] as const;
type Rev = (typeof REVISIONS)[number];
const atLeast = (a: Rev, b: Rev) => REVISIONS.indexOf(a) >= REVISIONS.indexOf(b);
const backendName = (rev: Rev) => `r${rev.replaceAll('-', '')}`;

type Json = Record<string, unknown>;
interface Received {
  method: string;
  message: Json;
}

/** A raw Streamable HTTP client: sends exactly what a client of `revision` would, keeps all it gets. */
class RawClient {
  session = '';
  readonly received: Received[] = [];
  private nextId = 1;

  constructor(
    private readonly url: URL,
    readonly revision: Rev,
  ) {}

  async post(body: unknown): Promise<{ status: number; messages: Json[] }> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    };
    if (this.session) headers['mcp-session-id'] = this.session;
    if (this.session && atLeast(this.revision, '2025-06-18'))
      headers['mcp-protocol-version'] = this.revision;
    const response = await fetch(this.url, { method: 'POST', headers, body: JSON.stringify(body) });
    this.session ||= response.headers.get('mcp-session-id') ?? '';
    const text = await response.text();
    if (!text) return { status: response.status, messages: [] };
    if (!response.headers.get('content-type')?.includes('text/event-stream')) {
      const value = JSON.parse(text) as Json | Json[];
      return { status: response.status, messages: Array.isArray(value) ? value : [value] };
    }
    const messages = sseEvents(text)
      .filter((event) => event.data.length > 0)
      .map((event) => JSON.parse(event.data) as Json);
    return { status: response.status, messages };
  }

  /** One request; returns its response and records every message that came with it. */
  async request(method: string, params: Json = {}): Promise<{ response: Json; all: Json[] }> {
    const id = this.nextId++;
    const { messages } = await this.post({ jsonrpc: '2.0', id, method, params });
    for (const message of messages) this.received.push({ method, message });
    const response = messages.find((m) => m.id === id);
    if (!response) throw new Error(`no response to ${method}`);
    return { response, all: messages };
  }

  async result(method: string, params: Json = {}): Promise<Json> {
    const { response } = await this.request(method, params);
    if (response.error) throw new Error(`${method}: ${JSON.stringify(response.error)}`);
    return response.result as Json;
  }

  async connect(): Promise<Json> {
    const result = await this.result('initialize', {
      protocolVersion: this.revision,
      capabilities: {},
      clientInfo: { name: `raw-${this.revision}`, version: '1.0.0' },
    });
    await this.post({ jsonrpc: '2.0', method: 'notifications/initialized' });
    return result;
  }
}

function contentTypes(result: Json): string[] {
  return (result.content as Json[]).map((block) => String(block.type));
}

describe('translation matrix: 4 client revisions x 4 backend revisions', () => {
  const dir = tempDir();
  let testProxy: TestProxy | undefined;
  let url: URL;
  const clients = new Map<Rev, RawClient>();

  beforeAll(async () => {
    const servers: Record<string, unknown> = {};
    for (const rev of REVISIONS) {
      const record = join(dir.path, `${rev}.jsonl`);
      writeFileSync(record, '');
      servers[backendName(rev)] = {
        command: process.execPath,
        args: [fixture('revision-server.mjs')],
        env: { FIXTURE_REVISION: rev, FIXTURE_RECORD: record },
      };
    }
    testProxy = await withProxy({ servers }, { client: false });
    ({ url } = testProxy);
    for (const rev of REVISIONS) {
      const client = new RawClient(url, rev);
      const init = await client.connect();
      expect(init.protocolVersion).toBe(rev);
      clients.set(rev, client);
    }
  }, 30_000);

  afterAll(async () => {
    await testProxy?.close();
    dir.remove();
  });

  it('negotiates each backend at its own revision, never lowered to a client', () => {
    for (const rev of REVISIONS) {
      const lines = readFileSync(join(dir.path, `${rev}.jsonl`), 'utf8')
        .trim()
        .split('\n');
      // Under the default `era: auto` the era probe comes first, answered as a legacy server does
      // (docs/protocol-versions.md, "Modern backends"); then the handshake.
      const sent = lines.map((line) => JSON.parse(line) as Json);
      expect(sent[0]?.method).toBe('server/discover');
      const init = sent[1] ?? {};
      expect(init.method).toBe('initialize');
      expect((init.params as Json).protocolVersion).toBe('2025-11-25');
    }
  });

  for (const clientRev of REVISIONS) {
    describe(`client ${clientRev}`, () => {
      const client = () => clients.get(clientRev) as RawClient;

      it('lists tools, prompts, resources and templates of every backend in its own shape', async () => {
        const tools = (await client().result('tools/list')).tools as Json[];
        for (const backendRev of REVISIONS) {
          const weather = tools.find((t) => t.name === `${backendName(backendRev)}__weather`);
          expect(weather, backendRev).toBeDefined();
          const structured = atLeast(clientRev, '2025-06-18') && atLeast(backendRev, '2025-06-18');
          expect('outputSchema' in (weather as Json)).toBe(structured);
          const all = tools.find((t) => t.name === `${backendName(backendRev)}__content`) as Json;
          expect('icons' in all).toBe(clientRev === '2025-11-25' && backendRev === '2025-11-25');
          if (clientRev === '2025-03-26' && atLeast(backendRev, '2025-06-18')) {
            // The 2025-06-18 title survives as the annotation title a 2025-03-26 client displays.
            expect(all.annotations).toMatchObject({ title: 'All content' });
          }
        }
        await client().result('prompts/list');
        await client().result('resources/list');
        await client().result('resources/templates/list');
      });

      for (const backendRev of REVISIONS) {
        const prefix = backendName(backendRev);

        it(`backend ${backendRev}: every content type arrives as the client's revision allows`, async () => {
          const result = await client().result('tools/call', {
            name: `${prefix}__content`,
            arguments: {},
          });
          const types = contentTypes(result);
          expect(types).toContain('text');
          expect(types).toContain('image');
          if (atLeast(clientRev, backendRev)) {
            // A newer (or equal) client gets exactly what the backend sent: nothing to convert.
            const expected = ['text', 'image', 'resource'];
            if (atLeast(backendRev, '2025-03-26')) expected.splice(2, 0, 'audio');
            if (atLeast(backendRev, '2025-06-18')) expected.push('resource_link');
            expect(types).toEqual(expected);
          } else {
            expect(types.length).toBe(atLeast(backendRev, '2025-06-18') ? 5 : 4);
            if (!atLeast(clientRev, '2025-03-26') && atLeast(backendRev, '2025-03-26')) {
              const audio = (result.content as Json[])[2] as Json;
              expect(audio.type).toBe('resource');
              expect((audio.resource as Json).blob).toBe('UklGRg==');
            }
            if (!atLeast(clientRev, '2025-06-18') && atLeast(backendRev, '2025-06-18')) {
              const link = (result.content as Json[])[4] as Json;
              expect(link).toMatchObject({ type: 'text' });
              expect(String(link.text)).toContain(`test://${backendRev}/static`);
            }
          }
        });

        it(`backend ${backendRev}: structured output keeps its text twin`, async () => {
          const result = await client().result('tools/call', {
            name: `${prefix}__weather`,
            arguments: { city: 'Oslo' },
          });
          const text = (result.content as Json[]).find((b) => b.type === 'text') as Json;
          expect(JSON.parse(String(text.text))).toEqual({ celsius: 21.5 });
          expect('structuredContent' in result).toBe(
            atLeast(clientRev, '2025-06-18') && atLeast(backendRev, '2025-06-18'),
          );
        });

        it(`backend ${backendRev}: progress, prompts, resources and completions`, async () => {
          const { all } = await client().request('tools/call', {
            name: `${prefix}__slow`,
            arguments: {},
            _meta: { progressToken: `p-${clientRev}-${backendRev}` },
          });
          const progress = all.find((m) => m.method === 'notifications/progress');
          expect(progress?.params).toMatchObject({ progressToken: `p-${clientRev}-${backendRev}` });
          expect('message' in ((progress?.params ?? {}) as Json)).toBe(
            atLeast(clientRev, '2025-03-26') && atLeast(backendRev, '2025-03-26'),
          );
          const prompt = await client().result('prompts/get', {
            name: `${prefix}__greet`,
            arguments: { who: 'Ada' },
          });
          expect(prompt.description).toBe('Hello Ada');
          // Each backend serves URIs of its own: only this one can answer these reads.
          const read = await client().result('resources/read', {
            uri: `test://${backendRev}/static`,
          });
          expect((read.contents as Json[])[0]).toMatchObject({
            text: `static text of ${backendRev}`,
          });
          const item = await client().result('resources/read', {
            uri: `test://${backendRev}/items/7`,
          });
          expect((item.contents as Json[])[0]).toMatchObject({ text: `item 7 of ${backendRev}` });
          const completion = await client().result('completion/complete', {
            ref: { type: 'ref/prompt', name: `${prefix}__greet` },
            argument: { name: 'who', value: 'w' },
            ...(atLeast(clientRev, '2025-06-18') ? { context: { arguments: {} } } : {}),
          });
          expect((completion.completion as Json).values).toEqual(['world', 'wonder']);
        });
      }

      it('received nothing its revision does not define', () => {
        expect(client().received.length).toBeGreaterThan(20);
        const validator = createMessageValidator(clientRev);
        const issues = client().received.flatMap(({ method, message }) => [
          ...validator.validate(message, method),
          ...validator.undeclared(message, method),
        ]);
        expect(issues.map(formatIssue)).toEqual([]);
      });
    });
  }

  it('never sends a backend what its revision lacks (completion context)', () => {
    const sent = (rev: Rev) =>
      readFileSync(join(dir.path, `${rev}.jsonl`), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Json)
        .filter((m) => m.method === 'completion/complete');
    expect(sent('2025-03-26').every((m) => !('context' in (m.params as Json)))).toBe(true);
    expect(sent('2025-11-25').some((m) => 'context' in (m.params as Json))).toBe(true);
  });

  it('counts every drop in /metrics by revision pair and feature', async () => {
    const metrics = await (await fetch(new URL('/metrics', url))).text();
    expect(metrics).toMatch(
      /switchyard_translation_drops_total\{from="2025-11-25",to="2024-11-05",feature="tool.icons"\} [1-9]/,
    );
  });
});

describe('batches', () => {
  let testProxy: TestProxy | undefined;
  let url: URL;

  beforeAll(async () => {
    testProxy = await withProxy(
      {
        servers: {
          r: { command: process.execPath, args: [fixture('revision-server.mjs')] },
        },
      },
      { client: false },
    );
    ({ url } = testProxy);
  }, 30_000);

  afterAll(async () => {
    await testProxy?.close();
  });

  it('splits a 2025-03-26 batch of requests and notifications, and answers in order', async () => {
    const client = new RawClient(url, '2025-03-26');
    await client.connect();
    const { status, messages } = await client.post([
      { jsonrpc: '2.0', id: 'a', method: 'tools/call', params: { name: 'r__weather' } },
      { jsonrpc: '2.0', method: 'notifications/roots/list_changed' },
      { jsonrpc: '2.0', id: 'b', method: 'ping' },
      { jsonrpc: '2.0', id: 'c', method: 'tools/list' },
    ]);
    expect(status).toBe(200);
    expect(messages.map((m) => m.id)).toEqual(['a', 'b', 'c']);
    expect(messages[0]?.result).not.toHaveProperty('structuredContent');
    const notificationsOnly = await client.post([
      { jsonrpc: '2.0', method: 'notifications/roots/list_changed' },
    ]);
    expect(notificationsOnly.status).toBe(202);
  });

  it('rejects batches from clients of any other revision', async () => {
    for (const rev of ['2024-11-05', '2025-06-18', '2025-11-25'] as const) {
      const client = new RawClient(url, rev);
      await client.connect();
      const { status, messages } = await client.post([{ jsonrpc: '2.0', id: 1, method: 'ping' }]);
      expect(status, rev).toBe(400);
      expect(messages[0]?.error).toMatchObject({ code: -32600 });
    }
  });
});
