export { TracingError, type TracingErrorReason } from './errors.js';
export { applyFeedback, type ScoreState } from './feedback.js';
export type { CacheStats } from './internal/lru.js';
export { DEPRECATED_THRESHOLD, TOP_THRESHOLD } from './queries.js';
export { openSqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
export type {
  ApplyResult,
  CapturedUnit,
  RetentionResult,
  StoreBatch,
  StoredUnit,
  TraceStore,
  TraceWrite,
} from './store.js';
export { createTracer, type TracerOptions } from './tracer.js';
export type {
  AnswerInput,
  AnswerRecord,
  AnswerResult,
  CaptureInput,
  CaptureResult,
  ContextUnit,
  ExchangeMessages,
  FeedbackInput,
  FeedbackRecord,
  FeedbackResult,
  ImpactEntry,
  RecordedMessage,
  ResponseDetail,
  ResponseFilter,
  ResponseSummary,
  SessionSummary,
  TimelineEntry,
  TraceQueries,
  Tracer,
  TracingServerDefinition,
  TracingStats,
  UnitDetail,
  UnitType,
  VirtualResource,
  VirtualResourceTemplate,
  VirtualTool,
  WeightedContext,
  WeightFactors,
} from './types.js';
export {
  checkWeights,
  computeWeights,
  DEFAULT_RETRIEVAL,
  DEFAULT_WEIGHTS,
  TYPE_SCORES,
  type WeightBreakdown,
  type WeightInput,
} from './weights.js';
