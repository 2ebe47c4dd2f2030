import { describe, expect, it } from 'vitest';
import { ErrorCode } from './errors.js';
import { parseFrame } from './parse.js';

describe('parseFrame', () => {
  it('answers text that is not JSON with -32700 and a null id', () => {
    const result = parseFrame('{"jsonrpc": "2.0", "method": ');
    expect(result).toEqual({
      ok: false,
      error: {
        jsonrpc: '2.0',
        id: null,
        error: { code: ErrorCode.ParseError, message: 'Parse error: invalid JSON' },
      },
    });
  });

  it('answers JSON that is not JSON-RPC with -32600', () => {
    for (const text of [
      '42',
      '"hello"',
      'null',
      '{"method":"ping","id":1}',
      '{"jsonrpc":"1.0","id":1,"method":"x"}',
    ]) {
      const result = parseFrame(text);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.error.code).toBe(ErrorCode.InvalidRequest);
    }
  });

  it('keeps the id of an invalid request when it can be read', () => {
    const result = parseFrame('{"jsonrpc":"1.0","id":"abc","method":"x"}');
    expect(!result.ok && result.error.id).toBe('abc');
  });

  it('rejects a null request id, which MCP forbids', () => {
    const result = parseFrame('{"jsonrpc":"2.0","id":null,"method":"ping"}');
    expect(!result.ok && result.error.error.code).toBe(ErrorCode.InvalidRequest);
  });

  it('answers array params with -32602', () => {
    const result = parseFrame('{"jsonrpc":"2.0","id":7,"method":"tools/call","params":[1]}');
    expect(!result.ok && result.error).toMatchObject({
      id: 7,
      error: { code: ErrorCode.InvalidParams },
    });
  });

  it('keeps string and number ids exactly as sent', () => {
    const a = parseFrame('{"jsonrpc":"2.0","id":"1","method":"ping"}');
    const b = parseFrame('{"jsonrpc":"2.0","id":1,"method":"ping"}');
    expect(a.ok && !a.batch && a.message).toMatchObject({ id: '1' });
    expect(b.ok && !b.batch && b.message).toMatchObject({ id: 1 });
  });

  it('accepts notifications and responses, success and failure', () => {
    for (const text of [
      '{"jsonrpc":"2.0","method":"notifications/initialized"}',
      '{"jsonrpc":"2.0","id":3,"result":{}}',
      '{"jsonrpc":"2.0","id":3,"error":{"code":-32601,"message":"no"}}',
    ]) {
      expect(parseFrame(text).ok).toBe(true);
    }
  });

  it('rejects a response with both result and error, or an error without a code', () => {
    expect(
      parseFrame('{"jsonrpc":"2.0","id":3,"result":{},"error":{"code":1,"message":"x"}}').ok,
    ).toBe(false);
    expect(parseFrame('{"jsonrpc":"2.0","id":3,"error":{"message":"x"}}').ok).toBe(false);
  });

  it('returns batches item by item and rejects an empty batch', () => {
    const result = parseFrame('[{"jsonrpc":"2.0","id":1,"method":"ping"}, 5]');
    expect(result.ok && result.batch && result.items.map((item) => item.ok)).toEqual([true, false]);
    const empty = parseFrame('[]');
    expect(!empty.ok && empty.error.error.code).toBe(ErrorCode.InvalidRequest);
  });
});
