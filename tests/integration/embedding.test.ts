import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { silentLogger } from '@switchyard/logging';
import { createProxy } from '@switchyard/proxy';
import { describe, expect, it } from 'vitest';
import { everythingServer, firstText, repoRoot } from './helpers.js';

/**
 * A script that starts a listening proxy with no backend, stops it and says so: nothing but the
 * proxy keeps its process alive, so stop() must settle without help from other handles.
 */
const START_STOP = `
import { silentLogger } from '@switchyard/logging';
import { createProxy } from '@switchyard/proxy';
const proxy = createProxy({ servers: {} }, { logger: silentLogger(), port: 0, logFiles: false });
await proxy.start();
await proxy.stop();
console.log('stopped');
`;

describe('createProxy as a library', () => {
  it('serves a client through its web-standard fetch handler, without listening on a port', async () => {
    const proxy = createProxy(
      {
        servers: {
          everything: everythingServer(),
        },
      },
      { logger: silentLogger() },
    );
    await proxy.start({ listen: false });
    expect(proxy.address).toBeUndefined();
    const client = new Client({ name: 'embedded', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL('http://127.0.0.1/mcp'), {
        fetch: (input, init) => proxy.fetch(new Request(input, init)),
      }),
    );
    const result = await client.callTool({
      name: 'everything__echo',
      arguments: { message: 'embedded' },
    });
    expect(firstText(result)).toBe('Echo: embedded');
    await client.close();
    await proxy.stop();
  });

  it('accepts a Claude Desktop mcpServers object as its config', async () => {
    const proxy = createProxy(
      {
        mcpServers: {
          everything: everythingServer(),
        },
      },
      { logger: silentLogger() },
    );
    expect(proxy.config.dialect).toBe('mcpServers');
    await proxy.start({ listen: false });
    const health = (await (await proxy.fetch(new Request('http://127.0.0.1/health'))).json()) as {
      backends: Array<{ name: string; state: string }>;
    };
    expect(health.backends).toEqual([
      expect.objectContaining({ name: 'everything', state: 'running' }),
      expect.objectContaining({ name: 'switchyard', state: 'running' }),
    ]);
    await proxy.stop();
  });

  it('settles stop() in a process that nothing else keeps alive', () => {
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', START_STOP], {
      cwd: join(repoRoot, 'tests'),
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.stdout.trim()).toBe('stopped');
    expect(run.status).toBe(0);
  });
});
