import { createRequire, syncBuiltinESMExports } from 'node:module';
import { Hono } from 'hono';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ANONYMOUS_PRINCIPAL, createAuth, MCP_UNAUTHORIZED } from './auth.js';
import { hashKey } from './keys.js';

const KEY = 'sy_unit-test-key-0123456789';
const OTHER = 'sy_another-key-of-another-length';

/** A Hono app whose `/private` route sits behind the middleware under test. */
function appWith(auth: ReturnType<typeof createAuth>) {
  const app = new Hono();
  app.use('/private', auth.middleware);
  app.get('/private', (c) => c.text('inside'));
  return (authorization?: string) =>
    app.fetch(
      new Request('http://127.0.0.1/private', {
        headers: authorization === undefined ? {} : { authorization },
      }),
    );
}

const headers = (values: Record<string, string>) => (name: string) => values[name];

describe('createAuth', () => {
  it('lets every request through when no key is configured', async () => {
    const get = appWith(createAuth({ keys: { hashes: [] } }));
    expect(await (await get()).text()).toBe('inside');
  });

  it('answers a missing or wrong key with 401, WWW-Authenticate and the JSON-RPC error body', async () => {
    const get = appWith(createAuth({ keys: { hashes: [hashKey(KEY)] } }));
    for (const authorization of [
      undefined,
      `Bearer ${KEY}x`,
      'Bearer short',
      KEY,
      `Basic ${KEY}`,
    ]) {
      const response = await get(authorization);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(await response.json()).toEqual({
        jsonrpc: '2.0',
        id: null,
        error: { code: -32001, message: MCP_UNAUTHORIZED },
      });
    }
  });

  it('accepts any one of several configured keys', async () => {
    const get = appWith(createAuth({ keys: { hashes: [hashKey(OTHER), hashKey(KEY)] } }));
    expect((await get(`Bearer ${KEY}`)).status).toBe(200);
    expect((await get(`Bearer ${OTHER}`)).status).toBe(200);
  });

  it('refuses everything with 403 when closed, whatever the key', async () => {
    const auth = createAuth({
      keys: { hashes: [], closed: 'needs a key beyond loopback' },
      body: (refusal) => ({ error: refusal.message }),
    });
    const response = await appWith(auth)(`Bearer ${KEY}`);
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toBeNull();
    expect(await response.json()).toEqual({ error: 'needs a key beyond loopback' });
  });

  it('gives the same verdict through check() as through the middleware, for any header shape', () => {
    const auth = createAuth({ keys: { hashes: [hashKey(KEY)] } });
    expect(auth.check(headers({ authorization: `Bearer ${KEY}` }))).toBeUndefined();
    expect(auth.check(headers({}))).toEqual({ code: 'unauthorized', message: MCP_UNAUTHORIZED });
    expect(auth.answer({ code: 'unauthorized', message: 'm' }).status).toBe(401);
  });

  it('names the principal of a passing request: the matched key hash, or anonymous without keys', () => {
    const auth = createAuth({ keys: { hashes: [hashKey(KEY), hashKey(OTHER)] } });
    expect(auth.identify(headers({ authorization: `Bearer ${KEY}` }))).toEqual({
      principal: hashKey(KEY),
    });
    expect(auth.identify(headers({ authorization: `Bearer ${OTHER}` }))).toEqual({
      principal: hashKey(OTHER),
    });
    expect(auth.identify(headers({}))).toEqual({ code: 'unauthorized', message: MCP_UNAUTHORIZED });
    expect(createAuth({ keys: { hashes: [] } }).identify(headers({}))).toEqual({
      principal: ANONYMOUS_PRINCIPAL,
    });
  });
});

describe('the key comparison', () => {
  const crypto = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  afterEach(() => {
    vi.restoreAllMocks();
    syncBuiltinESMExports();
  });

  it('compares a hash of the presented key with every configured hash, in constant time', () => {
    const compare = vi.spyOn(crypto, 'timingSafeEqual');
    syncBuiltinESMExports();
    const hashes = [hashKey('first'), hashKey(KEY), hashKey('third')];
    const auth = createAuth({ keys: { hashes } });
    for (const presented of [KEY, 'x', `${KEY}${'y'.repeat(500)}`]) {
      compare.mockClear();
      auth.check(headers({ authorization: `Bearer ${presented}` }));
      // No early exit on a match, and every comparison is between equal lengths, so the time
      // taken says neither which key matched nor how much of one.
      expect(compare).toHaveBeenCalledTimes(hashes.length);
      for (const [a, b] of compare.mock.calls) expect(a.byteLength).toBe(b.byteLength);
    }
  });
});
