/**
 * The MCP protocol revisions Switchyard speaks (spec P1), oldest first. `2024-10-07` is accepted
 * as an alias of `2024-11-05`, as the SDK does.
 */
export const LEGACY_REVISIONS = ['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25'] as const;
export const MODERN_REVISIONS = ['2026-07-28'] as const;
export const REVISIONS = [...LEGACY_REVISIONS, ...MODERN_REVISIONS] as const;

export type LegacyRevision = (typeof LEGACY_REVISIONS)[number];
export type Revision = (typeof REVISIONS)[number];
export type Era = 'legacy' | 'modern';

/** The newest handshake-based revision: what the proxy offers backends and answers unknown clients with. */
export const LATEST_LEGACY_REVISION: LegacyRevision = '2025-11-25';

const ALIASES: Readonly<Record<string, Revision>> = { '2024-10-07': '2024-11-05' };

/** Resolves a revision string (including aliases) to a supported revision, or undefined. */
export function resolveRevision(value: unknown): Revision | undefined {
  if (typeof value !== 'string') return undefined;
  const aliased = ALIASES[value];
  if (aliased) return aliased;
  return (REVISIONS as readonly string[]).includes(value) ? (value as Revision) : undefined;
}

/** The era of a revision: `initialize`-based legacy, or stateless modern (protocol.md §0). */
export function eraOf(revision: Revision): Era {
  return (MODERN_REVISIONS as readonly string[]).includes(revision) ? 'modern' : 'legacy';
}

/** Orders two revisions by date; negative when `a` is older. */
export function compareRevisions(a: Revision, b: Revision): number {
  return REVISIONS.indexOf(a) - REVISIONS.indexOf(b);
}

/**
 * What each revision defines, for the code that must decide what a hop may carry. Facts from
 * protocol.md §2.5.
 */
export interface RevisionFeatures {
  /** JSON-RPC batches (2025-03-26 only). */
  batches: boolean;
  /** `audio` content blocks. */
  audioContent: boolean;
  /** `resource_link` content blocks, `structuredContent`, `outputSchema`, `title`, elicitation. */
  resourceLinks: boolean;
  structuredContent: boolean;
  elicitation: boolean;
  /** `completion/complete` and the `completions` capability. */
  completions: boolean;
  /** The `MCP-Protocol-Version` HTTP header. */
  protocolVersionHeader: boolean;
  /** `icons`, URL-mode elicitation, sampling with tools, tasks. */
  icons: boolean;
}

const FEATURES: Readonly<Record<Revision, RevisionFeatures>> = {
  '2024-11-05': {
    batches: false,
    audioContent: false,
    resourceLinks: false,
    structuredContent: false,
    elicitation: false,
    completions: false,
    protocolVersionHeader: false,
    icons: false,
  },
  '2025-03-26': {
    batches: true,
    audioContent: true,
    resourceLinks: false,
    structuredContent: false,
    elicitation: false,
    completions: true,
    protocolVersionHeader: false,
    icons: false,
  },
  '2025-06-18': {
    batches: false,
    audioContent: true,
    resourceLinks: true,
    structuredContent: true,
    elicitation: true,
    completions: true,
    protocolVersionHeader: true,
    icons: false,
  },
  '2025-11-25': {
    batches: false,
    audioContent: true,
    resourceLinks: true,
    structuredContent: true,
    elicitation: true,
    completions: true,
    protocolVersionHeader: true,
    icons: true,
  },
  '2026-07-28': {
    batches: false,
    audioContent: true,
    resourceLinks: true,
    structuredContent: true,
    elicitation: true,
    completions: true,
    protocolVersionHeader: true,
    icons: true,
  },
};

/** The feature table of one revision. */
export function featuresOf(revision: Revision): RevisionFeatures {
  return FEATURES[revision];
}

/**
 * Legacy `initialize` negotiation from the server side (protocol.md §4.1): echo the requested
 * revision when it is a supported legacy one (aliases resolved), otherwise offer the latest.
 */
export function negotiateLegacyRevision(requested: unknown): LegacyRevision {
  const revision = resolveRevision(requested);
  if (revision && eraOf(revision) === 'legacy') return revision as LegacyRevision;
  return LATEST_LEGACY_REVISION;
}

/**
 * Whether a client accepts a server's counter-offer: any supported legacy revision is acceptable
 * (what the proxy does as a client of its backends, §4.3).
 */
export function acceptsLegacyRevision(offered: unknown): offered is LegacyRevision {
  const revision = resolveRevision(offered);
  return revision !== undefined && eraOf(revision) === 'legacy';
}
