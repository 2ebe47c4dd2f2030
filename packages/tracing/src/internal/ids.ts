import { randomUUID } from 'node:crypto';

/**
 * A UUID of version 7 (RFC 9562, section 5.7): the time in milliseconds, then random bits. Ids made
 * one after another sort together, so the primary-key index of a table grows at its end instead of
 * at random pages.
 */
export function timeOrderedUuid(now: number = Date.now()): string {
  const time = Math.max(0, Math.floor(now)).toString(16).padStart(12, '0').slice(-12);
  const random = randomUUID();
  return `${time.slice(0, 8)}-${time.slice(8)}-7${random.slice(15)}`;
}

/** The prefix of unit ids, and the characters of each of their two parts (see `unit-ids.ts`). */
export const UNIT_PREFIX = 'ctx_';
export const UNIT_PART_CHARS = 12;

/**
 * The bounds of the primary-key range that holds every version of the source of a unit with this
 * id: the ids of a source's versions share their first part (older ids, of the time-ordered form,
 * are never written again, so no range of theirs is looked up).
 */
export function sourceRangeOf(id: string): [from: string, to: string] {
  const source = id.slice(0, UNIT_PREFIX.length + UNIT_PART_CHARS);
  // `~` sorts after every base64url character.
  return [source, `${source}~`];
}
