import { describe, expect, it } from 'vitest';
import {
  decodeRequestState,
  encodeRequestState,
  newRequestStateKey,
  type RequestStatePayload,
  requestDigest,
} from './request-state.js';

const key = newRequestStateKey();
const digest = requestDigest('tools/call', { name: 'ask', arguments: { a: 1 } });
const payload: RequestStatePayload = {
  handle: 'h1',
  round: 2,
  principal: 'alice',
  expiresAt: 1_000,
  digest,
};
const expected = { principal: 'alice', now: 999, digest };

describe('request state', () => {
  it('decodes what it encoded, before its expiry, for its principal and request', () => {
    const state = encodeRequestState(payload, key);
    expect(decodeRequestState(state, key, expected)).toEqual({ payload });
  });

  it('refuses a state whose payload or signature was changed, or signed with another key', () => {
    const state = encodeRequestState(payload, key);
    const [body = '', mac = ''] = state.split('.');
    const forged = Buffer.from(JSON.stringify(['h1', 2, 'alice', 9_999_999, digest])).toString(
      'base64url',
    );
    expect(decodeRequestState(`${forged}.${mac}`, key, expected)).toEqual({ refused: 'tampered' });
    const flipped = `${mac.slice(0, -2)}${mac.endsWith('AA') ? 'BB' : 'AA'}`;
    expect(decodeRequestState(`${body}.${flipped}`, key, expected)).toEqual({
      refused: 'tampered',
    });
    const other = encodeRequestState(payload, newRequestStateKey());
    expect(decodeRequestState(other, key, expected)).toEqual({ refused: 'tampered' });
  });

  it('refuses what is not a state at all as malformed', () => {
    expect(decodeRequestState('nothing', key, expected)).toEqual({ refused: 'malformed' });
    expect(decodeRequestState('a.b.c', key, expected)).toEqual({ refused: 'malformed' });
  });

  it('refuses another principal, an expired state and another request, in that order', () => {
    const state = encodeRequestState(payload, key);
    expect(decodeRequestState(state, key, { ...expected, principal: 'bob' })).toEqual({
      refused: 'another_principal',
    });
    expect(decodeRequestState(state, key, { ...expected, now: 1_000 })).toEqual({
      refused: 'expired',
    });
    const otherDigest = requestDigest('tools/call', { name: 'ask', arguments: { a: 2 } });
    expect(decodeRequestState(state, key, { ...expected, digest: otherDigest })).toEqual({
      refused: 'digest_mismatch',
    });
  });

  it('digests the method and params, ignoring _meta, inputResponses, requestState and key order', () => {
    const retry = {
      arguments: { a: 1 },
      name: 'ask',
      _meta: { progressToken: 'p' },
      inputResponses: { k: {} },
      requestState: 'x',
    };
    expect(requestDigest('tools/call', retry)).toBe(digest);
    expect(requestDigest('prompts/get', { name: 'ask', arguments: { a: 1 } })).not.toBe(digest);
    expect(requestDigest('tools/call', { name: 'ask' })).not.toBe(digest);
  });
});
