import * as crypto from 'node:crypto';

/**
 * JSON with object keys sorted at every level, so that two equal values always give the same
 * text (and hash) whatever order their keys were built in. `undefined` members are left out as
 * `JSON.stringify` does; non-finite numbers become `null`.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') {
      return 'null';
    }
    if (typeof value === 'bigint') return JSON.stringify(value.toString());
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out += canonicalJson(value[i]);
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  // Most objects arrive with their keys in order already; sorting is then skipped.
  for (let i = 1; i < keys.length; i++) {
    if ((keys[i - 1] as string) > (keys[i] as string)) {
      keys.sort();
      break;
    }
  }
  let out = '{';
  let first = true;
  for (const key of keys) {
    const member = record[key];
    if (member === undefined || typeof member === 'function') continue;
    if (!first) out += ',';
    first = false;
    out += `${JSON.stringify(key)}:${canonicalJson(member)}`;
  }
  return `${out}}`;
}

/**
 * The one-shot digest (Node 20.12 and later): about half the cost of a `Hash` object for the short
 * texts a capture hashes. Looked up, not imported, because `engines` allows earlier Node 20s.
 */
const oneShot = (crypto as Partial<Pick<typeof crypto, 'hash'>>).hash;

/**
 * The sha256 digest of a string in base64url (43 characters): the encoding that costs least to
 * make (a `Buffer` result takes twice as long as a string one with the one-shot form).
 */
export function sha256(text: string): string {
  return oneShot
    ? oneShot('sha256', text, 'base64url')
    : crypto.createHash('sha256').update(text).digest('base64url');
}
