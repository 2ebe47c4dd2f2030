import type {
  AnswerInput,
  AnswerResult,
  FeedbackInput,
  FeedbackResult,
  TraceQueries,
  TracingStats,
} from '../types.js';

/** What the `tracing` server serves from: the tracer's queries, outcomes and statistics. */
export interface TracingServerSource {
  queries: TraceQueries;
  recordAnswer(input: AnswerInput): AnswerResult;
  submitFeedback(input: FeedbackInput): FeedbackResult;
  stats(): TracingStats;
  /** Epoch ms, from the tracer's clock. */
  now(): number;
}
