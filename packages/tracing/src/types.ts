import type { JsonObject } from '@switchyard/protocol';
import type { CacheStats } from './internal/lru.js';

/** Where a context unit comes from, as the weighting's type factor sees it. */
export type UnitType = 'System' | 'User' | 'External' | 'ModelState';

/** Factor weights of the composite; default 0.4 / 0.3 / 0.2 / 0.1, summing to 1 ± 0.01. */
export interface WeightFactors {
  retrieval: number;
  recency: number;
  type: number;
  length: number;
}

export interface CaptureInput {
  sessionId: string;
  principal?: string;
  server: string;
  kind: 'tool' | 'resource' | 'prompt';
  /** The backend's own tool or prompt name, or the resource URI. */
  name: string;
  arguments?: unknown;
  /** What went to the client: the tools/call, resources/read or prompts/get result. */
  content: unknown;
  requestId?: string | number;
  traceparent?: string;
  toolCallId?: string;
  /** Retrieval score 0..1; default 0.8 tools, 0.7 resources, 0.6 prompts. */
  retrieval?: number;
}

/** The four messages of one exchange on both hops, for {@link Tracer.recordExchange}. */
export interface ExchangeMessages {
  sessionId: string;
  server: string;
  /** When the request crossed the proxy, and when its answer did (epoch ms). */
  requestedAt: number;
  answeredAt: number;
  /** What the client sent (client in) and what went to the backend (backend out). */
  request: unknown;
  forwarded: unknown;
  /** What the backend answered (backend in) and what the client got (client out). */
  answer: unknown;
  /**
   * What the client got. Instead, `replyMeta` when it got the answer's `result` unchanged but for
   * these entries added to its `_meta`: the reply is then made from the answer's text, so a large
   * result is serialised once, not twice.
   */
  reply?: unknown;
  replyMeta?: Record<string, unknown>;
}

export interface CaptureResult {
  responseId: string;
  /** Derived from the content and its source; the store assigns its version (docs/tracing.md). */
  unitId: string;
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
  /**
   * sha256 of the canonical (sorted-key) JSON of the redacted arguments, base64url (hex for
   * units written by earlier builds).
   */
  argumentsHash: string;
  /** sha256 of the canonical JSON of the content without its top-level `_meta`, likewise. */
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

export interface SessionSummary {
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

/** Reads; each returns plain JSON-serialisable data (the admin API returns it as is). */
export interface TraceQueries {
  responses(filter?: ResponseFilter): ResponseSummary[];
  response(id: string): ResponseDetail | undefined;
  unit(id: string): UnitDetail | undefined;
  feedback(filter?: { since?: number; limit?: number }): FeedbackRecord[];
  /** Units with score ≥ 0.5 and at least one feedback, best first. */
  topContexts(limit?: number): ContextUnit[];
  /** Units with score ≤ −0.5 and at least one feedback, worst first. */
  deprecatedContexts(limit?: number): ContextUnit[];
  sessionTimeline(sessionId: string): TimelineEntry[];
  messages(sessionId: string): RecordedMessage[];
  sessions(limit?: number): SessionSummary[];
}

export interface TracingStats {
  queued: number;
  flushed: number;
  dropped: number;
  lastError: { message: string; at: number } | null;
  openResponses: number;
  /** Units in the store (committed), counted at most every 10 s. */
  knownUnits: number;
  cache: CacheStats;
}

/** A tool of the `tracing` server (the router's VirtualTool, field for field). */
export interface VirtualTool {
  name: string;
  title?: string;
  description: string;
  inputSchema: JsonObject;
  annotations?: JsonObject;
  call(args: JsonObject): Promise<JsonObject>;
}

export interface VirtualResource {
  uri: string;
  name: string;
  description?: string;
  mimeType?: string;
  read(): Promise<string>;
}

export interface VirtualResourceTemplate {
  uriTemplate: string;
  name: string;
  description?: string;
  mimeType?: string;
  read(uri: string): Promise<string | undefined>;
}

export interface TracingServerDefinition {
  name: 'tracing';
  version: string;
  instructions?: string;
  tools: VirtualTool[];
  resources: VirtualResource[];
  resourceTemplates: VirtualResourceTemplate[];
}

export interface Tracer {
  /** Synchronous and cheap: hashing and in-memory bookkeeping; the write is queued. */
  capture(input: CaptureInput): CaptureResult;
  recordMessage(
    sessionId: string,
    hop: 'client' | 'backend',
    direction: 'in' | 'out',
    message: unknown,
    server?: string,
  ): void;
  /** The four messages of one exchange: the same records as four `recordMessage`, for less. */
  recordExchange(exchange: ExchangeMessages): void;
  /** Closes the session's open response; its id, or undefined when none was open. */
  closeResponse(sessionId: string): string | undefined;
  /** @throws TracingError `not_found` or `invalid` */
  recordAnswer(input: AnswerInput): AnswerResult;
  /** Closes the response if open. @throws TracingError `not_found` or `invalid` */
  submitFeedback(input: FeedbackInput): FeedbackResult;
  readonly queries: TraceQueries;
  readonly server: TracingServerDefinition;
  stats(): TracingStats;
  flush(): Promise<void>;
  /** Closes open responses, flushes, stops timers and closes the store. */
  close(): Promise<void>;
}
