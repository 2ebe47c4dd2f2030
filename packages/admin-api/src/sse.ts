/** One server-sent event: its `event` name (default `message`), `data` lines joined, and `id`. */
export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

/**
 * An incremental parser of `text/event-stream` (HTML Living Standard, "Server-sent events",
 * "Interpreting an event stream"): feed it decoded chunks in any split, it calls `onEvent` for each
 * complete event. Comments (`:` lines) and `retry` are skipped; an event with no data is not
 * dispatched, as the standard says.
 */
export function createSseParser(onEvent: (event: SseEvent) => void): (chunk: string) => void {
  let buffer = '';
  let event = '';
  let data: string[] = [];
  let id: string | undefined;
  const dispatch = () => {
    if (data.length > 0) {
      const out: SseEvent = { event: event || 'message', data: data.join('\n') };
      if (id !== undefined) out.id = id;
      onEvent(out);
    }
    event = '';
    data = [];
  };
  const line = (text: string) => {
    if (text === '') return dispatch();
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id' && !value.includes('\0')) id = value;
  };
  return (chunk) => {
    buffer += chunk;
    let start = 0;
    for (;;) {
      const match = /\r\n|\r|\n/.exec(buffer.slice(start));
      if (!match) break;
      // A lone `\r` at the end may be the first half of `\r\n`: wait for the next chunk.
      if (match[0] === '\r' && start + match.index === buffer.length - 1) break;
      line(buffer.slice(start, start + match.index));
      start += match.index + match[0].length;
    }
    buffer = buffer.slice(start);
  };
}
