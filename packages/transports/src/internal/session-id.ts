import { randomBytes } from 'node:crypto';

/**
 * A new session id: 128 random bits from the system CSPRNG, base64url (22 visible ASCII
 * characters). `randomUUID` carries only 122 random bits. Ids must not be guessable (MCP
 * 2025-11-25, Basic: Security Best Practices, Session Hijacking).
 */
export function newSessionId(): string {
  return randomBytes(16).toString('base64url');
}
