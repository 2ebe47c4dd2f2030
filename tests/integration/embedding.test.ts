import { createHash } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { silentLogger } from '@switchyard/logging';
import { createProxy } from '@switchyard/proxy';
import { describe, expect, it } from 'vitest';
import { everythingServer, firstText, initializeMessage } from './helpers.js';

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

describe('HTTP guard (Origin and Host)', () => {
  const proxy = createProxy({ servers: {} }, { logger: silentLogger() });
  const health = (headers: Record<string, string>) =>
    proxy.fetch(new Request('http://127.0.0.1:3000/health', { headers }));

  it('lets CLI clients without Origin and loopback pages through', async () => {
    expect((await health({})).status).toBe(200);
    expect((await health({ origin: 'http://localhost:5173' })).status).toBe(200);
    expect((await health({ origin: 'http://127.0.0.1:3000' })).status).toBe(200);
  });

  it('answers a foreign Origin with 403', async () => {
    expect((await health({ origin: 'https://evil.example' })).status).toBe(403);
    expect((await health({ origin: 'null' })).status).toBe(403);
  });

  it('answers a foreign Host with 403 when bound to loopback (DNS rebinding)', async () => {
    expect((await health({ host: 'evil.example:3000' })).status).toBe(403);
    expect((await health({ host: 'localhost:3000' })).status).toBe(200);
  });
});

describe('admin API keys (spec D2, K2)', () => {
  it('needs the key when one is configured: 401 for a missing, wrong or different-length key', async () => {
    const proxy = createProxy(
      { servers: {}, dashboard: { apiKey: 's3cret-key-1234' } },
      { logger: silentLogger() },
    );
    const get = (authorization?: string) =>
      proxy.fetch(
        new Request('http://127.0.0.1:3000/api/servers', {
          headers: authorization ? { authorization } : {},
        }),
      );
    expect((await get()).status).toBe(401);
    expect((await get('Bearer s3cret-key-1235')).status).toBe(401);
    expect((await get('Bearer short')).status).toBe(401);
    expect((await get('Bearer s3cret-key-1234-and-more')).status).toBe(401);
    expect((await get('Bearer s3cret-key-1234')).status).toBe(200);
  });

  it('refuses the admin API bound beyond loopback without a key', async () => {
    const proxy = createProxy(
      { servers: {}, proxy: { host: '0.0.0.0' } },
      { logger: silentLogger() },
    );
    const response = await proxy.fetch(new Request('http://10.0.0.5:3000/api/servers'));
    expect(response.status).toBe(403);
  });
});

describe('bearer keys on the MCP endpoints (spec K1, K2)', () => {
  const key = 'sy_test-key-0123456789';
  const hash = `sha256:${createHash('sha256').update(key).digest('hex')}`;
  const initialize = (authorization?: string) =>
    new Request('http://127.0.0.1/mcp', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...(authorization ? { authorization } : {}),
      },
      body: JSON.stringify(initializeMessage()),
    });

  it('answers 401 for a missing, wrong or different-length key, and serves the right one', async () => {
    const proxy = createProxy(
      { servers: {}, proxy: { apiKeys: [hash] } },
      { logger: silentLogger() },
    );
    await proxy.start({ listen: false });
    for (const authorization of [
      undefined,
      `Bearer ${key.slice(0, -1)}x`,
      'Bearer short',
      `Bearer ${key}-longer`,
      key,
    ]) {
      const response = await proxy.fetch(initialize(authorization));
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
    }
    const ok = await proxy.fetch(initialize(`Bearer ${key}`));
    expect(ok.status).toBe(200);
    const perBackend = await proxy.fetch(
      new Request('http://127.0.0.1/servers/switchyard/mcp', { method: 'POST' }),
    );
    expect(perBackend.status).toBe(401);
    await proxy.stop();
  });

  it('refuses to listen beyond loopback without a key, unless told to', async () => {
    const open = createProxy(
      { servers: {}, proxy: { host: '0.0.0.0', port: 0 } },
      { logger: silentLogger() },
    );
    await expect(open.start()).rejects.toThrow(
      /refusing to listen on 0\.0\.0\.0 without proxy\.apiKeys/,
    );
    const told = createProxy(
      { servers: {}, proxy: { host: '0.0.0.0', port: 0, allowUnauthenticated: true } },
      { logger: silentLogger() },
    );
    await told.start();
    expect(told.address?.port).toBeGreaterThan(0);
    await told.stop();
  });
});
