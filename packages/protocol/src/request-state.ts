import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';
import type { JsonObject } from './jsonrpc.js';

/**
 * The `requestState` a proxy issues when it answers a modern request with an `InputRequiredResult`
 * (MCP 2026-07-28, Basic: Multi Round-Trip Requests): the client echoes it verbatim on its retry,
 * so it must be opaque to the client and impossible to forge. It is a handle to a call the proxy
 * keeps pending, bound to who may resume it, until when, and to which request, and it is signed
 * with HMAC-SHA256 under a key that never leaves the process (docs/protocol-versions.md, "The
 * modern era (2026-07-28)"). Pure functions; the key and the time come from the caller.
 */
export interface RequestStatePayload {
  /** The pending call it resumes: a random handle minted by the proxy. */
  handle: string;
  /** Which round of that call it answers; a state is good for one retry only. */
  round: number;
  /** The principal the call belongs to (`''` when the front authenticates nobody). */
  principal: string;
  /** Milliseconds since the epoch, on the proxy's clock, after which it is refused. */
  expiresAt: number;
  /** {@link requestDigest} of the request it was issued for. */
  digest: string;
}

/** Why a presented `requestState` is refused. */
export type RequestStateRefusal =
  | 'malformed'
  | 'tampered'
  | 'another_principal'
  | 'expired'
  | 'digest_mismatch';

/** What the retry presenting the state must match. */
export interface RequestStateExpectation {
  principal: string;
  /** Now, on the same clock as `expiresAt`. */
  now: number;
  digest: string;
}

/** Keys of request params that a retry adds or that vary between rounds, left out of the digest. */
const UNDIGESTED = ['_meta', 'inputResponses', 'requestState'];

/** A fresh random HMAC key (256 bits), one per process. */
export function newRequestStateKey(): Uint8Array {
  return new Uint8Array(randomBytes(32));
}

/**
 * SHA-256 (base64url) of the method and its params without `_meta`, `inputResponses` and
 * `requestState`: a retry must repeat the original params (MCP 2026-07-28, Basic: Multi Round-Trip
 * Requests), while its envelope and responses may differ.
 */
export function requestDigest(method: string, params: JsonObject | undefined): string {
  const kept = Object.fromEntries(
    Object.entries(params ?? {}).filter(([key]) => !UNDIGESTED.includes(key)),
  );
  return createHash('sha256')
    .update(canonicalJson({ method, params: kept }))
    .digest('base64url');
}

function sign(body: string, key: Uint8Array): Buffer {
  return createHmac('sha256', key).update(body).digest();
}

/** `<base64url payload>.<base64url HMAC-SHA256 of the payload text>`. */
export function encodeRequestState(payload: RequestStatePayload, key: Uint8Array): string {
  const body = Buffer.from(
    JSON.stringify([
      payload.handle,
      payload.round,
      payload.principal,
      payload.expiresAt,
      payload.digest,
    ]),
  ).toString('base64url');
  return `${body}.${sign(body, key).toString('base64url')}`;
}

function payloadOf(body: string): RequestStatePayload | undefined {
  let fields: unknown;
  try {
    fields = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(fields) || fields.length !== 5) return undefined;
  const [handle, round, principal, expiresAt, digest] = fields as unknown[];
  if (
    typeof handle !== 'string' ||
    typeof round !== 'number' ||
    typeof principal !== 'string' ||
    typeof expiresAt !== 'number' ||
    typeof digest !== 'string'
  )
    return undefined;
  return { handle, round, principal, expiresAt, digest };
}

/**
 * Checks a presented state, in this order: its shape, its signature (compared in constant time),
 * its principal, its expiry, its request digest. Whether its handle is still pending, and at this
 * round, only the issuer knows.
 */
export function decodeRequestState(
  state: string,
  key: Uint8Array,
  expected: RequestStateExpectation,
): { payload: RequestStatePayload } | { refused: RequestStateRefusal } {
  const parts = state.split('.');
  const [body, mac] = parts;
  if (parts.length !== 2 || !body || !mac) return { refused: 'malformed' };
  const presented = Buffer.from(mac, 'base64url');
  const wanted = sign(body, key);
  if (presented.length !== wanted.length || !timingSafeEqual(presented, wanted))
    return { refused: 'tampered' };
  const payload = payloadOf(body);
  if (!payload) return { refused: 'malformed' };
  if (payload.principal !== expected.principal) return { refused: 'another_principal' };
  if (expected.now >= payload.expiresAt) return { refused: 'expired' };
  if (payload.digest !== expected.digest) return { refused: 'digest_mismatch' };
  return { payload };
}
