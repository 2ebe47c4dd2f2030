import { createHash } from 'node:crypto';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { ManualClock, until } from '@switchyard/protocol/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstText, fixture, type TestProxy, withProxy } from './helpers.js';
import { createMessageValidator } from './schema-validator.js';
import { type Received, summarize, type TransportLike, tap } from './sdk-kits.js';

/**
 * Multi round-trip requests of a modern (MCP 2026-07-28) client over a legacy backend, through the
 * real proxy (docs/protocol-versions.md, "The modern era (2026-07-28)"): the fixture's tools send
 * elicitation, sampling and roots/list during their calls; the proxy answers the client with
 * `InputRequiredResult`s and resumes the pending backend call on each retry. Request states are
 * refused when tampered, replayed, expired or presented by another principal; what cannot cross
 * (a backend request after its call, session-wide logs) is refused and counted.
 */

const MODERN = '2026-07-28';
const KEY_A = 'sy_modern-mrtr-key-a';
const KEY_B = 'sy_modern-mrtr-key-b';
const hash = (key: string) => `sha256:${createHash('sha256').update(key).digest('hex')}`;
const validator = createMessageValidator(MODERN);

const server = (extra: Record<string, unknown> = {}) => ({
  command: process.execPath,
  args: [fixture('mrtr-server.mjs')],
  ...extra,
});
const config = (extra: Record<string, unknown> = {}) => ({
  servers: { mrtr: server(extra), own: server({ sessions: 'per-client' }) },
  proxy: { apiKeys: [hash(KEY_A), hash(KEY_B)] },
});

type Body = {
  status: number;
  id?: unknown;
  result?: Record<string, unknown>;
  error?: { code: number; message: string; data?: Record<string, unknown> };
};

/** A hand-written modern client: one `tools/call` POST with the envelope and routing headers. */
function rawCall(url: URL, key: string) {
  let id = 0;
  return async (name: string, extra: Record<string, unknown> = {}): Promise<Body> => {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': MODERN,
        'mcp-method': 'tools/call',
        'mcp-name': name,
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: ++id,
        method: 'tools/call',
        params: {
          name,
          arguments: {},
          ...extra,
          _meta: {
            'io.modelcontextprotocol/protocolVersion': MODERN,
            'io.modelcontextprotocol/clientCapabilities': { elicitation: {}, sampling: {} },
            'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
          },
        },
      }),
    });
    return { status: response.status, ...((await response.json()) as Omit<Body, 'status'>) };
  };
}

/** The request state and keys of an `InputRequiredResult`. */
function inputRequired(body: Body): { state: string; keys: string[] } {
  expect(body.result?.resultType).toBe('input_required');
  const requests = (body.result?.inputRequests ?? {}) as Record<string, unknown>;
  return { state: String(body.result?.requestState), keys: Object.keys(requests) };
}

const accepted = { action: 'accept', content: { name: 'Ada' } };

describe('MRTR through the proxy, over a legacy backend', () => {
  let t: TestProxy;
  beforeAll(async () => {
    t = await withProxy(config(), { client: false });
  }, 60_000);
  afterAll(() => t?.close());

  it('lets the v2 SDK client answer elicitation, sampling and roots/list, every message valid', async () => {
    const client = new Client(
      { name: 'mrtr-test', version: '1.0.0' },
      {
        versionNegotiation: { mode: { pin: MODERN } },
        capabilities: { sampling: {}, roots: {}, elicitation: { form: {}, url: {} } },
      },
    );
    const asked: string[] = [];
    client.setRequestHandler('elicitation/create', async (request) => {
      asked.push(`elicitation:${(request.params as { mode?: string }).mode ?? 'form'}`);
      return accepted as never;
    });
    client.setRequestHandler('sampling/createMessage', async () => {
      asked.push('sampling');
      return {
        role: 'assistant',
        content: { type: 'text', text: 'hi there' },
        model: 'm',
      } as never;
    });
    client.setRequestHandler('roots/list', async () => {
      asked.push('roots');
      return { roots: [{ uri: 'file:///work', name: 'work' }] };
    });
    const transport = new StreamableHTTPClientTransport(t.url, {
      requestInit: { headers: { authorization: `Bearer ${KEY_A}` } },
    });
    // Every message the client receives, validated against the 2026-07-28 schema (an
    // `input_required` answer as an InputRequiredResult).
    const received: Received[] = [];
    tap(transport as unknown as TransportLike, received);
    await client.connect(transport);
    try {
      const call = (name: string) => client.callTool({ name, arguments: {} }, { timeout: 20_000 });
      expect(firstText(await call('mrtr__ask_name'))).toBe('Hello, Ada');
      expect(firstText(await call('mrtr__ask_model'))).toBe('The model said: hi there');
      expect(firstText(await call('mrtr__list_roots'))).toBe('Roots: file:///work');
      expect(firstText(await call('mrtr__ask_both'))).toBe('Ada / hi there');
      expect(firstText(await call('mrtr__url_login'))).toBe('Signed in (call 2)');
    } finally {
      await client.close();
    }
    expect(asked.slice(0, 3)).toEqual(['elicitation:form', 'sampling', 'roots']);
    expect(asked.slice(3, 5).sort()).toEqual(['elicitation:form', 'sampling']);
    expect(asked.slice(5)).toEqual(['elicitation:url']);
    const rounds = received.filter(
      ({ message }) =>
        (message as { result?: { resultType?: unknown } }).result?.resultType === 'input_required',
    );
    expect(rounds.length).toBeGreaterThanOrEqual(5);
    expect(summarize(received, (m, a) => validator.validate(m, a))).toEqual([]);
  }, 60_000);

  it('refuses a tampered, a replayed and another principal’s requestState', async () => {
    const asA = rawCall(t.url, KEY_A);
    const asB = rawCall(t.url, KEY_B);
    const { state, keys } = inputRequired(await asA('mrtr__ask_name'));
    expect(keys).toEqual(['elicitation-1']);
    const inputResponses = { [keys[0] ?? '']: accepted };
    const [body = '', mac = ''] = state.split('.');
    const tampered = `${body.slice(0, -2)}${body.endsWith('AA') ? 'BB' : 'AA'}.${mac}`;
    const refused = [
      await asA('mrtr__ask_name', { inputResponses, requestState: tampered }),
      await asB('mrtr__ask_name', { inputResponses, requestState: state }),
      await asA('mrtr__ask_model', { inputResponses, requestState: state }),
    ];
    expect(refused.map((r) => [r.error?.code, r.error?.data?.reason])).toEqual([
      [-32602, 'tampered'],
      [-32602, 'another_principal'],
      [-32602, 'digest_mismatch'],
    ]);
    expect(refused[1]?.error?.message).toContain('another principal');
    const final = await asA('mrtr__ask_name', { inputResponses, requestState: state });
    expect(final.result).toMatchObject({
      resultType: 'complete',
      content: [{ text: 'Hello, Ada' }],
    });
    const replayed = await asA('mrtr__ask_name', { inputResponses, requestState: state });
    expect(replayed.error).toMatchObject({ code: -32602, data: { reason: 'replayed' } });
    expect(replayed.error?.message).toContain('already used');
  }, 30_000);

  it('answers -32021 when the client lacks the capability the backend asks for', async () => {
    const asA = rawCall(t.url, KEY_A);
    const answer = await asA('mrtr__list_roots');
    expect(answer.status).toBe(400);
    expect(answer.error).toMatchObject({
      code: -32021,
      data: { requiredCapabilities: { roots: {} } },
    });
  }, 30_000);

  it('refuses and counts a backend request sent after its call, and session-wide logs', async () => {
    const asA = rawCall(t.url, KEY_A);
    expect((await asA('own__ask_later')).result).toMatchObject({ resultType: 'complete' });
    const drops = (feature: string) =>
      new RegExp(
        `switchyard_translation_drops_total\\{from="2025-11-25",to="${MODERN}",feature="${feature}"\\} ([0-9]+)`,
      );
    const metric = await until(async () => {
      const text = await t.proxy.metrics.render();
      return drops('request_outside_call').exec(text)?.[1];
    });
    expect(Number(metric)).toBeGreaterThanOrEqual(1);
    const outcome = await asA('own__late_outcome');
    expect(outcome.result?.content).toEqual([
      { type: 'text', text: expect.stringMatching(/^refused: .*no 2026-07-28 client request/) },
    ]);
    expect((await asA('mrtr__log_some')).result).toMatchObject({ resultType: 'complete' });
    const logs = await until(async () => {
      const text = await t.proxy.metrics.render();
      return drops('log_not_requested').exec(text)?.[1];
    });
    expect(Number(logs)).toBeGreaterThanOrEqual(1);
  }, 30_000);
});

describe('MRTR request state expiry, on the proxy clock', () => {
  const clock = new ManualClock(Date.now());
  let t: TestProxy;
  beforeAll(async () => {
    // The backend call's own timeout is longer than the state's five minutes, so the state
    // expires first and the proxy cancels the call.
    t = await withProxy(config({ requestTimeoutMs: 600_000 }), { client: false, clock });
  }, 60_000);
  afterAll(() => t?.close());

  it('refuses a requestState retried after it expired', async () => {
    const asA = rawCall(t.url, KEY_A);
    const asked = asA('mrtr__ask_name');
    // The backend's requests are collected for a moment on the proxy's clock before the round
    // goes out; this proxy's clock moves only when told.
    const collected = setInterval(() => clock.advance(25), 20);
    const first = await asked.finally(() => clearInterval(collected));
    const { state, keys } = inputRequired(first);
    const inputResponses = { [keys[0] ?? '']: accepted };
    clock.advance(5 * 60_000);
    const late = await asA('mrtr__ask_name', { inputResponses, requestState: state });
    expect(late.error).toMatchObject({ code: -32602, data: { reason: 'expired' } });
    expect(late.error?.message).toContain('expired');
  }, 30_000);
});
