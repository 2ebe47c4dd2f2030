import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** The form in which a client key is stored in a config file (docs/transports.md): `sha256:<hex>`. */
export function hashKey(key: string): string {
  return `sha256:${createHash('sha256').update(key).digest('hex')}`;
}

/** A new random client key (256 bits, base64url) and the hash to put in `proxy.apiKeys`. */
export function newKey(): { key: string; hash: string } {
  const key = `sy_${randomBytes(32).toString('base64url')}`;
  return { key, hash: hashKey(key) };
}

/**
 * Constant-time comparison. Inputs of unequal length are compared against a same-length
 * dummy first, so the time taken does not reveal where they differ.
 */
export function sameKey(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  if (a.length !== b.length) {
    timingSafeEqual(b, b);
    return false;
  }
  return timingSafeEqual(a, b);
}

/**
 * Whether a presented key matches one of the configured hashes. Every hash is compared (no early
 * exit), and hashes all have one length, so timing reveals neither which nor how much matched.
 */
export function keyMatches(given: string, hashes: readonly string[]): boolean {
  return matchingHash(given, hashes) !== undefined;
}

/**
 * The configured hash a presented key matches, or undefined; compared as {@link keyMatches} does
 * (every hash, no early exit). The hash names the client's principal without holding its key.
 */
export function matchingHash(given: string, hashes: readonly string[]): string | undefined {
  const hashed = hashKey(given);
  let match: string | undefined;
  for (const hash of hashes) if (sameKey(hashed, hash)) match ??= hash;
  return match;
}

/** The bearer token of an `Authorization` header, or '' when there is none. */
export function bearerToken(header: string | undefined): string {
  return header?.startsWith('Bearer ') ? header.slice(7).trim() : '';
}
