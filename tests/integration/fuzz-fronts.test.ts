import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERRORS, httpStatusOf } from '@switchyard/protocol';
import { initializeMessage, until } from '@switchyard/protocol/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, type MockInstance, vi } from 'vitest';
import { WebSocket } from 'ws';
import { stringify } from 'yaml';
import {
  answerOf,
  cutPost,
  HttpSession,
  type Inbox,
  probeCall,
  rawPost,
  SseSession,
  StdioSession,
  WsSession,
} from './fuzz-clients.js';
import {
  type Answer,
  anyBatch,
  badFrame,
  badVersion,
  deepParams,
  expectOnlyProbeTraffic,
  expectRefusal,
  type Frame,
  FUZZ_RUNS,
  fuzz,
  fuzzCall,
  invalidBatch,
  LIMIT,
} from './fuzz-inputs.js';
import { fixture, type TestProxy, tempDir, withProxy } from './helpers.js';

// The fuzz suite of docs/transports.md, "Robustness": every client front gets generated malformed
// input, answers each with its error, stays up, and passes none of it to the recording backend.

const TOO_LARGE = ERRORS.message_too_large;
const NOT_FOUND = ERRORS.session_not_found;
const TIMEOUT = { timeout: 120_000 };

const dir = tempDir();
const records = {
  http: join(dir.path, 'behind-http.jsonl'),
  stdio: join(dir.path, 'behind-stdio.jsonl'),
  stdioBatch: join(dir.path, 'behind-stdio-batch.jsonl'),
};
type ProxyName = keyof typeof records;
const probes: Record<ProxyName, string[]> = { http: [], stdio: [], stdioBatch: [] };

function config(record: string) {
  return {
    proxy: { maxMessageBytes: LIMIT },
    servers: {
      recorder: {
        command: process.execPath,
        args: [fixture('raw-server.mjs')],
        env: { FIXTURE_RECORD: record },
      },
    },
  };
}

function configFile(name: ProxyName): string {
  const file = join(dir.path, `${name}.yaml`);
  writeFileSync(records[name], '');
  writeFileSync(file, stringify(config(records[name])));
  return file;
}

let proxy: TestProxy;
let http: HttpSession;
let httpBatch: HttpSession;
let sse: SseSession;
let ws: WsSession;
let stdio: StdioSession;
let stdioBatch: StdioSession;
let nextId = 1_000;
/** What the HTTP server stack prints as an error (an error thrown by a front ends up there). */
let printedErrors: MockInstance<typeof console.error>;

/**
 * The proxy stays up: a call on the fuzzed session still reaches the backend and comes back.
 * `exchange` sends the call and returns its answer.
 */
async function expectProbeServed(proxyName: ProxyName, exchange: Exchange): Promise<void> {
  const id = nextId++;
  const tag = `probe-${proxyName}-${id}`;
  probes[proxyName].push(tag);
  const answer = await exchange(probeCall(id, tag));
  expect(answer).toMatchObject({ jsonrpc: '2.0', id });
  expect(JSON.stringify(answer.result)).toContain(tag);
}

/** Sends one message (an object, or bytes as they are) and waits for its answer. */
type Exchange = (message: object | Buffer) => Promise<Answer>;
const wire = (message: object | Buffer) =>
  Buffer.isBuffer(message) ? message : JSON.stringify(message);

const viaHttp =
  (session: HttpSession): Exchange =>
  async (message) =>
    (await answerOf(await session.post(wire(message)))).body as Answer;

const viaInbox =
  (send: (data: string | Buffer) => unknown, inbox: Inbox): Exchange =>
  async (message) => {
    await send(wire(message));
    return inbox.response();
  };

/**
 * A batch of `values` with, when `at` is a number, a probe call among them: the batch is then
 * mixed, and its valid request must reach the backend while the invalid items do not.
 */
function mixedBatch(name: ProxyName, values: unknown[], at: number | null) {
  if (at === null) return { bytes: Buffer.from(JSON.stringify(values)), probe: undefined };
  const id = nextId++;
  const tag = `probe-${name}-${id}`;
  probes[name].push(tag);
  const items = [...values];
  items.splice(at % (items.length + 1), 0, probeCall(id, tag));
  return { bytes: Buffer.from(JSON.stringify(items)), probe: { id, tag } };
}

/** The answer to a batch: the invalid items' errors, in order, then the probe's result if any. */
function expectBatchAnswer(
  answers: Answer[],
  errors: Array<{ code: number; id: unknown }>,
  probe: { id: number; tag: string } | undefined,
): void {
  const refusals = answers.slice(0, errors.length);
  expect(refusals.map((a) => ({ code: a.error?.code, id: a.id }))).toEqual(errors);
  expect(answers).toHaveLength(errors.length + (probe ? 1 : 0));
  if (!probe) return;
  expect(answers[errors.length]).toMatchObject({ id: probe.id });
  expect(JSON.stringify(answers[errors.length]?.result)).toContain(probe.tag);
}

beforeAll(async () => {
  printedErrors = vi.spyOn(console, 'error');
  writeFileSync(records.http, '');
  proxy = await withProxy(config(records.http), { client: false });
  const origin = new URL(proxy.url.origin);
  [http, httpBatch, sse, ws, stdio, stdioBatch] = await Promise.all([
    HttpSession.open(proxy.url, '2025-06-18'),
    HttpSession.open(proxy.url, '2025-03-26'),
    SseSession.open(origin),
    WsSession.connect(new URL('/ws', origin.href.replace('http', 'ws'))),
    StdioSession.start(configFile('stdio'), '2025-06-18'),
    StdioSession.start(configFile('stdioBatch'), '2025-03-26'),
  ]);
});

afterAll(async () => {
  printedErrors?.mockRestore();
  sse?.close();
  ws?.socket.close();
  await Promise.all([stdio?.stop(), stdioBatch?.stop()]);
  await proxy?.close();
  dir.remove();
});

describe('Streamable HTTP front (/mcp) under fuzzed input', () => {
  it('answers every malformed body with 400 and its JSON-RPC error', TIMEOUT, async () => {
    await fuzz(badFrame, async (frame) => {
      const { status, body } = await answerOf(await http.post(frame.bytes));
      expect(status).toBe(400);
      expectRefusal(body, frame);
    });
    await expectProbeServed('http', viaHttp(http));
  });

  it(
    'refuses any batch, [] included, from a 2025-06-18 session with 400 and -32600',
    TIMEOUT,
    async () => {
      await fuzz(anyBatch, async (frame) => {
        const { status, body } = await answerOf(await http.post(frame.bytes));
        expect(status).toBe(400);
        expectRefusal(body, frame);
      });
      await expectProbeServed('http', viaHttp(http));
    },
  );

  it(
    'answers each invalid item of a 2025-03-26 batch with its own error, and serves the valid request beside them',
    TIMEOUT,
    async () => {
      await fuzz(fc.tuple(invalidBatch, fc.option(fc.nat())), async ([{ values, errors }, at]) => {
        const { bytes, probe } = mixedBatch('http', values, at);
        const { status, body } = await answerOf(await httpBatch.post(bytes));
        // A batch with a request in it is answered 200; one of notifications and bad items, 400.
        expect(status).toBe(probe ? 200 : 400);
        expectBatchAnswer(body as Answer[], errors, probe);
      });
      const empty = await answerOf(await httpBatch.post('[]'));
      expect(empty.status).toBe(400);
      expectRefusal(empty.body, { kind: 'empty batch', code: -32600, id: null });
      await expectProbeServed('http', viaHttp(httpBatch));
    },
  );

  it(
    'answers 400 without a session id, 404 for an unknown or deleted one, 400 for initialize with one',
    TIMEOUT,
    async () => {
      const deleted = await HttpSession.open(proxy.url, '2025-06-18');
      const bye = await fetch(proxy.url, { method: 'DELETE', headers: deleted.headers() });
      expect(bye.status).toBe(200);
      const token = fc.string({
        unit: fc.constantFrom(...'abcdef0123456789-_.~'),
        minLength: 1,
        maxLength: 64,
      });
      const misuse = fc.oneof(
        fc.constant({ session: undefined as string | undefined, status: 400, code: -32600 }),
        token.map((session) => ({ session, status: NOT_FOUND.http, code: NOT_FOUND.jsonRpc })),
        fc.constant({ session: deleted.id, status: NOT_FOUND.http, code: NOT_FOUND.jsonRpc }),
      );
      await fuzz(
        fc.tuple(misuse, fc.constantFrom('POST', 'GET', 'DELETE'), fuzzCall),
        async ([use, method, call]) => {
          const headers = http.headers();
          if (use.session === undefined) delete headers['mcp-session-id'];
          else headers['mcp-session-id'] = use.session;
          const body = method === 'POST' ? JSON.stringify(call) : null;
          const { status, body: answer } = await answerOf(
            await fetch(http.url, { method, headers, body }),
          );
          expect(status).toBe(use.status);
          // A POST with neither a session nor `initialize` is a 2026-07-28 request, refused for
          // its missing `_meta` envelope (docs/protocol-versions.md, "The modern era").
          const modern = method === 'POST' && use.session === undefined;
          expectRefusal(answer, {
            kind: `${method} ${use.session}`,
            code: (modern ? -32602 : use.code) as Frame['code'],
            id: modern ? call.id : null,
          });
        },
      );
      const initialize = initializeMessage('2025-06-18', 'f');
      const again = await answerOf(await http.post(JSON.stringify(initialize)));
      expect(again.status).toBe(400);
      expectRefusal(again.body, { kind: 'initialize in a session', code: -32600, id: null });
      await expectProbeServed('http', viaHttp(http));
    },
  );

  it(
    'answers an unsupported MCP-Protocol-Version with 400 on POST, GET and DELETE',
    TIMEOUT,
    async () => {
      await fuzz(
        fc.tuple(badVersion, fc.constantFrom('POST', 'GET', 'DELETE'), fuzzCall),
        async ([version, method, call]) => {
          const headers = http.headers({ 'mcp-protocol-version': version });
          const body = method === 'POST' ? JSON.stringify(call) : null;
          const { status, body: answer } = await answerOf(
            await fetch(http.url, { method, headers, body }),
          );
          expect(status, `${method} ${version}`).toBe(400);
          expectRefusal(answer, { kind: version, code: -32600, id: null });
        },
      );
      await expectProbeServed('http', viaHttp(http));
    },
  );

  it(
    'answers 413 to a body over maxMessageBytes, declared or chunked, before reading it',
    TIMEOUT,
    async () => {
      await fuzz(
        fc.tuple(fc.integer({ min: 1, max: 64 * 1024 }), fc.boolean()),
        async ([extra, chunked]) => {
          const size = LIMIT + extra;
          const answer = chunked
            ? await rawPost(http.url, http.headers(), Buffer.alloc(size, '['))
            : await rawPost(http.url, http.headers(), Buffer.from('['), size);
          expect(answer.status).toBe(TOO_LARGE.http);
          expectRefusal(answer.body, { kind: `${size} bytes`, code: TOO_LARGE.jsonRpc, id: null });
        },
      );
      const huge = await rawPost(http.url, http.headers(), Buffer.from('{'), 50 * 1024 * 1024);
      expect(huge.status).toBe(TOO_LARGE.http);
      await expectProbeServed('http', viaHttp(http));
    },
  );
});

describe('HTTP+SSE front (/sse, /messages) under fuzzed input', () => {
  const viaSse = () => viaInbox((text) => sse.post(text), sse.inbox);

  it(
    'answers every malformed message, and every batch, with 400 and its JSON-RPC error',
    TIMEOUT,
    async () => {
      await fuzz(fc.oneof(badFrame, anyBatch), async (frame) => {
        const { status, body } = await answerOf(await sse.post(frame.bytes));
        expect(status).toBe(400);
        expectRefusal(body, frame);
      });
      await expectProbeServed('http', viaSse());
    },
  );

  it(
    'answers 400 without a sessionId and 404 for an unknown or closed session',
    TIMEOUT,
    async () => {
      const gone = await SseSession.open(new URL(proxy.url.origin));
      gone.close();
      await until(
        async () => (await gone.post('{}')).status === 404,
        'the closed session is forgotten',
      );
      const id = fc.string({
        unit: fc.constantFrom(...'abcdef0123456789-'),
        minLength: 1,
        maxLength: 64,
      });
      const misuse = fc.oneof(
        fc.constant({ query: '', status: 400, code: -32600 }),
        id.map((value) => ({
          query: `?sessionId=${value}`,
          status: NOT_FOUND.http,
          code: NOT_FOUND.jsonRpc,
        })),
        fc.constant({
          query: gone.endpoint.search,
          status: NOT_FOUND.http,
          code: NOT_FOUND.jsonRpc,
        }),
      );
      await fuzz(fc.tuple(misuse, fuzzCall), async ([use, call]) => {
        const endpoint = new URL(`${sse.endpoint.pathname}${use.query}`, sse.endpoint);
        const { status, body } = await answerOf(await sse.post(JSON.stringify(call), endpoint));
        expect(status).toBe(use.status);
        expectRefusal(body, { kind: use.query, code: use.code as Frame['code'], id: null });
      });
      await expectProbeServed('http', viaSse());
    },
  );

  it('answers 413 to a message over maxMessageBytes, declared or chunked', TIMEOUT, async () => {
    const headers = { 'content-type': 'application/json' };
    await fuzz(
      fc.tuple(fc.integer({ min: 1, max: 64 * 1024 }), fc.boolean()),
      async ([extra, chunked]) => {
        const size = LIMIT + extra;
        const answer = chunked
          ? await rawPost(sse.endpoint, headers, Buffer.alloc(size, '{'))
          : await rawPost(sse.endpoint, headers, Buffer.from('{'), size);
        expect(answer.status).toBe(TOO_LARGE.http);
        expectRefusal(answer.body, { kind: `${size} bytes`, code: TOO_LARGE.jsonRpc, id: null });
      },
    );
    await expectProbeServed('http', viaSse());
  });
});

describe('WebSocket front (/ws) under fuzzed input', () => {
  const viaWs = () => viaInbox((text) => ws.send(text), ws.inbox);
  const wsUrl = () => new URL('/ws', proxy.url.origin.replace('http', 'ws'));

  it(
    'answers every malformed text frame, and every batch, with its JSON-RPC error frame',
    TIMEOUT,
    async () => {
      await fuzz(fc.oneof(badFrame, anyBatch), async (frame) => {
        ws.send(frame.bytes.toString('utf8'));
        expectRefusal(await ws.inbox.response(), frame);
      });
      await expectProbeServed('http', viaWs());
    },
  );

  it(
    'closes with 1009 over the size limit, 1003 for binary, 1007 for text that is not UTF-8',
    TIMEOUT,
    async () => {
      const bytes = fc.uint8Array({ minLength: 1, maxLength: 256 }).map((a) => Buffer.from(a));
      const ending = fc.oneof(
        fc
          .integer({ min: 1, max: 64 * 1024 })
          .map((extra) => ({ data: Buffer.alloc(LIMIT + extra, '{'), binary: false, code: 1009 })),
        bytes.map((data) => ({ data, binary: true, code: 1003 })),
        fc.tuple(bytes, fc.nat()).map(([data, at]) => {
          const i = at % (data.length + 1);
          return {
            data: Buffer.concat([data.subarray(0, i), Buffer.from([0xff]), data.subarray(i)]),
            binary: false,
            code: 1007,
          };
        }),
      );
      await fuzz(
        ending,
        async ({ data, binary, code }) => {
          const client = await WsSession.connect(wsUrl(), false);
          client.send(data, binary);
          expect(await client.closed).toBe(code);
        },
        Math.ceil(FUZZ_RUNS / 4),
      );
      await expectProbeServed('http', viaWs());
    },
  );

  it('refuses an upgrade that does not offer the mcp subprotocol with 400', TIMEOUT, async () => {
    const token = fc.string({
      unit: fc.constantFrom(...'abcmpv0123456789-'),
      minLength: 1,
      maxLength: 12,
    });
    await fuzz(
      fc
        .array(token, { maxLength: 3 })
        .filter((list) => !list.includes('mcp') && new Set(list).size === list.length),
      async (protocols) => {
        const socket = new WebSocket(wsUrl(), protocols);
        const status = await new Promise<number>((resolve) => {
          socket.once('unexpected-response', (_request, response) =>
            resolve(response.statusCode ?? 0),
          );
          socket.once('open', () => resolve(101));
          socket.once('error', () => resolve(-1));
        });
        socket.terminate();
        expect(status).toBe(httpStatusOf('invalid_request'));
      },
      Math.ceil(FUZZ_RUNS / 4),
    );
    await expectProbeServed('http', viaWs());
  });
});

describe('stdio front (switchyard --stdio) under fuzzed input', () => {
  const viaStdio = (session: StdioSession) =>
    viaInbox((text) => session.write(text), session.inbox);

  it(
    'answers every malformed line, and every batch from a 2025-06-18 client, with its error line',
    TIMEOUT,
    async () => {
      await fuzz(fc.oneof(badFrame, anyBatch), async (frame) => {
        stdio.write(frame.bytes);
        expectRefusal(await stdio.inbox.response(), frame);
      });
      await expectProbeServed('stdio', viaStdio(stdio));
    },
  );

  it(
    "answers a 2025-03-26 batch in one line: an error per invalid item, then the valid request's result",
    TIMEOUT,
    async () => {
      await fuzz(fc.tuple(invalidBatch, fc.option(fc.nat())), async ([{ values, errors }, at]) => {
        const { bytes, probe } = mixedBatch('stdioBatch', values, at);
        stdioBatch.write(bytes);
        expectBatchAnswer(
          (await stdioBatch.inbox.response()) as unknown as Answer[],
          errors,
          probe,
        );
      });
      stdioBatch.write('[]');
      expectRefusal(await stdioBatch.inbox.response(), {
        kind: 'empty batch',
        code: -32600,
        id: null,
      });
      await expectProbeServed('stdioBatch', viaStdio(stdioBatch));
    },
  );

  it('answers a line over maxMessageBytes with -32600 and reads on', TIMEOUT, async () => {
    await fuzz(fc.integer({ min: 1, max: 64 * 1024 }), async (extra) => {
      stdio.write(Buffer.alloc(LIMIT + extra, '{'));
      expectRefusal(await stdio.inbox.response(), {
        kind: 'oversized',
        code: TOO_LARGE.jsonRpc,
        id: null,
      });
    });
    await expectProbeServed('stdio', viaStdio(stdio));
  });
});

describe('HTTP fronts, given bodies cut off mid-way', () => {
  it('let the client go without an error escaping, and stay up', TIMEOUT, async () => {
    const targets = [
      { url: () => http.url, headers: () => http.headers() },
      { url: () => sse.endpoint, headers: () => ({ 'content-type': 'application/json' }) },
    ];
    await fuzz(
      fc.tuple(fc.constantFrom(...targets), fuzzCall, fc.nat(), fc.boolean()),
      async ([target, call, cut, chunked]) => {
        const text = JSON.stringify(call);
        const body = Buffer.from(text.slice(0, cut % text.length));
        await cutPost(target.url(), target.headers(), body, chunked);
      },
      Math.ceil(FUZZ_RUNS / 4),
    );
    await expectProbeServed('http', viaHttp(http));
    await expectProbeServed(
      'http',
      viaInbox((text) => sse.post(text), sse.inbox),
    );
  });
});

describe('every front, given valid requests with params nested 10,000 levels deep', () => {
  it('answers each itself, with its own id, and stays up', TIMEOUT, async () => {
    const exchanges: Array<[ProxyName, Exchange]> = [
      ['http', viaHttp(http)],
      ['http', viaInbox((text) => sse.post(text), sse.inbox)],
      ['http', viaInbox((text) => ws.send(text), ws.inbox)],
      ['stdio', viaInbox((text) => stdio.write(text), stdio.inbox)],
    ];
    await fuzz(
      deepParams,
      async (request) => {
        for (const [, exchange] of exchanges) {
          const id = nextId++;
          const bytes = request(id);
          const answer = await exchange(bytes);
          // Its own list, or an error where the request would have to cross to the backend.
          expect(answer, bytes.subarray(0, 60).toString()).toMatchObject({ jsonrpc: '2.0', id });
          expect('result' in answer || 'error' in answer).toBe(true);
        }
      },
      Math.ceil(FUZZ_RUNS / 4),
    );
    for (const [name, exchange] of exchanges) {
      await expectProbeServed(name, exchange);
    }
  });
});

it('no backend received a byte of the rejected input, only the probes, and nothing printed an error', async () => {
  expect(printedErrors).not.toHaveBeenCalled();
  await expect(fetch(new URL('/health', proxy.url))).resolves.toMatchObject({ status: 200 });
  for (const name of Object.keys(records) as ProxyName[])
    expectOnlyProbeTraffic(records[name], probes[name]);
});
