import type { StoredUnit } from '../store.js';
import type {
  AnswerRecord,
  FeedbackRecord,
  RecordedMessage,
  ResponseSummary,
  TimelineEntry,
} from '../types.js';

/** Row shapes as SQLite returns them, and their mapping to the public (camelCase) shapes. */
type Row = Record<string, unknown>;

const str = (v: unknown): string => String(v);
const num = (v: unknown): number => Number(v);
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export function unitFromRow(r: Row): StoredUnit {
  return {
    id: str(r.id),
    sourceKey: str(r.source_key),
    type: str(r.type) as StoredUnit['type'],
    server: str(r.server),
    kind: str(r.kind) as StoredUnit['kind'],
    name: str(r.name),
    argumentsHash: str(r.arguments_hash),
    contentHash: str(r.content_hash),
    version: num(r.version),
    previousVersionId: strOrNull(r.previous_version_id),
    sizeBytes: num(r.size_bytes),
    tokens: num(r.tokens),
    summary: str(r.summary),
    firstSeen: num(r.first_seen),
    lastSeen: num(r.last_seen),
    seenCount: num(r.seen_count),
    score: num(r.score),
    scoreWeight: num(r.score_weight),
    feedbackCount: num(r.feedback_count),
  };
}

export function responseFromRow(r: Row): ResponseSummary {
  return {
    id: str(r.id),
    sessionId: str(r.session_id),
    principal: strOrNull(r.principal),
    status: str(r.status) as ResponseSummary['status'],
    openedAt: num(r.opened_at),
    closedAt: numOrNull(r.closed_at),
    closeReason: strOrNull(r.close_reason) as ResponseSummary['closeReason'],
    unitCount: num(r.unit_count),
    agent: strOrNull(r.agent),
    model: strOrNull(r.model),
  };
}

export function feedbackFromRow(r: Row): FeedbackRecord {
  return {
    id: str(r.id),
    responseId: str(r.response_id),
    score: num(r.score),
    feedbackText: strOrNull(r.feedback_text),
    userId: strOrNull(r.user_id),
    at: num(r.at),
  };
}

export function answerFromRow(r: Row): AnswerRecord {
  return {
    id: str(r.id),
    responseId: str(r.response_id),
    at: num(r.at),
    agent: strOrNull(r.agent),
    model: strOrNull(r.model),
    unitIds: JSON.parse(str(r.unit_ids)) as string[],
    citations: JSON.parse(str(r.citations)) as AnswerRecord['citations'],
  };
}

/** Request ids are stored as JSON text, so a numeric id comes back a number. */
export function timelineFromRow(r: Row): TimelineEntry {
  return {
    seq: num(r.seq),
    at: num(r.at),
    requestId:
      r.request_id === null ? null : (JSON.parse(str(r.request_id)) as string | number | null),
    toolCallId: strOrNull(r.tool_call_id),
    traceparent: strOrNull(r.traceparent),
    server: str(r.server),
    kind: str(r.kind) as TimelineEntry['kind'],
    name: str(r.name),
    unitId: str(r.unit_id),
    responseId: str(r.response_id),
  };
}

export function messageFromRow(r: Row): RecordedMessage {
  return {
    seq: num(r.seq),
    at: num(r.at),
    hop: str(r.hop) as RecordedMessage['hop'],
    direction: str(r.direction) as RecordedMessage['direction'],
    server: strOrNull(r.server),
    message: JSON.parse(str(r.message)) as unknown,
  };
}

/** The messages of a chunk row (a JSON array of [at, hop, direction, server, message]). */
export function messagesFromChunk(r: Row): RecordedMessage[] {
  const entries = JSON.parse(str(r.messages)) as Array<
    [number, string, string, string | null, unknown]
  >;
  return entries.map(([at, hop, direction, server, message]) => ({
    seq: 0,
    at,
    hop: hop as RecordedMessage['hop'],
    direction: direction as RecordedMessage['direction'],
    server,
    message,
  }));
}

/** The trace id of a W3C traceparent (`00-<32 hex trace id>-<16 hex span id>-<flags>`). */
export function traceIdOf(traceparent: string | null | undefined): string | null {
  if (!traceparent) return null;
  const match = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}/i.exec(traceparent.trim());
  return match ? (match[1] as string).toLowerCase() : null;
}
