/**
 * An incremental `text/event-stream` parser (WHATWG HTML §9.2): bytes in, the data of each
 * complete event out. It remembers the last event id and `retry` hint, which resumption needs.
 * Comments and event names are ignored: MCP sends JSON-RPC messages as `message` events.
 */
export class SseParser {
  lastEventId: string | undefined;
  retryMs: number | undefined;
  private readonly decoder = new TextDecoder();
  private buffer = '';

  /**
   * A parser for the next connection of a resumed stream: it starts with the last event id and
   * `retry` hint of `previous` (what the next resumption sends and waits), and nothing of a
   * partial event the cut connection left behind.
   */
  static resuming(previous: SseParser): SseParser {
    const next = new SseParser();
    next.lastEventId = previous.lastEventId;
    next.retryMs = previous.retryMs;
    return next;
  }

  /** Feeds a chunk; returns the data of every event it completed (empty data is skipped). */
  push(chunk: Uint8Array): string[] {
    this.buffer += this.decoder.decode(chunk, { stream: true });
    const out: string[] = [];
    for (;;) {
      const end = /\r\n\r\n|\n\n|\r\r/.exec(this.buffer);
      if (!end) break;
      const block = this.buffer.slice(0, end.index);
      this.buffer = this.buffer.slice(end.index + end[0].length);
      const data = this.event(block);
      if (data) out.push(data);
    }
    return out;
  }

  private event(block: string): string {
    const data: string[] = [];
    for (const line of block.split(/\r\n|\n|\r/)) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') data.push(value);
      else if (field === 'id' && !value.includes('\0')) this.lastEventId = value;
      else if (field === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
    }
    return data.join('\n');
  }
}
