import * as crypto from 'node:crypto';

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
