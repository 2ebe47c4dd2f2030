import { describe, expect, it } from 'vitest';
import { isJsonObject } from './jsonrpc.js';
import { parseFrame } from './parse.js';
import { serializeMessage } from './raw-result.js';

const big = 'x'.repeat(100_000);

/** Parses a frame and sends its result on under a new id, as the proxy does. */
function relay(frame: string, id: string | number = 'client-7'): string {
  const parsed = parseFrame(frame);
  if (!parsed.ok || parsed.batch || !('result' in parsed.message)) throw new Error('not a result');
  return serializeMessage({ jsonrpc: '2.0', id, result: parsed.message.result });
}

describe('large results are sent on as their source text', () => {
  it('reuses the exact text of a large result, whitespace and all, under the new id', () => {
    const result = `{ "content" : [ { "type": "text", "text": "${big}" } ] }`;
    const out = relay(`{"jsonrpc":"2.0","id":3,"result":${result}}`);
    expect(out).toBe(`{"jsonrpc":"2.0","id":"client-7","result":${result}}`);
  });

  it('finds the result whatever the key order, escapes in keys and strings, or a repeated key', () => {
    const frames = [
      `{"result":{"text":"${big}","n":[1,{"a":"}]"}]},"jsonrpc":"2.0","id":1}`,
      `{"id":1,"jsonrpc":"2.0","result":{"text":"a \\"quoted\\" ${big} \\\\"}}`,
      `{"jsonrpc":"2.0","\\u0069d":1,"result":{"text":"${big}"}}`,
      `{"jsonrpc":"2.0","id":1,"result":{"text":"old"},"result":{"text":"${big}"}}`,
    ];
    for (const frame of frames) {
      const expected = JSON.parse(frame) as { result: unknown };
      expect(JSON.parse(relay(frame))).toEqual({
        jsonrpc: '2.0',
        id: 'client-7',
        result: expected.result,
      });
    }
  });

  it('serializes as usual what was changed on the way, or has more than the three fields', () => {
    const parsed = parseFrame(`{"jsonrpc":"2.0","id":1,"result":{"text":"${big}"}}`);
    if (!parsed.ok || parsed.batch || !('result' in parsed.message)) throw new Error('no result');
    const { result } = parsed.message;
    const copy = isJsonObject(result) ? { ...result, extra: true } : result;
    expect(JSON.parse(serializeMessage({ jsonrpc: '2.0', id: 2, result: copy }))).toMatchObject({
      result: { extra: true },
    });
    const withMore = { jsonrpc: '2.0', id: 2, result, note: 'x' };
    expect(serializeMessage(withMore)).toBe(JSON.stringify(withMore));
  });

  it('falls back to JSON.stringify for a result too intricate to scan quickly', () => {
    const items = Array.from({ length: 10_000 }, (_, i) => ({ i, s: `v${i}` }));
    const frame = JSON.stringify({ jsonrpc: '2.0', id: 1, result: { items, pad: big } });
    expect(JSON.parse(relay(frame))).toEqual({
      jsonrpc: '2.0',
      id: 'client-7',
      result: { items, pad: big },
    });
  });

  it('serializes batches item by item', () => {
    const batch = [
      { jsonrpc: '2.0', id: 1, result: {} },
      { jsonrpc: '2.0', method: 'x' },
    ];
    expect(serializeMessage(batch)).toBe(JSON.stringify(batch));
  });
});
