import { join } from 'node:path';
import { silentLogger } from '@switchyard/logging';
import { createProxy } from '@switchyard/proxy';
import { afterAll, describe, expect, it } from 'vitest';
import { fixture, tempDir } from './helpers.js';

describe('enabled state survives a restart of the proxy', () => {
  const dir = tempDir();
  const stateFile = join(dir.path, 'state', 'server-state.json');
  afterAll(() => dir.remove());
  const config = {
    servers: {
      a: { command: process.execPath, args: [fixture('raw-server.mjs')] },
      b: { command: process.execPath, args: [fixture('raw-server.mjs')] },
    },
  };
  const boot = async () => {
    const proxy = createProxy(config, { logger: silentLogger(), stateFile });
    await proxy.start({ listen: false });
    return proxy;
  };
  const post = (proxy: Awaited<ReturnType<typeof boot>>, path: string) =>
    proxy.fetch(new Request(`http://127.0.0.1/api/servers/${path}`, { method: 'POST' }));
  const states = async (proxy: Awaited<ReturnType<typeof boot>>) =>
    Object.fromEntries(
      (
        (await (await proxy.fetch(new Request('http://127.0.0.1/api/servers'))).json()) as Array<{
          name: string;
          state: string;
        }>
      ).map((s) => [s.name, s.state]),
    );

  it('keeps a server disabled by hand disabled, and enabled again once re-enabled', async () => {
    const first = await boot();
    expect((await post(first, 'b/disable')).status).toBe(200);
    expect((await states(first)).b).toBe('stopped');
    await first.stop();

    const second = await boot();
    expect(await states(second)).toMatchObject({ a: 'running', b: 'stopped' });
    await post(second, 'b/enable');
    expect((await states(second)).b).toBe('running');
    await second.stop();

    const third = await boot();
    expect(await states(third)).toMatchObject({ a: 'running', b: 'running' });
    await third.stop();
  });
});
