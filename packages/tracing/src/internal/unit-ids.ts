import type { CapturedUnit } from '../store.js';
import type { CaptureInput } from '../types.js';
import { sha256 as digest } from './canonical.js';
import type { Cleaner } from './clean.js';
import { contentFacts } from './content.js';
import { UNIT_PART_CHARS, UNIT_PREFIX } from './ids.js';

/** Top-level `_meta` is transport metadata (and where the proxy adds its ids), not content. */
function withoutMeta(content: unknown): unknown {
  if (typeof content !== 'object' || content === null || Array.isArray(content)) return content;
  if (!('_meta' in content)) return content;
  const { _meta: _, ...rest } = content as Record<string, unknown>;
  return rest;
}

/** What the id of a unit is made from, and the write that records its capture. */
export interface IdentifiedUnit {
  id: string;
  /** The write, made later (off the request path): the store assigns its version. */
  write(): { type: 'unit'; unit: CapturedUnit };
}

/**
 * The id of a capture's unit (redacted by `clean`), from its content alone: `ctx_` + 12
 * characters naming the source (server, kind, name, hash of the canonical arguments) + 12 naming
 * the content. The same content from the same source is the same unit without any lookup, and the
 * versions of a source sort together in the store's primary key, where the store finds the latest
 * to link a new version to (docs/tracing.md, "The model"). Nothing is held in memory per unit.
 */
export function identifyUnit(input: CaptureInput, clean: Cleaner, now: number): IdentifiedUnit {
  const canonicalArgs = clean.canonical(input.arguments ?? null).text;
  const { value: content, text: canonical } = clean.canonical(withoutMeta(input.content));
  const { server, kind, name } = input;
  // Two digests on the request path (the arguments' own is made later). The names go in as a
  // JSON array, so that no name can run into the next (a URI may hold anything).
  const sourceKey = digest(`${JSON.stringify([server, kind, name])}${canonicalArgs}`).slice(
    0,
    UNIT_PART_CHARS,
  );
  const contentHash = digest(canonical);
  const id = `${UNIT_PREFIX}${sourceKey}${contentHash.slice(0, UNIT_PART_CHARS)}`;
  return {
    id,
    write: () => {
      const { type, tokens, summary } = contentFacts(kind, name, content);
      const unit: CapturedUnit = {
        id,
        sourceKey,
        type,
        server,
        kind,
        name,
        argumentsHash: digest(canonicalArgs),
        contentHash,
        sizeBytes: Buffer.byteLength(canonical),
        tokens,
        summary,
        at: now,
      };
      return { type: 'unit' as const, unit };
    },
  };
}
