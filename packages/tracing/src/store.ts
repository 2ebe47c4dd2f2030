import type {
  AnswerRecord,
  ContextUnit,
  FeedbackRecord,
  ImpactEntry,
  RecordedMessage,
  ResponseFilter,
  ResponseSummary,
  SessionSummary,
  TimelineEntry,
} from './types.js';

/** A unit as stored: the public shape plus the key of its source (server, kind, name, args). */
export interface StoredUnit extends ContextUnit {
  sourceKey: string;
}

/**
 * A captured unit as the tracer knows it: the store records a new one with the next version of
 * its source (linked to the latest), or counts one it holds as seen again at `at`.
 */
export interface CapturedUnit
  extends Pick<
    StoredUnit,
    | 'id'
    | 'sourceKey'
    | 'type'
    | 'server'
    | 'kind'
    | 'name'
    | 'argumentsHash'
    | 'contentHash'
    | 'sizeBytes'
    | 'tokens'
    | 'summary'
  > {
  at: number;
}

/** One write. A batch is applied in one transaction, each write in a savepoint of its own. */
export type TraceWrite =
  | { type: 'unit'; unit: CapturedUnit }
  | { type: 'capture'; capture: Omit<TimelineEntry, 'seq'> & { sessionId: string } }
  | { type: 'response'; response: ResponseSummary }
  | {
      type: 'lineage';
      responseId: string;
      entries: Array<{ unitId: string; weight: number; retrieval: number }>;
      /**
       * Adds the entries to the lineage written before them in the same batch (a large one, queued
       * in parts); without it, the write replaces the response's lineage.
       */
      append?: true;
    }
  | {
      type: 'feedback';
      feedback: FeedbackRecord;
      scores: Array<{ unitId: string; score: number; scoreWeight: number; feedbackCount: number }>;
    }
  | { type: 'answer'; answer: AnswerRecord }
  | {
      type: 'message';
      sessionId: string;
      at: number;
      hop: RecordedMessage['hop'];
      direction: RecordedMessage['direction'];
      server: string | null;
      /** The redacted message as JSON text. */
      json: string;
    }
  /**
   * The four messages of one exchange (client in, backend out, backend in, client out), redacted,
   * as JSON text: one write instead of four, stored as the same four messages.
   */
  | {
      type: 'exchange';
      sessionId: string;
      server: string;
      /** When the request crossed (client in, backend out) and when it was answered. */
      requestedAt: number;
      answeredAt: number;
      request: string;
      forwarded: string;
      answer: string;
      reply: string;
    };

export interface ApplyResult {
  applied: number;
  dropped: number;
  /** The first error of the batch, if any write was dropped. */
  error?: Error;
}

export interface RetentionResult {
  responses: number;
  units: number;
  captures: number;
  messages: number;
}

/**
 * A batch that takes its writes one by one as they are queued, so that the tracer need not hold
 * them as objects until the batch is applied (see {@link TraceStore.openBatch}).
 */
export interface StoreBatch {
  add(write: TraceWrite): void;
  /** Applies the batch (never throws): at once, or off the calling thread (then a promise). */
  commit(): ApplyResult | Promise<ApplyResult>;
}

/**
 * Where traces live. Capture and the queries talk only to this interface, so another database
 * (PostgreSQL for several replicas) is another implementation. Implementations never throw out
 * of `apply`, and reads of a broken store return nothing rather than throwing.
 */
export interface TraceStore {
  apply(writes: readonly TraceWrite[]): ApplyResult;
  /**
   * Optional: applies a batch off the calling thread and resolves (never rejects) once it is
   * committed or dropped. Batches are applied in the order given. A store with it has `settle`.
   */
  applyLater?(writes: readonly TraceWrite[]): Promise<ApplyResult>;
  /** Blocks until every batch given to `applyLater` is committed or dropped, so reads see it. */
  settle?(): void;
  /**
   * Optional: a batch to add writes to as they come; committed batches are applied in order,
   * after those given to `applyLater`. One is open at a time.
   */
  openBatch?(): StoreBatch;
  /** How many units the store holds. */
  unitCount(): number;
  units(ids: readonly string[]): StoredUnit[];
  /**
   * Every version of a source that has more than one, version 1 first; nothing for a source of
   * one version (whose one unit the caller holds): see `sqlite-schema.ts` for why.
   */
  unitVersions(sourceKey: string): StoredUnit[];
  unitImpact(unitId: string, options: { minWeight?: number; limit?: number }): ImpactEntry[];
  responses(filter: ResponseFilter): ResponseSummary[];
  response(id: string): ResponseSummary | undefined;
  lineage(responseId: string): Array<{ unitId: string; weight: number; retrieval: number }>;
  answer(responseId: string): AnswerRecord | undefined;
  feedback(filter: { responseId?: string; since?: number; limit?: number }): FeedbackRecord[];
  /** Units with feedback whose score is ≥ `min` (best first) or ≤ `max` (worst first). */
  scoredUnits(filter: { min?: number; max?: number; limit: number }): StoredUnit[];
  timeline(sessionId: string): TimelineEntry[];
  /** The response of the latest capture in the trace `traceId` (from a W3C traceparent). */
  responseOfTrace(traceId: string): string | undefined;
  /** The latest response of the session (open or closed). */
  latestResponse(sessionId: string): string | undefined;
  messages(sessionId: string): RecordedMessage[];
  sessions(limit: number): SessionSummary[];
  /** Deletes what is older than `before` (epoch ms), then the oldest until under the size. */
  retain(options: { before: number; maxSizeBytes?: number }): RetentionResult;
  close(): void;
}
