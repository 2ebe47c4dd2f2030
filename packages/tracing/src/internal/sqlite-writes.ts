import type { TraceWrite } from '../store.js';
import type { Op } from './sqlite-apply.js';
import { traceIdOf } from './sqlite-rows.js';

/** The statements that writes run, in the order that {@link opsOf} refers to them by. */
export const WRITE_SQL: readonly string[] = [
  `INSERT INTO units (id, source_key, server, kind, name, arguments_hash,
    content_hash, type, version, previous_version_id, size_bytes, tokens, summary, first_seen,
    last_seen, seen_count, score, score_weight, feedback_count)
    VALUES (@id, @sourceKey, @server, @kind, @name, @argumentsHash, @contentHash, @type, @version,
    @previousVersionId, @sizeBytes, @tokens, @summary, @firstSeen, @lastSeen, @seenCount, @score,
    @scoreWeight, @feedbackCount)
    ON CONFLICT(id) DO UPDATE SET last_seen = max(last_seen, excluded.last_seen)`,
  'UPDATE units SET last_seen = max(last_seen, ?), seen_count = seen_count + ? WHERE id = ?',
  `INSERT INTO captures (session_id, at, request_id, tool_call_id, traceparent,
    trace_id, server, kind, name, unit_id, response_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  `INSERT INTO responses (id, session_id, principal, status, opened_at,
    closed_at, close_reason, unit_count, agent, model) VALUES (@id, @sessionId, @principal,
    @status, @openedAt, @closedAt, @closeReason, @unitCount, @agent, @model)
    ON CONFLICT(id) DO UPDATE SET status = excluded.status, closed_at = excluded.closed_at,
    close_reason = excluded.close_reason, unit_count = excluded.unit_count,
    agent = coalesce(excluded.agent, agent), model = coalesce(excluded.model, model)`,
  'DELETE FROM lineage WHERE response_id = ?',
  'INSERT INTO lineage (response_id, unit_id, weight, retrieval) VALUES (?, ?, ?, ?)',
  `INSERT INTO feedback (id, response_id, score, feedback_text, user_id, at)
    VALUES (?, ?, ?, ?, ?, ?)`,
  'UPDATE units SET score = ?, score_weight = ?, feedback_count = ? WHERE id = ?',
  `INSERT INTO answers (id, response_id, at, agent, model, unit_ids, citations)
    VALUES (?, ?, ?, ?, ?, ?, ?)`,
  `INSERT INTO message_chunks (session_id, first_at, last_at, count, messages)
    VALUES (?, ?, ?, ?, ?)`,
];

const S = {
  unit: 0,
  seen: 1,
  capture: 2,
  response: 3,
  deleteLineage: 4,
  lineage: 5,
  feedback: 6,
  score: 7,
  answer: 8,
  chunk: 9,
} as const;

/** A chunk of messages is closed at this many messages or characters of JSON. */
const CHUNK_MESSAGES = 256;
const CHUNK_CHARS = 64 * 1024;

type Seen = Extract<TraceWrite, { type: 'seen' }>;
type Message = Extract<TraceWrite, { type: 'message' }>;

/** A batch as the applier takes it: groups of statement runs, each standing for `weights[i]` writes. */
export interface PlannedBatch {
  groups: Op[][];
  weights: number[];
}

interface Chunk {
  index: number;
  sessionId: string;
  firstAt: number;
  lastAt: number;
  parts: string[];
  chars: number;
}

const chunkOps = (c: Chunk): Op[] => [
  [S.chunk, [c.sessionId, c.firstAt, c.lastAt, c.parts.length, `[${c.parts.join(',')}]`]],
];

/**
 * The statement runs of a batch of writes, with fewer rows than writes: the `seen` writes of a unit
 * become one update (latest time, summed count), and the messages of a session one chunk row
 * (bounded by {@link CHUNK_MESSAGES} and {@link CHUNK_CHARS}) in the place of its first message.
 */
export function planBatch(writes: readonly TraceWrite[]): PlannedBatch {
  const groups: Op[][] = [];
  const weights: number[] = [];
  const seen = new Map<string, { index: number; at: number; count: number }>();
  const chunks = new Map<string, Chunk>();
  const closeChunk = (c: Chunk) => {
    groups[c.index] = chunkOps(c);
    chunks.delete(c.sessionId);
  };
  const addMessage = (m: Message) => {
    const part = `[${m.at},${JSON.stringify(m.hop)},${JSON.stringify(m.direction)},${
      m.server === null ? 'null' : JSON.stringify(m.server)
    },${m.json}]`;
    let c = chunks.get(m.sessionId);
    if (c && (c.parts.length >= CHUNK_MESSAGES || c.chars + part.length > CHUNK_CHARS)) {
      closeChunk(c);
      c = undefined;
    }
    if (!c) {
      c = {
        index: groups.length,
        sessionId: m.sessionId,
        firstAt: m.at,
        lastAt: m.at,
        parts: [],
        chars: 0,
      };
      chunks.set(m.sessionId, c);
      groups.push([]);
      weights.push(0);
    }
    c.parts.push(part);
    c.chars += part.length;
    c.lastAt = Math.max(c.lastAt, m.at);
    weights[c.index] = (weights[c.index] ?? 0) + 1;
  };
  const addSeen = (w: Seen) => {
    const prior = seen.get(w.unitId);
    if (prior) {
      prior.at = Math.max(prior.at, w.at);
      prior.count += w.count ?? 1;
      return;
    }
    seen.set(w.unitId, { index: groups.length, at: w.at, count: w.count ?? 1 });
    groups.push([]);
    weights.push(0);
  };
  for (const w of writes) {
    if (w.type === 'message') addMessage(w);
    else if (w.type === 'seen') addSeen(w);
    else {
      groups.push(opsOf(w));
      weights.push(1);
    }
  }
  for (const c of chunks.values()) groups[c.index] = chunkOps(c);
  for (const [unitId, s] of seen) {
    groups[s.index] = [[S.seen, [s.at, s.count, unitId]]];
    weights[s.index] = s.count;
  }
  return { groups, weights };
}

/** The statement runs of one write other than a message (those go in chunks, see planBatch). */
function opsOf(w: Exclude<TraceWrite, Message>): Op[] {
  switch (w.type) {
    case 'unit':
      return [[S.unit, w.unit]];
    case 'seen':
      return [[S.seen, [w.at, w.count ?? 1, w.unitId]]];
    case 'capture': {
      const c = w.capture;
      const requestId = c.requestId === null ? null : JSON.stringify(c.requestId);
      const traceId = traceIdOf(c.traceparent);
      const row = [c.sessionId, c.at, requestId, c.toolCallId, c.traceparent, traceId, c.server];
      row.push(c.kind, c.name, c.unitId, c.responseId);
      return [[S.capture, row]];
    }
    case 'response':
      return [[S.response, w.response]];
    case 'lineage':
      return [
        [S.deleteLineage, [w.responseId]],
        ...w.entries.map((e): Op => [S.lineage, [w.responseId, e.unitId, e.weight, e.retrieval]]),
      ];
    case 'feedback': {
      const f = w.feedback;
      return [
        [S.feedback, [f.id, f.responseId, f.score, f.feedbackText, f.userId, f.at]],
        ...w.scores.map((u): Op => [S.score, [u.score, u.scoreWeight, u.feedbackCount, u.unitId]]),
      ];
    }
    case 'answer': {
      const a = w.answer;
      const unitIds = JSON.stringify(a.unitIds);
      const citations = JSON.stringify(a.citations);
      return [[S.answer, [a.id, a.responseId, a.at, a.agent, a.model, unitIds, citations]]];
    }
  }
}
