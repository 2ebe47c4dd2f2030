import { describe, expect, it } from 'vitest';
import { ERRORS } from './errors.js';
import {
  checkEnvelope,
  checkRoutingHeaders,
  discoverResult,
  hasModernEnvelope,
  MetaKey,
  modernError,
  modernResult,
  stripEnvelope,
} from './modern.js';

const meta = {
  [MetaKey.protocolVersion]: '2026-07-28',
  [MetaKey.clientCapabilities]: {},
};

describe('the modern envelope', () => {
  it('tells modern messages by their envelope or server/discover', () => {
    expect(
      hasModernEnvelope({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: meta } }),
    ).toBe(true);
    expect(hasModernEnvelope({ jsonrpc: '2.0', id: 1, method: 'server/discover' })).toBe(true);
    expect(hasModernEnvelope({ jsonrpc: '2.0', id: 1, method: 'tools/list' })).toBe(false);
    expect(hasModernEnvelope({ jsonrpc: '2.0', id: 1, result: {} })).toBe(false);
  });

  it('refuses a missing envelope, version or capabilities with invalid_params', () => {
    expect(checkEnvelope('tools/list', {})).toMatchObject({ name: 'invalid_params' });
    expect(
      checkEnvelope('tools/list', { _meta: { [MetaKey.protocolVersion]: '2026-07-28' } }),
    ).toMatchObject({ name: 'invalid_params' });
  });

  it('refuses another version with -32022 and the supported ones', () => {
    const refusal = checkEnvelope('tools/list', {
      _meta: { ...meta, [MetaKey.protocolVersion]: '2025-11-25' },
    });
    expect(refusal).toEqual({
      name: 'unsupported_protocol_version',
      message: expect.any(String),
      data: { supported: ['2026-07-28'], requested: '2025-11-25' },
    });
    expect(ERRORS.unsupported_protocol_version).toEqual({ jsonRpc: -32022, http: 400 });
  });

  it('refuses methods the modern era does not have', () => {
    for (const method of ['initialize', 'ping', 'logging/setLevel', 'resources/subscribe']) {
      expect(checkEnvelope(method, { _meta: meta })).toMatchObject({ name: 'method_not_found' });
    }
    expect(checkEnvelope('tools/call', { _meta: meta })).toEqual({
      version: '2026-07-28',
      capabilities: {},
      clientInfo: undefined,
    });
  });
});

describe('routing headers', () => {
  const headers = (values: Record<string, string>) => (name: string) => values[name];
  const params = { name: 'echo', _meta: meta };

  it('accept headers equal to the body, base64-encoded or not', () => {
    const sent = { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call' };
    expect(
      checkRoutingHeaders(
        headers({ ...sent, 'mcp-name': 'echo' }),
        'tools/call',
        params,
        '2026-07-28',
      ),
    ).toBeUndefined();
    expect(
      checkRoutingHeaders(
        headers({ ...sent, 'mcp-name': `=?base64?${btoa('echo')}?=` }),
        'tools/call',
        params,
        '2026-07-28',
      ),
    ).toBeUndefined();
  });

  it('refuse a missing or different header with header_mismatch (-32020)', () => {
    const sent = { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call' };
    expect(checkRoutingHeaders(headers(sent), 'tools/call', params, '2026-07-28')).toMatchObject({
      name: 'header_mismatch',
    });
    expect(
      checkRoutingHeaders(
        headers({ ...sent, 'mcp-name': 'other' }),
        'tools/call',
        params,
        '2026-07-28',
      ),
    ).toMatchObject({ name: 'header_mismatch' });
    expect(ERRORS.header_mismatch).toEqual({ jsonRpc: -32020, http: 400 });
  });
});

describe('results for modern clients', () => {
  it('strips the envelope and keeps progress, trace context and vendor keys', () => {
    const stripped = stripEnvelope({
      name: 'x',
      _meta: { ...meta, [MetaKey.clientInfo]: {}, progressToken: 1, traceparent: 't', 'acme/k': 2 },
    });
    expect(stripped).toEqual({
      name: 'x',
      _meta: { progressToken: 1, traceparent: 't', 'acme/k': 2 },
    });
    expect(stripEnvelope({ _meta: meta })).toEqual({});
  });

  it('adds resultType, cache hints on cacheable results, order, and serverInfo', () => {
    const serverInfo = { name: 'switchyard', version: '1' };
    expect(
      modernResult('tools/list', { tools: [{ name: 'b' }, { name: 'a' }] }, serverInfo),
    ).toEqual({
      tools: [{ name: 'a' }, { name: 'b' }],
      resultType: 'complete',
      ttlMs: 0,
      cacheScope: 'private',
      _meta: { [MetaKey.serverInfo]: serverInfo },
    });
    expect(modernResult('tools/call', { content: [] }, serverInfo)).not.toHaveProperty('ttlMs');
  });

  it('keeps every key of a result and its _meta as its own, __proto__ included, as JSON.parse made them', () => {
    const result = JSON.parse(
      '{"content":[],"__proto__":{"x":1},"_meta":{"__proto__":{"y":2},"acme/k":3}}',
    );
    const out = modernResult('tools/call', result, { name: 's', version: '1' });
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(out))).toEqual(
      JSON.parse(
        '{"content":[],"__proto__":{"x":1},"_meta":{"__proto__":{"y":2},"acme/k":3,"io.modelcontextprotocol/serverInfo":{"name":"s","version":"1"}},"resultType":"complete"}',
      ),
    );
    const stripped = stripEnvelope(
      JSON.parse(`{"__proto__":{"z":1},"_meta":{"${MetaKey.protocolVersion}":"2026-07-28"}}`),
    );
    expect(JSON.stringify(stripped)).toBe('{"__proto__":{"z":1}}');
  });

  it('numbers resource not found -32602 and leaves other errors alone', () => {
    expect(modernError({ code: -32002, message: 'no' })).toEqual({ code: -32602, message: 'no' });
    expect(modernError({ code: -32010, message: 'down' })).toEqual({
      code: -32010,
      message: 'down',
    });
  });

  it('discovers from an initialize result, without logging, with its list-changed and subscribe', () => {
    const result = discoverResult({
      protocolVersion: '2025-11-25',
      capabilities: { tools: { listChanged: true }, resources: { subscribe: true }, logging: {} },
      serverInfo: { name: 'switchyard', version: '1' },
    });
    expect(result).toMatchObject({
      supportedVersions: ['2026-07-28', '2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'],
      capabilities: { tools: { listChanged: true }, resources: { subscribe: true } },
      resultType: 'complete',
    });
    expect(result.capabilities).not.toHaveProperty('logging');
    expect(result.capabilities).not.toHaveProperty('resources.listChanged');
  });
});
