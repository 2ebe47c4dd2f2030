import { normalizeConfig } from '@switchyard/config';
import { silentLogger } from '@switchyard/logging';
import { initializeMessage } from '@switchyard/protocol/testing';
import { describe, expect, it } from 'vitest';
import type { ProxyEvent } from './events.js';
import { createProxy } from './proxy.js';

const initialize = initializeMessage();

describe('the events of a proxy', () => {
  it('reports backend states, sessions opened and closed, and reloads, each under its type', async () => {
    const proxy = createProxy({ servers: {} }, { logger: silentLogger(), logFiles: false });
    const seen: ProxyEvent[] = [];
    for (const type of ['backendState', 'sessionOpened', 'sessionClosed', 'reloaded'] as const) {
      proxy.on(type, (event) => seen.push(event));
    }
    await proxy.start({ listen: false });
    const response = await proxy.fetch(
      new Request('http://127.0.0.1/mcp', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(initialize),
      }),
    );
    expect(response.status).toBe(200);
    const summary = await proxy.reload(normalizeConfig({ servers: {} }));
    await proxy.stop();

    // The built-in management server is the one backend here.
    expect(seen.filter((e) => e.type === 'backendState')).toEqual([
      {
        type: 'backendState',
        server: 'switchyard',
        from: 'stopped',
        to: 'starting',
        reason: expect.any(String),
      },
      {
        type: 'backendState',
        server: 'switchyard',
        from: 'starting',
        to: 'running',
        reason: expect.any(String),
      },
      {
        type: 'backendState',
        server: 'switchyard',
        from: 'running',
        to: 'stopping',
        reason: expect.any(String),
      },
      {
        type: 'backendState',
        server: 'switchyard',
        from: 'stopping',
        to: 'stopped',
        reason: expect.any(String),
      },
    ]);
    expect(seen.filter((e) => e.type !== 'backendState')).toEqual([
      { type: 'sessionOpened', transport: 'streamable-http', server: undefined },
      { type: 'reloaded', summary },
      { type: 'sessionClosed', transport: 'streamable-http', server: undefined },
    ]);
  });

  it('stops telling a listener once it is taken off', async () => {
    const proxy = createProxy({ servers: {} }, { logger: silentLogger(), logFiles: false });
    const states: string[] = [];
    const listener = (event: { to: string }) => states.push(event.to);
    proxy.on('backendState', listener);
    await proxy.start({ listen: false });
    proxy.off('backendState', listener);
    await proxy.stop();
    expect(states).toEqual(['starting', 'running']);
  });
});
