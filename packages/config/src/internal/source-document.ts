import type { PathSegment } from './field-path.js';

/** A 1-based position in a configuration text. */
export type Position = { line: number; column: number };

/**
 * Where to point for a path: at the key that introduces it (unknown keys, misnamed server
 * names) or at its value (wrong types, bad values).
 */
export type LocateTarget = 'key' | 'value';

/**
 * Finds the position of a path in the source, or of its nearest ancestor that exists (a missing
 * key is reported where its object starts).
 */
export type Locator = (path: readonly PathSegment[], target: LocateTarget) => Position | undefined;

/** A parsed configuration: plain data plus a way back from a field path to its position. */
export interface SourceDocument {
  data: unknown;
  locate: Locator;
}
