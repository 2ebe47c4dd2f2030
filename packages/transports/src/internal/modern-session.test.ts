import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  connectionCancellation,
  ownCancellation,
  requestOf,
  signalCancellation,
} from './modern-session.js';

/** A stand-in for a `net.Socket`: an emitter with `destroyed`. */
function connection(): EventEmitter & { destroyed: boolean } {
  return Object.assign(new EventEmitter(), { destroyed: false });
}

describe('cancellations of a modern request', () => {
  it('from a connection: runs the listener when it closes, once', () => {
    const socket = connection();
    const heard: string[] = [];
    connectionCancellation(socket)(() => heard.push('gone'));
    socket.destroyed = true;
    socket.emit('close');
    socket.emit('close');
    expect(heard).toEqual(['gone']);
  });

  it('from a connection: stops listening when the request is answered, so a kept-alive socket gathers no listeners', () => {
    const socket = connection();
    const cancelled = connectionCancellation(socket);
    const heard: number[] = [];
    for (let i = 0; i < 50; i++) cancelled(() => heard.push(i))();
    expect(socket.listenerCount('close')).toBe(0);
    socket.emit('close');
    expect(heard).toEqual([]);
  });

  it('from a connection already closed: runs the listener at once', () => {
    const socket = connection();
    socket.destroyed = true;
    const heard: string[] = [];
    connectionCancellation(socket)(() => heard.push('gone'));
    expect(heard).toEqual(['gone']);
    expect(socket.listenerCount('close')).toBe(0);
  });

  it('from an AbortSignal: when it aborts, at once when it has, not after stopping', () => {
    const abort = new AbortController();
    const heard: string[] = [];
    const stop = signalCancellation(abort.signal)(() => heard.push('stopped one'));
    signalCancellation(abort.signal)(() => heard.push('aborted'));
    stop();
    abort.abort();
    signalCancellation(abort.signal)(() => heard.push('late'));
    expect(heard).toEqual(['aborted', 'late']);
  });

  it('of its own: cancel runs every listener still listening, once, and later ones at once', () => {
    const own = ownCancellation();
    const heard: string[] = [];
    own.cancelled(() => heard.push('a'));
    own.cancelled(() => heard.push('b'))();
    own.cancel();
    own.cancel();
    own.cancelled(() => heard.push('c'));
    expect(heard).toEqual(['a', 'c']);
  });
});

describe('requestOf', () => {
  it('makes the internal request with its id, and params only when there are some', () => {
    expect(requestOf('modern-1', { method: 'tools/list' })).toEqual({
      jsonrpc: '2.0',
      id: 'modern-1',
      method: 'tools/list',
    });
    expect(requestOf('modern-2', { method: 'tools/call', params: { name: 'x' } })).toEqual({
      jsonrpc: '2.0',
      id: 'modern-2',
      method: 'tools/call',
      params: { name: 'x' },
    });
  });
});
