import { Buffer } from 'node:buffer';

/** One recorded SSE event: its id and its `data` (JSON text, or empty for a priming event). */
export interface StoredEvent {
  readonly id: string;
  readonly data: string;
}

/** What a store hands back for a `Last-Event-ID`: the stream it names and the events after it. */
export interface EventReplay {
  readonly streamId: string;
  /** The later events of that stream, oldest first, without priming events (they carry no data). */
  readonly events: readonly StoredEvent[];
}

/**
 * Where the Streamable HTTP front records the events it writes so a client can resume a cut SSE
 * stream with GET + `Last-Event-ID` (MCP 2025-11-25, Transports: Streamable HTTP, Resumability and
 * Redelivery). Event ids name their stream (as 2025-11-25 recommends), so one id is enough to find
 * what to replay. Synchronous on purpose: ids are assigned in the order events are written, and a
 * replay must not interleave with live events.
 */
export interface EventStore {
  /** Records one event of `streamId` in `sessionId` and returns its id. */
  append(sessionId: string, streamId: string, data: string): string;
  /** The events of `eventId`'s stream recorded after it; undefined if the id is unknown or evicted. */
  replayAfter(sessionId: string, eventId: string): EventReplay | undefined;
  /** Drops everything recorded for a session that has ended. */
  forget(sessionId: string): void;
}

export interface MemoryEventStoreOptions {
  /** Events kept per session before the oldest are dropped (default 1,000). */
  maxEvents?: number;
  /** Bytes of event data kept per session before the oldest are dropped (default 4 MiB). */
  maxBytes?: number;
}

interface Recorded {
  readonly streamId: string;
  readonly data: string;
  readonly bytes: number;
}

/** One session's events in the order written; `first` is the sequence number of `events[0]`. */
interface SessionLog {
  first: number;
  bytes: number;
  readonly events: Recorded[];
}

/** `<streamId>_<seq>`: the stream comes first, and the session-wide sequence number locates the event. */
function eventId(streamId: string, seq: number): string {
  return `${streamId}_${seq}`;
}

function parseEventId(id: string): { streamId: string; seq: number } | undefined {
  const at = id.lastIndexOf('_');
  const seq = Number(id.slice(at + 1));
  if (at <= 0 || !Number.isSafeInteger(seq) || seq < 0) return undefined;
  return { streamId: id.slice(0, at), seq };
}

/**
 * The default {@link EventStore}: a bounded in-memory log per session, dropping its oldest events
 * first once it holds more than `maxEvents` events or `maxBytes` bytes of data.
 */
export function createMemoryEventStore(options: MemoryEventStoreOptions = {}): EventStore {
  const maxEvents = options.maxEvents ?? 1000;
  const maxBytes = options.maxBytes ?? 4 * 1024 * 1024;
  const logs = new Map<string, SessionLog>();

  return {
    append(sessionId, streamId, data) {
      let log = logs.get(sessionId);
      if (!log) {
        log = { first: 0, bytes: 0, events: [] };
        logs.set(sessionId, log);
      }
      const seq = log.first + log.events.length;
      const bytes = Buffer.byteLength(data);
      log.events.push({ streamId, data, bytes });
      log.bytes += bytes;
      while (log.events.length > maxEvents || log.bytes > maxBytes) {
        const dropped = log.events.shift();
        if (!dropped) break;
        log.first += 1;
        log.bytes -= dropped.bytes;
      }
      return eventId(streamId, seq);
    },

    replayAfter(sessionId, id) {
      const log = logs.get(sessionId);
      const parsed = parseEventId(id);
      if (!log || !parsed) return undefined;
      const index = parsed.seq - log.first;
      if (log.events[index]?.streamId !== parsed.streamId) return undefined;
      const events: StoredEvent[] = [];
      for (let i = index + 1; i < log.events.length; i++) {
        const event = log.events[i];
        if (event && event.streamId === parsed.streamId && event.data !== '') {
          events.push({ id: eventId(event.streamId, log.first + i), data: event.data });
        }
      }
      return { streamId: parsed.streamId, events };
    },

    forget(sessionId) {
      logs.delete(sessionId);
    },
  };
}
