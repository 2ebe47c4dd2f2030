/**
 * The MCP protocol revisions Switchyard speaks, oldest first. `2024-10-07` is accepted as an alias
 * of `2024-11-05`, as the SDK does.
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

/**
 * The era of a revision: `initialize`-based legacy (2024-11-05 to 2025-11-25), or stateless modern
 * (2026-07-28, which has no `initialize` and no session).
 */
export function eraOf(revision: Revision): Era {
  return (MODERN_REVISIONS as readonly string[]).includes(revision) ? 'modern' : 'legacy';
}

/** Orders two revisions by date; negative when `a` is older. */
export function compareRevisions(a: Revision, b: Revision): number {
  return REVISIONS.indexOf(a) - REVISIONS.indexOf(b);
}

/**
 * What each revision defines, for the code that must decide what a hop may carry: the features
 * that differ between revisions, as each revision's schema defines them (the schemas of the legacy
 * revisions are under `schema/`).
 */
export interface RevisionFeatures {
  /** JSON-RPC batches (2025-03-26 only). */
  batches: boolean;
  /** `audio` content blocks. */
  audioContent: boolean;
  /** `Tool.annotations` (hints and a display title). */
  toolAnnotations: boolean;
  /** The `completions` server capability (`completion/complete` itself exists in every revision). */
  completions: boolean;
  /** `notifications/progress` carries a `message`. */
  progressMessage: boolean;
  /** `resource_link` content blocks. */
  resourceLinks: boolean;
  /** `Tool.outputSchema` and `CallToolResult.structuredContent`. */
  structuredContent: boolean;
  /** `title` on tools, prompts, arguments, resources, templates and implementations. */
  title: boolean;
  /** `elicitation/create` in form mode, and the `elicitation` client capability. */
  elicitation: boolean;
  /** `completion/complete` params carry `context.arguments`. */
  completionContext: boolean;
  /** `Annotations.lastModified`. */
  annotationsLastModified: boolean;
  /** The `MCP-Protocol-Version` HTTP header. */
  protocolVersionHeader: boolean;
  /** `icons` on tools, prompts, resources, templates, links and implementations. */
  icons: boolean;
  /** `Implementation.description` and `websiteUrl`. */
  implementationDetails: boolean;
  /** URL-mode elicitation, `notifications/elicitation/complete`. */
  urlElicitation: boolean;
  /** Defaults on string, number and enum elicitation fields (booleans always had them). */
  elicitationDefaults: boolean;
  /** Titled (`oneOf` const/title) and multi-select enum elicitation fields. */
  titledEnums: boolean;
  /** Sampling with `tools`, `toolChoice`, tool-use content and content arrays. */
  samplingTools: boolean;
  /** Tasks (`execution.taskSupport`, the `task` param, `tasks/*`, the `tasks` capability). */
  tasks: boolean;
}

type Feature = keyof RevisionFeatures;

/** The revision that introduced each feature; batches also left after it. */
const INTRODUCED: Readonly<Record<Feature, Revision>> = {
  batches: '2025-03-26',
  audioContent: '2025-03-26',
  toolAnnotations: '2025-03-26',
  completions: '2025-03-26',
  progressMessage: '2025-03-26',
  resourceLinks: '2025-06-18',
  structuredContent: '2025-06-18',
  title: '2025-06-18',
  elicitation: '2025-06-18',
  completionContext: '2025-06-18',
  annotationsLastModified: '2025-06-18',
  protocolVersionHeader: '2025-06-18',
  icons: '2025-11-25',
  implementationDetails: '2025-11-25',
  urlElicitation: '2025-11-25',
  elicitationDefaults: '2025-11-25',
  titledEnums: '2025-11-25',
  samplingTools: '2025-11-25',
  tasks: '2025-11-25',
};

const FEATURES = Object.fromEntries(
  REVISIONS.map((revision) => {
    const features = Object.fromEntries(
      Object.entries(INTRODUCED).map(([feature, since]) => [
        feature,
        feature === 'batches' ? revision === since : compareRevisions(revision, since) >= 0,
      ]),
    ) as unknown as RevisionFeatures;
    return [revision, Object.freeze(features)];
  }),
) as unknown as Readonly<Record<Revision, RevisionFeatures>>;

/** The feature table of one revision. */
export function featuresOf(revision: Revision): RevisionFeatures {
  return FEATURES[revision];
}

/**
 * Legacy `initialize` negotiation from the server side (MCP 2025-11-25, Basic: Lifecycle, Version
 * Negotiation): echo the requested revision when it is a supported legacy one (aliases resolved),
 * otherwise offer the latest.
 */
export function negotiateLegacyRevision(requested: unknown): LegacyRevision {
  const revision = resolveRevision(requested);
  if (revision && eraOf(revision) === 'legacy') return revision as LegacyRevision;
  return LATEST_LEGACY_REVISION;
}

/**
 * Whether a client accepts a server's counter-offer: any supported legacy revision is acceptable
 * (what the proxy does as a client of its backends: MCP 2025-11-25, Basic: Lifecycle, Version
 * Negotiation).
 */
export function acceptsLegacyRevision(offered: unknown): offered is LegacyRevision {
  const revision = resolveRevision(offered);
  return revision !== undefined && eraOf(revision) === 'legacy';
}
