import { describe, expect, it } from 'vitest';
import { createEventEmitter, type ProxyEvent } from './events.js';

const opened: ProxyEvent = {
  type: 'sessionOpened',
  transport: 'streamable-http',
  server: undefined,
};
const reloaded: ProxyEvent = {
  type: 'reloaded',
  summary: { added: ['a'], removed: [], restarted: [], needsRestart: [] },
};

describe('createEventEmitter', () => {
  it('delivers each event to the listeners of its type only', () => {
    const events = createEventEmitter();
    const sessions: string[] = [];
    const reloads: string[][] = [];
    events.on('sessionOpened', (event) => sessions.push(event.transport));
    events.on('reloaded', (event) => reloads.push(event.summary.added));
    events.emit(opened);
    events.emit(reloaded);
    expect(sessions).toEqual(['streamable-http']);
    expect(reloads).toEqual([['a']]);
  });

  it('stops delivering after off() or the function on() returned', () => {
    const events = createEventEmitter();
    let first = 0;
    let second = 0;
    const listener = () => first++;
    events.on('sessionOpened', listener);
    const stop = events.on('sessionOpened', () => second++);
    events.emit(opened);
    events.off('sessionOpened', listener);
    stop();
    events.emit(opened);
    expect([first, second]).toEqual([1, 1]);
  });

  it('keeps delivering to the other listeners when one throws, and reports the error', () => {
    const errors: unknown[] = [];
    const events = createEventEmitter((error) => errors.push(error));
    let delivered = 0;
    events.on('sessionOpened', () => {
      throw new Error('listener bug');
    });
    events.on('sessionOpened', () => delivered++);
    events.emit(opened);
    expect(delivered).toBe(1);
    expect(errors).toEqual([new Error('listener bug')]);
  });
});
