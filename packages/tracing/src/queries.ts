import type { LruCache } from './internal/lru.js';
import type { WeightedEntry } from './internal/response-book.js';
import type { StoredUnit, TraceStore, TraceWrite } from './store.js';
import type {
  AnswerRecord,
  ContextUnit,
  FeedbackRecord,
  ResponseDetail,
  ResponseSummary,
  TraceQueries,
  UnitDetail,
  WeightedContext,
} from './types.js';

/** Scores at or beyond these (with at least one feedback) make a unit top or deprecated. */
export const TOP_THRESHOLD = 0.5;
export const DEPRECATED_THRESHOLD = -0.5;

/** What the queries need of the tracer: its store, its cache and its open responses. */
export interface QuerySource {
  store: TraceStore;
  cache: LruCache<unknown>;
  /** Applies queued writes, so a read sees every capture made before it. */
  sync(): void;
  /** An open response with the weights closing it now would give, or undefined. */
  openResponse(id: string): { summary: ResponseSummary; contexts: WeightedEntry[] } | undefined;
}

export interface CachedQueries extends TraceQueries {
  /** Drops the cached rows a write makes stale (as it is queued). */
  invalidate(write: TraceWrite): void;
  /** Drops every cached list (as a batch goes to the store). */
  invalidateLists(): void;
}

/** The public shape of a stored unit (without its internal source key). */
export function publicUnit(unit: StoredUnit): ContextUnit {
  const { sourceKey: _, ...rest } = unit;
  return rest;
}

/**
 * Reads through an LRU cache of rows (units, responses, lineage, answers, feedback per response,
 * version lists) and of list results; details are composed from cached rows, so a write
 * invalidates only the rows it touched (and every list).
 */
export function createQueries(source: QuerySource): CachedQueries {
  const { store, cache } = source;
  const cached = <T>(key: string, load: () => T): T => {
    const hit = cache.get(key);
    if (hit !== undefined) return hit as T;
    const value = load();
    if (value !== undefined) cache.set(key, value);
    return value;
  };
  const list = <T>(key: string, load: () => T): T => {
    source.sync();
    return cached(`list:${key}`, load);
  };

  const units = (ids: readonly string[]): Map<string, StoredUnit> => {
    const found = new Map<string, StoredUnit>();
    const missing: string[] = [];
    for (const id of ids) {
      const hit = cache.get(`unit:${id}`) as StoredUnit | undefined;
      if (hit) found.set(id, hit);
      else missing.push(id);
    }
    for (const unit of missing.length > 0 ? store.units(missing) : []) {
      cache.set(`unit:${unit.id}`, unit);
      found.set(unit.id, unit);
    }
    return found;
  };

  const weighted = (entries: readonly WeightedEntry[]): WeightedContext[] => {
    const rows = units(entries.map((e) => e.unitId));
    return [...entries]
      .sort((a, b) => b.weight - a.weight)
      .map((e) => {
        const unit = rows.get(e.unitId);
        return {
          unitId: e.unitId,
          weight: e.weight,
          retrieval: e.retrieval,
          unit: unit ? publicUnit(unit) : null,
        };
      });
  };

  return {
    responses(filter = {}) {
      const key = JSON.stringify(['responses', filter]);
      const rows = list(key, () => store.responses(filter));
      return rows.map((r) => (r.status === 'open' ? (source.openResponse(r.id)?.summary ?? r) : r));
    },
    response(id) {
      source.sync();
      const open = source.openResponse(id);
      if (open)
        return { ...open.summary, contexts: weighted(open.contexts), answer: null, feedback: [] };
      const summary = cached(`response:${id}`, () => store.response(id));
      if (!summary) return undefined;
      const detail: ResponseDetail = {
        ...summary,
        contexts: weighted(cached(`lineage:${id}`, () => store.lineage(id))),
        answer: cached<AnswerRecord | null>(`answer:${id}`, () => store.answer(id) ?? null),
        feedback: cached<FeedbackRecord[]>(`feedbackOf:${id}`, () =>
          store.feedback({ responseId: id, limit: 1000 }),
        ),
      };
      return detail;
    },
    unit(id) {
      source.sync();
      const unit = units([id]).get(id);
      if (!unit) return undefined;
      const listed = cached(`versions:${unit.sourceKey}`, () =>
        store.unitVersions(unit.sourceKey).map((u) => u.id),
      );
      // A source of one version has no list in the store: the unit is its only version.
      const versionIds = listed.length > 0 ? listed : [unit.id];
      const versionRows = units(versionIds);
      const detail: UnitDetail = {
        ...publicUnit(unit),
        versions: versionIds.flatMap((v) => {
          const row = versionRows.get(v);
          return row ? [publicUnit(row)] : [];
        }),
        impact: cached(`impact:${id}`, () => store.unitImpact(id, { limit: 100 })),
      };
      return detail;
    },
    feedback: (filter = {}) =>
      list(JSON.stringify(['feedback', filter]), () => store.feedback(filter)),
    topContexts: (limit = 20) =>
      list(`top:${limit}`, () => store.scoredUnits({ min: TOP_THRESHOLD, limit }).map(publicUnit)),
    deprecatedContexts: (limit = 20) =>
      list(`deprecated:${limit}`, () =>
        store.scoredUnits({ max: DEPRECATED_THRESHOLD, limit }).map(publicUnit),
      ),
    sessionTimeline: (sessionId) =>
      list(JSON.stringify(['timeline', sessionId]), () => store.timeline(sessionId)),
    messages: (sessionId) =>
      list(JSON.stringify(['messages', sessionId]), () => store.messages(sessionId)),
    sessions: (limit = 100) => list(`sessions:${limit}`, () => store.sessions(limit)),
    invalidateLists() {
      cache.deletePrefix('list:');
    },
    invalidate(w) {
      switch (w.type) {
        case 'unit':
          cache.delete(`unit:${w.unit.id}`);
          cache.delete(`versions:${w.unit.sourceKey}`);
          break;
        case 'response':
          cache.delete(`response:${w.response.id}`);
          break;
        case 'lineage':
          cache.delete(`lineage:${w.responseId}`);
          cache.deletePrefix('impact:');
          break;
        case 'feedback':
          cache.delete(`feedbackOf:${w.feedback.responseId}`);
          for (const s of w.scores) cache.delete(`unit:${s.unitId}`);
          break;
        case 'answer':
          cache.delete(`answer:${w.answer.responseId}`);
          break;
        default:
          break;
      }
    },
  };
}
