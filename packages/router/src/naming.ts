/**
 * How backend tool and prompt names are exposed to clients. `prefix`: `<prefix><sep><name>`
 * with the server name as default prefix; `none`: raw names, collisions decided by priority.
 */
export interface NamingOptions {
  strategy: 'prefix' | 'none';
  /** Between prefix and name; from the tool-name alphabet `[A-Za-z0-9_.-]`. Default `__`. */
  separator?: string;
  /** Put in front of every exposed name (the seed's `mcp__proxy__` style). */
  globalPrefix?: string;
  /** Longest exposed name; MCP 2025-11-25 (Server Features: Tools, Tool Names) allows 128, some clients fewer (e.g. 64). */
  maxLength?: number;
}

/** FNV-1a, 32 bits, as 8 hex digits: a short deterministic tag for shortened names. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/**
 * The exposed name of `name` from a backend whose prefix is `prefix`. Names over the limit are cut
 * and tagged with a hash of the full name, so that shortening is deterministic and two long names
 * that share a beginning stay distinct.
 */
export function exposeName(naming: NamingOptions, prefix: string, name: string): string {
  const full =
    naming.strategy === 'none'
      ? `${naming.globalPrefix ?? ''}${name}`
      : `${naming.globalPrefix ?? ''}${prefix}${naming.separator ?? '__'}${name}`;
  const max = naming.maxLength ?? 128;
  if (full.length <= max) return full;
  return `${full.slice(0, max - 9)}_${fnv1a(full)}`;
}

/**
 * Whether `exposed` has the shape {@link exposeName} gives a shortened name: such a name parses,
 * but into a cut-off original, so only the catalog can resolve it.
 */
export function mayBeShortened(naming: NamingOptions, exposed: string): boolean {
  return exposed.length === (naming.maxLength ?? 128) && /_[0-9a-f]{8}$/.test(exposed);
}

/**
 * Splits an exposed name back into backend prefix and original name, without an index: the longest
 * matching prefix wins, so `my_server__tool` routes to `my_server` even next to a server `my`
 * (the seed split on the first `_` and could not route such names). Shortened names need the index.
 */
export function parseExposedName(
  naming: NamingOptions,
  prefixes: readonly string[],
  exposed: string,
): { prefix: string; name: string } | undefined {
  const global = naming.globalPrefix ?? '';
  if (!exposed.startsWith(global)) return undefined;
  const rest = exposed.slice(global.length);
  if (naming.strategy === 'none') return undefined;
  const separator = naming.separator ?? '__';
  let best: { prefix: string; name: string } | undefined;
  for (const prefix of prefixes) {
    const head = `${prefix}${separator}`;
    if (
      rest.startsWith(head) &&
      rest.length > head.length &&
      (!best || prefix.length > best.prefix.length)
    ) {
      best = { prefix, name: rest.slice(head.length) };
    }
  }
  return best;
}
