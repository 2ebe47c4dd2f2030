import { describe, expect, it } from 'vitest';
import { createSseParser, type SseEvent } from './sse.js';

const parse = (chunks: string[]): SseEvent[] => {
  const events: SseEvent[] = [];
  const feed = createSseParser((event) => events.push(event));
  for (const chunk of chunks) feed(chunk);
  return events;
};

describe('createSseParser', () => {
  it('parses named events with multi-line data and ids', () => {
    expect(parse(['event: server\ndata: {"a":1}\nid: 7\n\ndata: x\ndata: y\n\n'])).toEqual([
      { event: 'server', data: '{"a":1}', id: '7' },
      { event: 'message', data: 'x\ny', id: '7' },
    ]);
  });

  it('gives the same events whatever the chunk boundaries, CRLF included', () => {
    const text = ': hello\r\nevent: log\r\ndata: one\r\n\r\nevent: log\ndata: two\n\n';
    const whole = parse([text]);
    expect(whole).toEqual([
      { event: 'log', data: 'one' },
      { event: 'log', data: 'two' },
    ]);
    for (let cut = 1; cut < text.length; cut++)
      expect(parse([text.slice(0, cut), text.slice(cut)])).toEqual(whole);
    expect(parse([...text])).toEqual(whole);
  });

  it('does not dispatch an event without data, nor an unfinished one', () => {
    expect(parse(['event: ping\n\n', 'data: half'])).toEqual([]);
  });
});
