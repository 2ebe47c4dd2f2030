import {
  compareRevisions,
  isResponse,
  type JsonRpcId,
  type JsonRpcMessage,
  resolveRevision,
} from '@switchyard/protocol';
import type { EventStore } from '../event-store.js';
import type { FrontSession } from '../front-session.js';
import type { PostChannel } from './post-channel.js';
import { ResumableStream } from './resumable-sse.js';

/** Messages kept for a standalone stream not opened yet; the oldest go first beyond this. */
const MAX_EARLY_MESSAGES = 100;

/** The proxy-side state of one Streamable HTTP session. */
export class HttpSession {
  readonly channels = new Map<JsonRpcId, PostChannel>();
  /** The SSE streams that can still get events, by stream id, for resumption. */
  readonly streams = new Map<string, ResumableStream>();
  standalone: ResumableStream | undefined;
  /**
   * What arrived for the standalone stream before the client opened it (a `list_changed`, a
   * backend's `roots/list` right after `initialized`): kept, bounded, for its first GET.
   */
  readonly early: JsonRpcMessage[] = [];
  front!: FrontSession;
  idleTimer: unknown;
  private streamCount = 0;

  constructor(
    readonly id: string,
    private readonly store: EventStore,
    /** Who opened the session; only requests from the same principal may use it. */
    readonly principal: string | undefined,
  ) {}

  get headers(): Record<string, string> {
    return { 'mcp-session-id': this.id };
  }

  /** Whether the client's revision understands priming events (empty data with an id, 2025-11-25). */
  get primes(): boolean {
    const revision = resolveRevision(this.front.revision);
    return revision !== undefined && compareRevisions(revision, '2025-11-25') >= 0;
  }

  /** A new SSE stream whose id (`post-3`, `get-1`) prefixes the ids of its events. */
  openStream(kind: 'post' | 'get'): ResumableStream {
    const stream = new ResumableStream({
      id: `${kind}-${++this.streamCount}`,
      record: (streamId, data) => this.store.append(this.id, streamId, data),
      headers: this.headers,
      onEnd: () => this.streams.delete(stream.id),
    });
    this.streams.set(stream.id, stream);
    return stream;
  }

  route(message: JsonRpcMessage, related: JsonRpcId | undefined): void {
    const key = isResponse(message) ? message.id : related;
    const channel = key === undefined || key === null ? undefined : this.channels.get(key);
    if (channel?.deliver(message)) return;
    // Not tied to an open POST (list_changed, log messages): the standalone GET stream.
    if (isResponse(message)) return;
    if (this.standalone) this.standalone.send(message);
    else if (this.early.push(message) > MAX_EARLY_MESSAGES) this.early.shift();
  }
}
