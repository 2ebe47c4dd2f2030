import type { StoredUnit, TraceStore, TraceWrite, UnitIndexEntry } from '../store.js';
import type { CaptureInput } from '../types.js';
import { canonicalJson, sha256 } from './canonical.js';
import { contentFacts } from './content.js';
import { timeOrderedUuid } from './ids.js';

interface SourceIndex {
  latest: UnitIndexEntry;
  /** Every version by content hash, made when the source has a second version. */
  byHash?: Map<string, UnitIndexEntry>;
}

const versionOf = (source: SourceIndex | undefined, contentHash: string) =>
  source?.byHash
    ? source.byHash.get(contentHash)
    : source?.latest.contentHash === contentHash
      ? source.latest
      : undefined;

/** Top-level `_meta` is transport metadata (and where the proxy adds its ids), not content. */
function withoutMeta(content: unknown): unknown {
  if (typeof content !== 'object' || content === null || Array.isArray(content)) return content;
  if (!('_meta' in content)) return content;
  const { _meta: _, ...rest } = content as Record<string, unknown>;
  return rest;
}

/**
 * Every unit the tracer knows, by source (server, kind, name, arguments hash) and content hash,
 * held in memory so that capture decides "same unit or new version" without reading the store.
 * It is loaded from the store once at start (and again after retention deleted units).
 */
export class UnitIndex {
  private readonly sources = new Map<string, SourceIndex>();
  private readonly byId = new Map<string, UnitIndexEntry>();

  constructor(private readonly store: TraceStore) {
    this.load();
  }

  get size(): number {
    return this.byId.size;
  }

  get(id: string): UnitIndexEntry | undefined {
    return this.byId.get(id);
  }

  load(): void {
    this.sources.clear();
    this.byId.clear();
    for (const entry of this.store.unitIndex()) this.add(entry);
  }

  /**
   * The unit for this (already redacted) capture: the same one when this source returned this
   * content before, else a new unit, version 1 or the next version of the source's latest.
   * Returns how to make the write that records it (made later, off the request path).
   */
  resolve(
    input: CaptureInput,
    args: unknown,
    content: unknown,
    now: number,
  ): { unit: UnitIndexEntry; write: () => TraceWrite } {
    const argumentsHash = sha256(canonicalJson(args === undefined ? null : args));
    const canonical = canonicalJson(withoutMeta(content));
    const contentHash = sha256(canonical);
    const sourceKey = JSON.stringify([input.server, input.kind, input.name, argumentsHash]);
    const source = this.sources.get(sourceKey);
    const same = versionOf(source, contentHash);
    if (same) return { unit: same, write: () => ({ type: 'seen', unitId: same.id, at: now }) };
    const facts = contentFacts(input.kind, input.name, content);
    const previous = source?.latest;
    const id = `ctx_${timeOrderedUuid(now)}`;
    const version = previous ? previous.version + 1 : 1;
    const { type, tokens, summary } = facts;
    const { kind, server, name } = input;
    const unit: UnitIndexEntry = {
      id,
      sourceKey,
      contentHash,
      version,
      type,
      kind,
      tokens,
      firstSeen: now,
    };
    this.add(unit);
    const previousVersionId = previous?.id ?? null;
    const write = (): TraceWrite => {
      // One literal with every member (not a spread of `unit`): V8 builds it on a fast path.
      const stored: StoredUnit = {
        id,
        sourceKey,
        type,
        server,
        kind,
        name,
        argumentsHash,
        contentHash,
        version,
        previousVersionId,
        sizeBytes: Buffer.byteLength(canonical),
        tokens,
        summary,
        firstSeen: now,
        lastSeen: now,
        seenCount: 1,
        score: 0,
        scoreWeight: 0,
        feedbackCount: 0,
      };
      return { type: 'unit', unit: stored };
    };
    return { unit, write };
  }

  private add(entry: UnitIndexEntry): void {
    this.byId.set(entry.id, entry);
    const source = this.sources.get(entry.sourceKey);
    if (!source) {
      this.sources.set(entry.sourceKey, { latest: entry });
      return;
    }
    source.byHash ??= new Map([[source.latest.contentHash, source.latest]]);
    source.byHash.set(entry.contentHash, entry);
    if (entry.version > source.latest.version) source.latest = entry;
  }
}
