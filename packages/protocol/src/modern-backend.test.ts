import { describe, expect, it } from 'vitest';
import {
  eraOfProbeAnswer,
  headerDeclarations,
  inputRequestsOf,
  legacyError,
  legacyNotification,
  legacyResult,
  modernClientCapabilities,
  modernRoutingHeaders,
  retryParams,
  withModernEnvelope,
} from './modern-backend.js';

describe('modern backend translation data', () => {
  it('declares client capabilities in the modern shape', () => {
    expect(
      modernClientCapabilities({
        roots: { listChanged: true },
        sampling: { context: {}, tools: {} },
        elicitation: {},
        experimental: { x: {} },
      }),
    ).toEqual({ roots: {}, sampling: { tools: {} }, elicitation: { form: {} } });
    expect(modernClientCapabilities({ elicitation: { url: {} } })).toEqual({
      elicitation: { url: {} },
    });
  });

  it('adds the envelope to _meta, keeping what was there', () => {
    expect(
      withModernEnvelope(
        { name: 'x', _meta: { progressToken: 't' } },
        { capabilities: {}, clientInfo: { name: 'p', version: '1' }, logLevel: 'info' },
      ),
    ).toEqual({
      name: 'x',
      _meta: {
        progressToken: 't',
        'io.modelcontextprotocol/protocolVersion': '2026-07-28',
        'io.modelcontextprotocol/clientCapabilities': {},
        'io.modelcontextprotocol/clientInfo': { name: 'p', version: '1' },
        'io.modelcontextprotocol/logLevel': 'info',
      },
    });
  });

  it('strips resultType, cache hints and serverInfo from results', () => {
    expect(
      legacyResult('resources/read', {
        resultType: 'complete',
        ttlMs: 5,
        cacheScope: 'public',
        contents: [],
        _meta: { 'io.modelcontextprotocol/serverInfo': { name: 's' }, keep: 1 },
      }),
    ).toEqual({ contents: [], _meta: { keep: 1 } });
  });

  it('takes listen-stream details out of notifications for legacy clients', () => {
    const meta = { 'io.modelcontextprotocol/subscriptionId': 4 };
    expect(
      legacyNotification({
        jsonrpc: '2.0',
        method: 'notifications/subscriptions/acknowledged',
        params: { _meta: meta },
      }),
    ).toBeUndefined();
    expect(
      legacyNotification({
        jsonrpc: '2.0',
        method: 'notifications/resources/updated',
        params: { uri: 'x://a', _meta: { ...meta, keep: 1 } },
      }),
    ).toEqual({
      jsonrpc: '2.0',
      method: 'notifications/resources/updated',
      params: { uri: 'x://a', _meta: { keep: 1 } },
    });
  });

  it('renumbers resource not found only for resources/read', () => {
    const error = { code: -32602, message: 'Resource not found' };
    expect(legacyError('resources/read', error).code).toBe(-32002);
    expect(legacyError('tools/call', error).code).toBe(-32602);
    expect(legacyError('resources/read', { code: -32602, message: 'bad uri' }).code).toBe(-32602);
  });

  it('reads era evidence from probe answers', () => {
    expect(eraOfProbeAnswer({ result: { supportedVersions: [], capabilities: {} } })).toBe(
      'modern',
    );
    expect(eraOfProbeAnswer({ error: { code: -32000, message: 'Server not initialized' } })).toBe(
      'legacy',
    );
    expect(eraOfProbeAnswer({ error: { code: -32601, message: 'Method not found' } })).toBe(
      'legacy',
    );
    expect(
      eraOfProbeAnswer({
        error: { code: -32022, message: 'x', data: { supported: ['2026-07-28'] } },
      }),
    ).toBe('modern');
    expect(eraOfProbeAnswer({ error: { code: -32020, message: 'Header mismatch' } })).toBe(
      'modern',
    );
  });

  it('turns input requests into legacy requests, minting an elicitationId for URL mode', () => {
    const requests = inputRequestsOf(
      {
        resultType: 'input_required',
        inputRequests: {
          a: { method: 'elicitation/create', params: { mode: 'url', url: 'https://x' } },
          b: { method: 'roots/list' },
          c: { method: 'tools/call', params: {} },
        },
      },
      () => 'minted',
    );
    expect(requests).toEqual([
      {
        key: 'a',
        method: 'elicitation/create',
        params: { mode: 'url', url: 'https://x', elicitationId: 'minted' },
      },
      { key: 'b', method: 'roots/list', params: undefined },
    ]);
  });

  it('builds retry params from the original ones, the answers and requestState', () => {
    expect(
      retryParams(
        { name: 't', arguments: {} },
        { a: { action: 'decline' } },
        { requestState: 's' },
      ),
    ).toEqual({
      name: 't',
      arguments: {},
      inputResponses: { a: { action: 'decline' } },
      requestState: 's',
    });
  });
});

describe('modern routing headers', () => {
  const tool = {
    name: 'weather',
    inputSchema: {
      type: 'object',
      properties: {
        region: { type: 'string', 'x-mcp-header': 'Region' },
        days: { type: 'integer', 'x-mcp-header': 'Days' },
        other: { type: 'string' },
      },
    },
  };

  it('reads x-mcp-header declarations and rejects invalid ones', () => {
    expect(headerDeclarations(tool)).toEqual([
      { path: ['region'], name: 'Region', type: 'string' },
      { path: ['days'], name: 'Days', type: 'integer' },
    ]);
    expect(
      headerDeclarations({
        inputSchema: { properties: { a: { type: 'string', 'x-mcp-header': 'Has Space' } } },
      }),
    ).toBeUndefined();
    expect(
      headerDeclarations({
        inputSchema: {
          properties: {
            a: { type: 'string', 'x-mcp-header': 'Same' },
            b: { type: 'string', 'x-mcp-header': 'same' },
          },
        },
      }),
    ).toBeUndefined();
  });

  it('leaves tools with invalid declarations out of tools/list', () => {
    const invalid = {
      name: 'bad',
      inputSchema: { properties: { a: { type: 'object', 'x-mcp-header': 'A' } } },
    };
    expect(legacyResult('tools/list', { tools: [tool, invalid] })).toEqual({ tools: [tool] });
  });

  it('computes the headers of a tools/call from its body', () => {
    expect(
      modernRoutingHeaders(
        'tools/call',
        {
          name: 'weather',
          arguments: { region: 'eu-west', days: 3 },
          _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' },
        },
        headerDeclarations(tool),
      ),
    ).toEqual({
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': 'tools/call',
      'mcp-name': 'weather',
      'mcp-param-region': 'eu-west',
      'mcp-param-days': '3',
    });
    expect(modernRoutingHeaders('resources/read', { uri: 'file:///ä' })['mcp-name']).toMatch(
      /^=\?base64\?/,
    );
    expect(modernRoutingHeaders('tools/list', {})).toEqual({
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': 'tools/list',
    });
  });
});
