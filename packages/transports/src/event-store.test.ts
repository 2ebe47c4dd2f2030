import { describe, expect, it } from 'vitest';
import { createMemoryEventStore } from './event-store.js';

describe('createMemoryEventStore', () => {
  it('ids each event by its stream and replays only that stream after an id', () => {
    const store = createMemoryEventStore();
    const a0 = store.append('s', 'a', '');
    const b1 = store.append('s', 'b', '"b1"');
    store.append('s', 'a', '"a2"');
    store.append('s', 'b', '"b3"');
    expect(a0).toBe('a_0');
    expect(b1).toBe('b_1');
    expect(store.replayAfter('s', a0)).toEqual({
      streamId: 'a',
      events: [{ id: 'a_2', data: '"a2"' }],
    });
    expect(store.replayAfter('s', b1)).toEqual({
      streamId: 'b',
      events: [{ id: 'b_3', data: '"b3"' }],
    });
  });

  it('allows underscores in stream ids', () => {
    const store = createMemoryEventStore();
    const first = store.append('s', 'my_stream', '"1"');
    store.append('s', 'my_stream', '"2"');
    expect(store.replayAfter('s', first)?.events).toEqual([{ id: 'my_stream_1', data: '"2"' }]);
  });

  it('leaves priming events out of a replay', () => {
    const store = createMemoryEventStore();
    const first = store.append('s', 'a', '"1"');
    store.append('s', 'a', '');
    expect(store.replayAfter('s', first)?.events).toEqual([]);
  });

  it('knows no id of another session, another stream, or a malformed one', () => {
    const store = createMemoryEventStore();
    const id = store.append('s', 'a', '"1"');
    expect(store.replayAfter('t', id)).toBeUndefined();
    for (const bad of ['b_0', 'a_1', 'a_-1', 'a_x', 'a', '_0']) {
      expect(store.replayAfter('s', bad)).toBeUndefined();
    }
  });

  it('drops the oldest events beyond maxEvents', () => {
    const store = createMemoryEventStore({ maxEvents: 2 });
    const ids = ['"1"', '"2"', '"3"'].map((data) => store.append('s', 'a', data));
    expect(store.replayAfter('s', ids[0] ?? '')).toBeUndefined();
    expect(store.replayAfter('s', ids[1] ?? '')?.events).toEqual([{ id: 'a_2', data: '"3"' }]);
  });

  it('drops the oldest events beyond maxBytes of data, counted in UTF-8', () => {
    const store = createMemoryEventStore({ maxBytes: 8 });
    const first = store.append('s', 'a', '"é"');
    const second = store.append('s', 'a', '"éé"');
    expect(store.replayAfter('s', first)).toBeUndefined();
    expect(store.replayAfter('s', second)?.events).toEqual([]);
  });

  it('keeps the bound per session', () => {
    const store = createMemoryEventStore({ maxEvents: 1 });
    const mine = store.append('s', 'a', '"1"');
    store.append('t', 'a', '"2"');
    expect(store.replayAfter('s', mine)).toEqual({ streamId: 'a', events: [] });
  });

  it('forgets a session', () => {
    const store = createMemoryEventStore();
    const id = store.append('s', 'a', '"1"');
    store.forget('s');
    expect(store.replayAfter('s', id)).toBeUndefined();
  });
});
