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
