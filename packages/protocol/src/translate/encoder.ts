import type { JsonObject } from '../jsonrpc.js';
import { featuresOf, type LegacyRevision, type RevisionFeatures } from '../revisions.js';

/**
 * Something a hop could not carry as it was: logged and counted by whoever listens
 * (docs/protocol-versions.md, "Drops are counted").
 */
export interface TranslationEvent {
  /** Revision of the peer the message came from. */
  from: LegacyRevision;
  /** Revision of the peer it goes to. */
  to: LegacyRevision;
  /** What was affected, e.g. `content.audio`, `tool.outputSchema`. */
  feature: string;
  /** `converted`: carried in another form the target defines; `dropped`: lost. */
  action: 'converted' | 'dropped';
}

/** One direction of one hop: who speaks which revision, and who hears about losses. */
export interface Hop {
  from: LegacyRevision;
  to: LegacyRevision;
  /**
   * The receiving peer's declared capabilities, where they narrow what may be sent (a client that
   * declared elicitation without `url`, or sampling without `tools`).
   */
  peerCapabilities?: JsonObject;
  report?: (event: TranslationEvent) => void;
}

/** The state of one translation: the target's features and the report of what changed. */
export interface Encoder {
  readonly features: RevisionFeatures;
  readonly peerCapabilities: JsonObject | undefined;
  dropped(feature: string): void;
  converted(feature: string): void;
  /** A number unique within this translation (synthetic URIs). */
  nextId(): number;
  /** `value` without `key`, reported as dropped under `feature` when it was there. */
  omit(value: JsonObject, key: string, feature: string): JsonObject;
}

export function encoderFor(hop: Hop): Encoder {
  let counter = 0;
  const emit = (feature: string, action: TranslationEvent['action']) =>
    hop.report?.({ from: hop.from, to: hop.to, feature, action });
  const dropped = (feature: string) => emit(feature, 'dropped');
  return {
    features: featuresOf(hop.to),
    peerCapabilities: hop.peerCapabilities,
    dropped,
    converted: (feature) => emit(feature, 'converted'),
    nextId: () => ++counter,
    omit(value, key, feature) {
      if (!(key in value)) return value;
      const { [key]: _removed, ...rest } = value;
      dropped(feature);
      return rest;
    },
  };
}
