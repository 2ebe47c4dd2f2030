import type { ContextUnit, UnitType } from '../types.js';
import type { WeightInput } from '../weights.js';

/** What weighing needs of a unit. */
export interface UnitFacts {
  type: UnitType;
  kind: ContextUnit['kind'];
  tokens: number;
  /** When this version of the content was first seen. */
  firstSeen: number;
}

/** What weighing takes of a unit: its facts, `now` as its first sighting when unknown. */
export function weightInput(
  entry: { retrieval: number },
  unit: UnitFacts | undefined,
  now: number,
): WeightInput {
  return {
    type: unit?.type ?? 'External',
    retrieval: entry.retrieval,
    createdAt: unit?.firstSeen ?? now,
    length: unit?.tokens ?? 0,
  };
}

const TYPES: readonly UnitType[] = ['External', 'User', 'ModelState', 'System'];
const KINDS: ReadonlyArray<ContextUnit['kind']> = ['tool', 'resource', 'prompt'];

/** Numbers kept per unit: retrieval, first seen, tokens, type and kind (as indexes). */
const FIELDS = 5;
const [RETRIEVAL, FIRST_SEEN, TOKENS, TYPE, KIND] = [0, 1, 2, 3, 4];

/** The request ids of this many of the latest captures are kept (older ones: the timeline). */
const RECENT_REQUESTS = 256;

/**
 * The units an open response has collected, kept compact: one slot per unit (its id in a list,
 * its numbers in one growing Float64Array) rather than an object or two per unit, because a
 * long-open response holds every unit it collected until it closes, and every object kept that
 * long is copied by the garbage collector on its way to the old generation (docs/performance.md,
 * "Tracing cost"). The request ids of the latest captures are kept in a bounded ring.
 */
export class ResponseUnits {
  private readonly slots = new Map<string, number>();
  private readonly ids: string[] = [];
  private numbers = new Float64Array(8 * FIELDS);
  private readonly recent: Array<[requestId: string, slot: number]> = [];
  private next = 0;

  get size(): number {
    return this.ids.length;
  }

  has(unitId: string): boolean {
    return this.slots.has(unitId);
  }

  /**
   * Adds a capture of a unit (seen before in this response: it keeps its best retrieval) and
   * returns its slot, for {@link setFacts} once its type and size are known.
   */
  add(
    unitId: string,
    kind: ContextUnit['kind'],
    retrieval: number,
    requestId: string | null,
    now: number,
  ): number {
    let slot = this.slots.get(unitId);
    if (slot === undefined) {
      slot = this.ids.length;
      this.ids.push(unitId);
      this.slots.set(unitId, slot);
      if ((slot + 1) * FIELDS > this.numbers.length) {
        const grown = new Float64Array(this.numbers.length * 2);
        grown.set(this.numbers);
        this.numbers = grown;
      }
      const at = slot * FIELDS;
      this.numbers[at + RETRIEVAL] = retrieval;
      this.numbers[at + FIRST_SEEN] = now;
      this.numbers[at + TOKENS] = 0;
      this.numbers[at + TYPE] = 0;
      this.numbers[at + KIND] = KINDS.indexOf(kind);
    } else {
      const at = slot * FIELDS + RETRIEVAL;
      this.numbers[at] = Math.max(this.numbers[at] as number, retrieval);
    }
    if (requestId !== null) {
      if (this.recent.length < RECENT_REQUESTS) this.recent.push([requestId, slot]);
      else this.recent[this.next] = [requestId, slot];
      this.next = (this.next + 1) % RECENT_REQUESTS;
    }
    return slot;
  }

  setFacts(slot: number, type: UnitType, tokens: number): void {
    this.numbers[slot * FIELDS + TYPE] = TYPES.indexOf(type);
    this.numbers[slot * FIELDS + TOKENS] = tokens;
  }

  /** Each unit with its best retrieval, in the order they were first captured. */
  entries(): Array<{ unitId: string; retrieval: number }> {
    return this.ids.map((unitId, slot) => ({
      unitId,
      retrieval: this.numbers[slot * FIELDS + RETRIEVAL] as number,
    }));
  }

  facts(unitId: string): UnitFacts | undefined {
    const slot = this.slots.get(unitId);
    if (slot === undefined) return undefined;
    const at = slot * FIELDS;
    return {
      type: TYPES[this.numbers[at + TYPE] as number] ?? 'External',
      kind: KINDS[this.numbers[at + KIND] as number] ?? 'tool',
      tokens: this.numbers[at + TOKENS] as number,
      firstSeen: this.numbers[at + FIRST_SEEN] as number,
    };
  }

  /** The latest captures' request ids (as JSON) with their units, in no particular order. */
  requests(): Array<{ requestId: string; unitId: string }> {
    return this.recent.map(([requestId, slot]) => ({
      requestId,
      unitId: this.ids[slot] as string,
    }));
  }
}
