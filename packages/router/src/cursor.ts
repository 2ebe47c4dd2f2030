/**
 * Proxy-owned pagination cursors (MCP 2025-11-25, Utilities: Pagination): an opaque token holding, per backend that still has
 * pages, that backend's own cursor. Clients never see or forge a backend cursor directly.
 */
export type CursorState = Record<string, string>;

/** Encodes the remaining backend cursors; undefined when every backend is exhausted. */
export function encodeCursor(state: CursorState): string | undefined {
  if (Object.keys(state).length === 0) return undefined;
  return Buffer.from(JSON.stringify({ v: 1, b: state })).toString('base64url');
}

/** Decodes a cursor issued by {@link encodeCursor}; undefined for anything else. */
export function decodeCursor(cursor: unknown): CursorState | undefined {
  if (typeof cursor !== 'string' || cursor.length === 0) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof value !== 'object' || value === null || (value as { v?: unknown }).v !== 1)
      return undefined;
    const backends = (value as { b?: unknown }).b;
    if (typeof backends !== 'object' || backends === null || Array.isArray(backends))
      return undefined;
    const state: CursorState = {};
    for (const [name, backendCursor] of Object.entries(backends)) {
      if (typeof backendCursor !== 'string') return undefined;
      state[name] = backendCursor;
    }
    return Object.keys(state).length > 0 ? state : undefined;
  } catch {
    return undefined;
  }
}
