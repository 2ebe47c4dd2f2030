import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { expect } from 'vitest';

/**
 * Runs per property: `SWITCHYARD_FUZZ_RUNS` (default 100) and `SWITCHYARD_FUZZ_SEED` (default a
 * fixed seed, so a run is repeatable; fast-check prints the seed and the shrunk input on failure).
 */
export const FUZZ_RUNS = Number(process.env.SWITCHYARD_FUZZ_RUNS ?? 100);
export const FUZZ_SEED = Number(process.env.SWITCHYARD_FUZZ_SEED ?? 20251125);

/** Checks `predicate` for `runs` generated inputs, shrinking and printing the seed on failure. */
export function fuzz<T>(
  input: fc.Arbitrary<T>,
  predicate: (value: T) => Promise<void>,
  runs = FUZZ_RUNS,
): Promise<void> {
  return fc.assert(
    fc.asyncProperty(input, async (value) => {
      await predicate(value);
    }),
    { numRuns: Math.max(1, runs), seed: FUZZ_SEED },
  );
}

/** The largest message the proxies under test take (`proxy.maxMessageBytes`). */
export const LIMIT = 128 * 1024;

/** The tool of the recording backend as the proxy exposes it. */
export const ECHO = 'recorder__echo';

/** JSON-RPC error codes a front answers malformed input with (JSON-RPC 2.0, Error object). */
export type FrameCode = -32700 | -32600 | -32602;

/**
 * One frame of input that no backend may see: its bytes (never a newline, so that it is one
 * stdio line too), the error code it must be answered with, and the id that answer carries.
 */
export interface Frame {
  kind: string;
  bytes: Buffer;
  code: FrameCode;
  id: string | number | null;
}

const isJson = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

const isId = (value: unknown): value is string | number =>
  typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));

/** A frame of JSON text whose answer is `code`; the id is the one a strict parser can read. */
function jsonFrame(kind: string, value: unknown, code: FrameCode): Frame {
  const id =
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as { id?: unknown }).id
      : undefined;
  return { kind, bytes: Buffer.from(JSON.stringify(value)), code, id: isId(id) ? id : null };
}

function textFrame(kind: string, bytes: Buffer): Frame {
  return { kind, bytes, code: -32700, id: null };
}

/** Keeps bytes that decode to a non-blank line that is not JSON (the proxy decodes as UTF-8). */
const unparseable = (bytes: Buffer) => {
  const text = bytes.toString('utf8');
  return !bytes.includes(10) && text.trim().length > 0 && !isJson(text);
};

const JSONISH = [...'{}[]":,0123456789.-+eE \\tfrunlsa\u0000'];

/** Random bytes, and random text made of JSON's own characters. */
const garbage = fc
  .oneof(
    fc
      .uint8Array({ minLength: 1, maxLength: 512 })
      .map((a) => Buffer.from(a.map((b) => (b === 10 ? 32 : b)))),
    fc
      .string({ unit: fc.constantFrom(...JSONISH), minLength: 1, maxLength: 200 })
      .map((s) => Buffer.from(s)),
  )
  .filter(unparseable)
  .map((bytes) => textFrame('random bytes', bytes));

const fuzzId = fc.oneof(fc.integer(), fc.string({ maxLength: 20 }));

/**
 * A valid `tools/call` whose arguments carry the word `fuzz`: if one of its broken variants ever
 * reached the backend, the recording would show it.
 */
export const fuzzCall = fc.tuple(fuzzId, fc.jsonValue({ maxDepth: 3 })).map(([id, extra]) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name: ECHO, arguments: { fuzz: true, extra } },
}));

const truncated = fc
  .tuple(fuzzCall, fc.nat())
  .map(([call, cut]) => {
    const text = JSON.stringify(call);
    return Buffer.from(text.slice(0, 1 + (cut % (text.length - 1))));
  })
  .filter(unparseable)
  .map((bytes) => textFrame('truncated JSON', bytes));

const withNul = fc
  .tuple(fuzzCall, fc.array(fc.nat(), { minLength: 1, maxLength: 3 }))
  .map(([call, at]) => {
    let text = JSON.stringify(call);
    for (const position of at) {
      const i = position % (text.length + 1);
      text = `${text.slice(0, i)}\u0000${text.slice(i)}`;
    }
    return Buffer.from(text);
  })
  .filter(unparseable)
  .map((bytes) => textFrame('NUL bytes', bytes));

const depth = fc.oneof(fc.constant(10_000), fc.integer({ min: 2, max: 10_000 }));

/** Deeply nested JSON: complete (-32600, it is no request) or cut off (-32700). */
const deep = fc.tuple(depth, fc.nat(3)).map(([n, shape]): Frame => {
  const arrays = '['.repeat(n) + ']'.repeat(n);
  switch (shape) {
    case 0:
      return { kind: 'deep arrays', bytes: Buffer.from(arrays), code: -32600, id: null };
    case 1:
      return {
        kind: 'deep objects',
        bytes: Buffer.from(`${'{"a":'.repeat(n)}0${'}'.repeat(n)}`),
        code: -32600,
        id: null,
      };
    case 2:
      return {
        kind: 'deep id',
        bytes: Buffer.from(`{"jsonrpc":"2.0","method":"tools/call","id":${arrays}}`),
        code: -32600,
        id: null,
      };
    default:
      return textFrame('deep and unclosed', Buffer.from('['.repeat(n)));
  }
});

const notObject = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.string(),
  fc.array(fc.integer(), { maxLength: 2 }),
);
const notString = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant({}),
  fc.array(fc.integer(), { maxLength: 2 }),
);
/** Neither a string nor a number nor null: an id of no valid type. */
const notId = fc.oneof(fc.boolean(), fc.constant({}), fc.array(fc.integer(), { maxLength: 2 }));
const RESERVED = new Set(['jsonrpc', 'id', 'method', 'params', 'result', 'error']);
const extraFields = fc.dictionary(
  fc.string({ maxLength: 8 }).filter((key) => !RESERVED.has(key)),
  fc.jsonValue({ maxDepth: 2 }),
  { maxKeys: 3 },
);

/** Valid JSON that is no valid JSON-RPC message, each with one defect (JSON-RPC 2.0, Request object). */
const invalidRpc: fc.Arbitrary<Frame> = fc.oneof(
  fc.tuple(fuzzCall, extraFields).map(([call, extra]) => {
    const { jsonrpc: _, ...rest } = call;
    return jsonFrame('missing jsonrpc', { ...extra, ...rest }, -32600);
  }),
  fc
    .tuple(
      fuzzCall,
      fc.oneof(
        notString,
        fc.string().filter((s) => s !== '2.0'),
      ),
    )
    .map(([call, jsonrpc]) => jsonFrame('wrong jsonrpc', { ...call, jsonrpc }, -32600)),
  fuzzCall.map((call) => jsonFrame('request with id null', { ...call, id: null }, -32600)),
  fc
    .tuple(fuzzCall, notId)
    .map(([call, id]) => jsonFrame('id of a wrong type', { ...call, id }, -32600)),
  fc
    .tuple(fuzzCall, fc.oneof(notString, fc.constant('')))
    .map(([call, method]) => jsonFrame('method not a string', { ...call, method }, -32600)),
  fc
    .tuple(fuzzCall, notObject)
    .map(([call, params]) => jsonFrame('params not an object', { ...call, params }, -32602)),
  fc
    .tuple(fuzzId, notObject)
    .map(([id, result]) =>
      jsonFrame('result not an object', { jsonrpc: '2.0', id, result }, -32600),
    ),
  fuzzId.map((id) =>
    jsonFrame(
      'result and error',
      { jsonrpc: '2.0', id, result: {}, error: { code: 1, message: 'x' } },
      -32600,
    ),
  ),
  fc
    .jsonValue({ maxDepth: 1 })
    .filter((value) => typeof value !== 'object' || value === null)
    .map((value) => jsonFrame('not an object', value, -32600)),
);

/** Every single frame a front must refuse, whatever the session's revision. */
export const badFrame: fc.Arbitrary<Frame> = fc.oneof(
  garbage,
  truncated,
  withNul,
  deep,
  invalidRpc,
);

/** A valid notification the proxy handles itself (a cancellation of no request). */
const stray = fc.string({ maxLength: 10 }).map((tag) => ({
  jsonrpc: '2.0',
  method: 'notifications/cancelled',
  params: { requestId: `none-${tag}`, reason: 'stray' },
}));

const batchItem = fc.oneof(
  fuzzCall,
  stray,
  invalidRpc.map((frame) => JSON.parse(frame.bytes.toString()) as unknown),
);

/**
 * Batches, empty or up to 150 items of every kind: refused whole (-32600) by a session whose
 * revision has no batches (MCP 2025-06-18, Changelog: JSON-RPC batching removed).
 */
export const anyBatch: fc.Arbitrary<Frame> = fc
  .array(batchItem, { maxLength: 150 })
  .map((items) => ({
    kind: 'batch',
    bytes: Buffer.from(JSON.stringify(items)),
    code: -32600,
    id: null,
  }));

/**
 * The items of a batch for a 2025-03-26 session (MCP 2025-03-26, Basic, Batching): invalid items
 * and stray notifications, none of which may reach a backend, and the errors it must be answered
 * with, one per invalid item, in order (JSON-RPC 2.0, Batch).
 */
export const invalidBatch = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: invalidRpc.map((f) => ({ frame: f })) },
      stray.map((n) => ({ note: n })),
    ),
    {
      minLength: 1,
      maxLength: 120,
    },
  )
  .filter((items) => items.some((item) => 'frame' in item))
  .map((items) => {
    const values = items.map((item) =>
      'frame' in item ? (JSON.parse(item.frame.bytes.toString()) as unknown) : item.note,
    );
    const errors = items.flatMap((item) =>
      'frame' in item ? [{ code: item.frame.code, id: item.frame.id }] : [],
    );
    return { values, errors };
  });

/** `MCP-Protocol-Version` values no revision answers to: garbage, and near misses. */
export const badVersion = fc
  .oneof(
    fc.string({
      unit: fc.constantFrom(...'abcxyz0123456789-._/ ;=v'),
      minLength: 1,
      maxLength: 30,
    }),
    fc
      .tuple(
        fc.integer({ min: 1990, max: 2100 }),
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 0, max: 99 }),
      )
      .map(([y, m, d]) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`),
  )
  .filter(
    (value) =>
      value.trim().length > 0 &&
      ![
        '2024-10-07',
        '2024-11-05',
        '2025-03-26',
        '2025-06-18',
        '2025-11-25',
        '2026-07-28',
      ].includes(value.trim()),
  );

/** What a JSON-RPC answer looks like to these tests. */
export interface Answer {
  jsonrpc?: unknown;
  id?: unknown;
  result?: unknown;
  error?: { code?: unknown; message?: unknown };
}

/** Expects `answer` to be the error response `frame` must get. */
export function expectRefusal(answer: unknown, frame: Pick<Frame, 'code' | 'id' | 'kind'>): void {
  expect(answer, frame.kind).toMatchObject({
    jsonrpc: '2.0',
    id: frame.id,
    error: { code: frame.code },
  });
}

/**
 * Expects the recording backend to have received nothing but the proxy's own traffic (era probe,
 * handshake, lists, health pings) and the probe calls: every line valid JSON-RPC, no `fuzz` anywhere, and
 * exactly the probes as `tools/call`s.
 */
export function expectOnlyProbeTraffic(record: string, probes: readonly string[]): void {
  const own = new Set([
    // The era probe of the default `era: auto` (docs/protocol-versions.md, "Modern backends").
    'server/discover',
    'initialize',
    'notifications/initialized',
    'ping',
    'tools/list',
    'prompts/list',
    'resources/list',
    'resources/templates/list',
  ]);
  const calls: string[] = [];
  for (const line of readFileSync(record, 'utf8').split('\n')) {
    if (line === '') continue;
    expect(line).not.toContain('fuzz');
    const message = JSON.parse(line) as {
      method?: string;
      params?: { arguments?: { probe?: string } };
    };
    if (message.method === 'tools/call') calls.push(String(message.params?.arguments?.probe));
    else expect(own, line.slice(0, 200)).toContain(message.method);
  }
  expect(calls.sort()).toEqual([...probes].sort());
}

/**
 * Valid requests whose params nest 10,000 levels deep somewhere: well-formed JSON-RPC that the
 * proxy cannot re-serialize for a backend, so it must answer them itself, with an error.
 */
export const deepParams = fc
  .tuple(
    fc.constantFrom('tools/call', 'tools/list', 'no/such/method', 'ping'),
    fc.constantFrom('cursor', '_meta'),
    fc.integer({ min: 10_000, max: 12_000 }),
  )
  .map(([method, where, n]) => {
    const nested = `${'{"a":'.repeat(n)}0${'}'.repeat(n)}`;
    const params =
      method === 'tools/call'
        ? `{"name":"${ECHO}","arguments":{"fuzz":true,"a":${nested}}}`
        : where === 'cursor'
          ? `{"cursor":${nested}}`
          : `{"_meta":{"progressToken":${nested}}}`;
    return (id: number) =>
      Buffer.from(`{"jsonrpc":"2.0","id":${id},"method":"${method}","params":${params}}`);
  });
