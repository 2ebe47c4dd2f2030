import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { silentLogger } from '@switchyard/logging';
import { createProxy } from '@switchyard/proxy';
import { describe, expect, it } from 'vitest';
import { everythingServer, firstText } from './helpers.js';

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
});
