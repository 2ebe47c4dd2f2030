import type { TraceWrite } from '../store.js';
import type { FlatBatch, Value } from './sqlite-apply.js';
import { traceIdOf } from './sqlite-rows.js';

/** The statements that writes run, in the order that {@link planBatch} refers to them by. */
export const WRITE_SQL: readonly string[] = [
  `INSERT INTO units (id, source_key, server, kind, name, arguments_hash,
    content_hash, type, version, previous_version_id, size_bytes, tokens, summary, first_seen,
    last_seen, seen_count, score, score_weight, feedback_count)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT(id) DO UPDATE SET last_seen = max(last_seen, excluded.last_seen)`,
  'UPDATE units SET last_seen = max(last_seen, ?), seen_count = seen_count + ? WHERE id = ?',
  `INSERT INTO captures (session_id, at, request_id, tool_call_id, traceparent,
    trace_id, server, kind, name, unit_id, response_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  `INSERT INTO responses (id, session_id, principal, status, opened_at,
    closed_at, close_reason, unit_count, agent, model) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
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

type Message = Extract<TraceWrite, { type: 'message' | 'exchange' }>;

interface Chunk {
  sessionId: string;
  firstAt: number;
  lastAt: number;
  /** Entries as JSON text; one part is one write (an exchange's part holds four entries). */
  parts: string[];
  messages: number;
  chars: number;
}

const quoted: Record<string, string> = {
  client: '"client"',
  backend: '"backend"',
  in: '"in"',
  out: '"out"',
};
const json = (text: string) => quoted[text] ?? JSON.stringify(text);

/** A message write as chunk entries (`[at, hop, direction, server, message]`, comma-separated). */
function entriesOf(m: Message): { text: string; messages: number; first: number; last: number } {
  if (m.type === 'message') {
    const server = m.server === null ? 'null' : json(m.server);
    const text = `[${m.at},${json(m.hop)},${json(m.direction)},${server},${m.json}]`;
    return { text, messages: 1, first: m.at, last: m.at };
  }
  const server = json(m.server);
  const asked = `${m.requestedAt},"client","in",${server},${m.request}],[${m.requestedAt},"backend","out",${server},${m.forwarded}`;
  const told = `${m.answeredAt},"backend","in",${server},${m.answer}],[${m.answeredAt},"client","out",${server},${m.reply}`;
  return { text: `[${asked}],[${told}]`, messages: 4, first: m.requestedAt, last: m.answeredAt };
}

/**
 * A batch of writes as the applier takes it ({@link FlatBatch}: plain values only, which cost
 * little to send to the writer thread), with fewer rows than writes: the `seen` writes of a unit
 * become one update (latest time, summed count) and the messages of a session one chunk row
 * (bounded by {@link CHUNK_MESSAGES} and {@link CHUNK_CHARS}); those groups come last.
 */
export function planBatch(writes: readonly TraceWrite[]): FlatBatch {
  const out: FlatBatch = [];
  const seen = new Map<string, { at: number; count: number }>();
  const chunks = new Map<string, Chunk>();
  const writeChunk = (c: Chunk) => {
    const text = `[${c.parts.join(',')}]`;
    out.push(c.parts.length, 1, S.chunk, 5, c.sessionId, c.firstAt, c.lastAt, c.messages, text);
  };
  const addMessage = (m: Message) => {
    const part = entriesOf(m);
    let c = chunks.get(m.sessionId);
    if (c && (c.messages >= CHUNK_MESSAGES || c.chars + part.text.length > CHUNK_CHARS)) {
      writeChunk(c);
      c = undefined;
    }
    if (!c) {
      c = {
        sessionId: m.sessionId,
        firstAt: part.first,
        lastAt: part.last,
        parts: [],
        messages: 0,
        chars: 0,
      };
      chunks.set(m.sessionId, c);
    }
    c.parts.push(part.text);
    c.messages += part.messages;
    c.chars += part.text.length;
    if (part.first < c.firstAt) c.firstAt = part.first;
    if (part.last > c.lastAt) c.lastAt = part.last;
  };
  for (const w of writes) {
    if (w.type === 'message' || w.type === 'exchange') addMessage(w);
    else if (w.type === 'seen') {
      const prior = seen.get(w.unitId);
      if (prior) {
        prior.at = Math.max(prior.at, w.at);
        prior.count += w.count ?? 1;
      } else seen.set(w.unitId, { at: w.at, count: w.count ?? 1 });
    } else encode(out, w);
  }
  for (const c of chunks.values()) writeChunk(c);
  for (const [unitId, s] of seen) out.push(s.count, 1, S.seen, 3, s.at, s.count, unitId);
  return out;
}

/** Appends one write other than a message or `seen` (see planBatch) as a group of weight 1. */
function encode(out: Value[], w: Exclude<TraceWrite, Message | { type: 'seen' }>): void {
  switch (w.type) {
    case 'unit': {
      const u = w.unit;
      out.push(1, 1, S.unit, 19, u.id, u.sourceKey, u.server, u.kind, u.name, u.argumentsHash);
      out.push(u.contentHash, u.type, u.version, u.previousVersionId, u.sizeBytes, u.tokens);
      out.push(u.summary, u.firstSeen, u.lastSeen, u.seenCount, u.score, u.scoreWeight);
      out.push(u.feedbackCount);
      return;
    }
    case 'capture': {
      const c = w.capture;
      const requestId = c.requestId === null ? null : JSON.stringify(c.requestId);
      out.push(1, 1, S.capture, 11, c.sessionId, c.at, requestId, c.toolCallId, c.traceparent);
      out.push(traceIdOf(c.traceparent), c.server, c.kind, c.name, c.unitId, c.responseId);
      return;
    }
    case 'response': {
      const r = w.response;
      out.push(1, 1, S.response, 10, r.id, r.sessionId, r.principal, r.status, r.openedAt);
      out.push(r.closedAt, r.closeReason, r.unitCount, r.agent, r.model);
      return;
    }
    case 'lineage':
      out.push(1, 1 + w.entries.length, S.deleteLineage, 1, w.responseId);
      for (const e of w.entries)
        out.push(S.lineage, 4, w.responseId, e.unitId, e.weight, e.retrieval);
      return;
    case 'feedback': {
      const f = w.feedback;
      out.push(1, 1 + w.scores.length, S.feedback, 6, f.id, f.responseId, f.score, f.feedbackText);
      out.push(f.userId, f.at);
      for (const u of w.scores) {
        out.push(S.score, 4, u.score, u.scoreWeight, u.feedbackCount, u.unitId);
      }
      return;
    }
    case 'answer': {
      const a = w.answer;
      out.push(1, 1, S.answer, 7, a.id, a.responseId, a.at, a.agent, a.model);
      out.push(JSON.stringify(a.unitIds), JSON.stringify(a.citations));
      return;
    }
  }
}
