import type { TraceWrite } from '../store.js';
import { sourceRangeOf } from './ids.js';
import type { FlatBatch, Value } from './sqlite-apply.js';
import { traceIdOf } from './sqlite-rows.js';

/** The statements that writes run, in the order that {@link planBatch} refers to them by. */
export const WRITE_SQL: readonly string[] = [
  // A captured unit: a new one gets the next version of its source and is linked to the latest
  // (the versions of a source share the first part of their ids, so one seek in a short range of
  // the primary key finds both: SQLite gives the bare `id` of the row with the `max`); one already
  // stored is counted as seen again. `WHERE true` lets the parser tell ON CONFLICT from a join.
  `INSERT INTO units (id, source_key, server, kind, name, arguments_hash, content_hash, type,
    version, previous_version_id, size_bytes, tokens, summary, first_seen, last_seen)
    SELECT ?, ?, ?, ?, ?, ?, ?, ?, coalesce(latest.version, 0) + 1, latest.id, ?, ?, ?, ?, ?
    FROM (SELECT max(version) AS version, id FROM units WHERE id >= ? AND id < ?) AS latest
    WHERE true
    ON CONFLICT(id) DO UPDATE SET last_seen = max(last_seen, excluded.last_seen),
      seen_count = seen_count + 1`,
  // The same unit captured again in the same batch: one update for all of them (BatchPlan).
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
 * A batch is cut into pieces of about this many characters, between groups: Node clones a message
 * of a few hundred kilobytes at many times the cost per byte of one of a few tens (measured on
 * Node 20: 4.7 against 0.2 µs per capture), and small arrays die young instead of being written
 * to one large array in the old generation, which the garbage collector then rescans.
 */
const PIECE_CHARS = 32 * 1024;
/** Roughly what a non-string value of a group adds to a message. */
const VALUE_CHARS = 8;

/**
 * A batch of writes as the applier takes it ({@link FlatBatch}: plain values only, which cost
 * little to send to the writer thread), built write by write as they are queued so that the
 * tracer holds text and numbers rather than objects until the batch is sent; with fewer rows
 * than writes: the captures of a unit after its first in the batch become one update (latest
 * time, summed count), the first keeping its place (a response's lineage may refer to it), and the
 * messages of a session one chunk row (bounded by {@link CHUNK_MESSAGES} and {@link CHUNK_CHARS});
 * seen updates come last, after the units they update.
 */
export class BatchPlan {
  /** Pieces complete so far (see {@link PIECE_CHARS}). */
  private readonly full: FlatBatch[] = [];
  private out: FlatBatch = [];
  private chars = 0;
  /** Units written in this batch so far, with their captures after the first (count, latest). */
  private readonly seen = new Map<string, { at: number; count: number }>();
  private readonly chunks = new Map<string, Chunk>();
  /** Writes added. */
  size = 0;

  add(w: TraceWrite): void {
    this.size++;
    if (w.type === 'message' || w.type === 'exchange') this.addMessage(w);
    else if (w.type === 'unit' && this.seen.has(w.unit.id)) {
      const prior = this.seen.get(w.unit.id) as { at: number; count: number };
      prior.at = Math.max(prior.at, w.unit.at);
      prior.count++;
    } else {
      if (w.type === 'unit') this.seen.set(w.unit.id, { at: w.unit.at, count: 0 });
      const before = this.out.length;
      encode(this.out, w);
      this.grew((this.out.length - before) * VALUE_CHARS);
    }
  }

  /** Takes the pieces completed so far (to send before the batch is finished). */
  takeFull(): FlatBatch[] {
    return this.full.splice(0);
  }

  /** The rest of the batch, in pieces: open chunks and the seen updates are added now. */
  finish(): FlatBatch[] {
    for (const c of this.chunks.values()) this.writeChunk(c);
    this.chunks.clear();
    for (const [unitId, s] of this.seen) {
      if (s.count === 0) continue;
      this.out.push(s.count, 1, S.seen, 3, s.at, s.count, unitId);
      this.grew(7 * VALUE_CHARS);
    }
    this.seen.clear();
    if (this.out.length > 0) this.full.push(this.out);
    this.out = [];
    this.chars = 0;
    return this.takeFull();
  }

  private grew(chars: number): void {
    this.chars += chars;
    if (this.chars < PIECE_CHARS) return;
    this.full.push(this.out);
    this.out = [];
    this.chars = 0;
  }

  private writeChunk(c: Chunk): void {
    const text = `[${c.parts.join(',')}]`;
    const { sessionId, firstAt, lastAt, messages, parts } = c;
    this.out.push(parts.length, 1, S.chunk, 5, sessionId, firstAt, lastAt, messages, text);
    this.grew(text.length + 8 * VALUE_CHARS);
  }

  private addMessage(m: Message): void {
    const part = entriesOf(m);
    let c = this.chunks.get(m.sessionId);
    if (c && (c.messages >= CHUNK_MESSAGES || c.chars + part.text.length > CHUNK_CHARS)) {
      this.writeChunk(c);
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
      this.chunks.set(m.sessionId, c);
    }
    c.parts.push(part.text);
    c.messages += part.messages;
    c.chars += part.text.length;
    if (part.first < c.firstAt) c.firstAt = part.first;
    if (part.last > c.lastAt) c.lastAt = part.last;
  }
}

/** A whole batch as one {@link FlatBatch} (see {@link BatchPlan}). */
export function planBatch(writes: readonly TraceWrite[]): FlatBatch {
  const plan = new BatchPlan();
  for (const w of writes) plan.add(w);
  const pieces = plan.finish();
  return pieces.length === 1 ? (pieces[0] as FlatBatch) : ([] as FlatBatch).concat(...pieces);
}

/** Appends one write other than a message (see planBatch) as a group of weight 1. */
function encode(out: Value[], w: Exclude<TraceWrite, Message>): void {
  switch (w.type) {
    case 'unit': {
      const u = w.unit;
      const [from, to] = sourceRangeOf(u.id);
      out.push(1, 1, S.unit, 15, u.id, u.sourceKey, u.server, u.kind, u.name, u.argumentsHash);
      out.push(u.contentHash, u.type, u.sizeBytes, u.tokens, u.summary, u.at, u.at, from, to);
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
      if (w.append) out.push(1, w.entries.length);
      else out.push(1, 1 + w.entries.length, S.deleteLineage, 1, w.responseId);
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
