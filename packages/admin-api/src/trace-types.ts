/**
 * Context tracing as `/api/traces` and `/api/answers` answer it (docs/tracing.md). The same shapes
 * as `@switchyard/tracing`'s queries, which the proxy returns as they are (a compile-time check in
 * apps/proxy keeps them equal); repeated here so this package stays browser-safe.
 */

/** Where a context unit comes from, as the weighting's type factor sees it. */
export type UnitType = 'System' | 'User' | 'External' | 'ModelState';

export interface CacheStats {
  size: number;
  capacity: number;
  hits: number;
  misses: number;
  evictions: number;
}

export interface AnswerInput {
  responseId?: string;
  sessionId?: string;
  traceparent?: string;
  unitIds?: string[];
  requestIds?: Array<string | number>;
  citations?: Array<{ unitId: string; quote?: string; note?: string }>;
  agent?: string;
  model?: string;
}

export interface AnswerResult {
  answerId: string;
  responseId: string;
  sessionId: string;
  /** How the response was found. */
  correlatedBy: 'response_id' | 'traceparent' | 'session';
  /** The response's units after the answer, with their recomputed weights. */
  contexts: Array<{ unitId: string; weight: number }>;
}

export interface FeedbackInput {
  responseId: string;
  score: number;
  feedbackText?: string;
  userId?: string;
}

export interface FeedbackResult {
  feedbackId: string;
  responseId: string;
  score: number;
  at: number;
  contextsUpdated: number;
  /** Mean of (new − old) over the updated units. */
  avgScoreChange: number;
  units: Array<{ unitId: string; weight: number; oldScore: number; newScore: number }>;
}

/** A context unit, as every query returns it. Times are epoch ms; absent values are null. */
export interface ContextUnit {
  id: string;
  type: UnitType;
  server: string;
  kind: 'tool' | 'resource' | 'prompt';
  /** Tool or prompt name, or resource URI. */
  name: string;
  /** sha256 of the canonical (sorted-key) JSON of the redacted arguments. */
  argumentsHash: string;
  contentHash: string;
  version: number;
  previousVersionId: string | null;
  sizeBytes: number;
  tokens: number;
  summary: string;
  firstSeen: number;
  lastSeen: number;
  seenCount: number;
  score: number;
  scoreWeight: number;
  feedbackCount: number;
}

export interface WeightedContext {
  unitId: string;
  weight: number;
  retrieval: number;
  unit: ContextUnit | null;
}

export interface ResponseSummary {
  id: string;
  sessionId: string;
  principal: string | null;
  status: 'open' | 'closed';
  openedAt: number;
  closedAt: number | null;
  closeReason: 'explicit' | 'feedback' | 'idle' | 'answer' | 'limit' | 'shutdown' | null;
  unitCount: number;
  agent: string | null;
  model: string | null;
}

export interface FeedbackRecord {
  id: string;
  responseId: string;
  score: number;
  feedbackText: string | null;
  userId: string | null;
  at: number;
}

export interface AnswerRecord {
  id: string;
  responseId: string;
  at: number;
  agent: string | null;
  model: string | null;
  unitIds: string[];
  citations: Array<{ unitId: string; quote: string | null; note: string | null }>;
}

export interface ResponseDetail extends ResponseSummary {
  /** Heaviest first; for an open response the weights are what closing now would give. */
  contexts: WeightedContext[];
  answer: AnswerRecord | null;
  feedback: FeedbackRecord[];
}

export interface ImpactEntry {
  responseId: string;
  sessionId: string;
  weight: number;
  closedAt: number | null;
}

export interface UnitDetail extends ContextUnit {
  /** Every version of this source, version 1 first. */
  versions: ContextUnit[];
  /** Responses this unit contributed to, newest first. */
  impact: ImpactEntry[];
}

export interface TimelineEntry {
  seq: number;
  at: number;
  requestId: string | number | null;
  toolCallId: string | null;
  traceparent: string | null;
  server: string;
  kind: 'tool' | 'resource' | 'prompt';
  name: string;
  unitId: string;
  responseId: string;
}

export interface RecordedMessage {
  seq: number;
  at: number;
  hop: 'client' | 'backend';
  direction: 'in' | 'out';
  server: string | null;
  message: unknown;
}

export interface TraceSessionSummary {
  sessionId: string;
  principal: string | null;
  firstAt: number;
  lastAt: number;
  captures: number;
  responses: number;
}

export interface ResponseFilter {
  sessionId?: string;
  since?: number;
  until?: number;
  limit?: number;
}

export interface TracingStats {
  queued: number;
  flushed: number;
  dropped: number;
  lastError: { message: string; at: number } | null;
  openResponses: number;
  knownUnits: number;
  cache: CacheStats;
}

/** `GET /api/traces/quality`: the best and the worst rated units (docs/tracing.md, "Quality"). */
export interface TraceQuality {
  top: ContextUnit[];
  deprecated: ContextUnit[];
}
