import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { Client as SdkClient } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { firstText, realServers, stdioProxy, tempDir, withProxy } from './helpers.js';

/** The same behaviour, whichever front transport the client comes through. */
function aggregationSuite(
  connect: (workspace: string) => Promise<{ client: Client; close: () => Promise<void> }>,
) {
  let client: Client;
  let close: () => Promise<void>;
  const dir = tempDir();

  beforeAll(async () => {
    writeFileSync(join(dir.path, 'hello.txt'), 'hello from the workspace');
    ({ client, close } = await connect(dir.path));
  });
  afterAll(async () => {
    await close();
    dir.remove();
  });

  it('lists the tools of all three servers, namespaced <server>__<name>', async () => {
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'everything__echo',
        'everything__get-sum',
        'memory__read_graph',
        'files__list_directory',
      ]),
    );
    // Every name is namespaced; `switchyard__` and `tracing__` are the built-in servers.
    expect(names.every((n) => /^(everything|memory|files|switchyard|tracing)__/.test(n))).toBe(
      true,
    );
  });

  it('lists prompts and resources from the servers that have them', async () => {
    const prompts = (await client.listPrompts()).prompts.map((p) => p.name);
    expect(prompts).toContain('everything__simple-prompt');
    const uris = (await client.listResources()).resources.map((r) => r.uri);
    expect(uris).toEqual(
      expect.arrayContaining([
        'demo://resource/static/document/architecture.md',
        'memory://knowledge-graph',
      ]),
    );
    const templates = (await client.listResourceTemplates()).resourceTemplates.map(
      (t) => t.uriTemplate,
    );
    expect(templates).toContain('demo://resource/dynamic/text/{resourceId}');
  });

  it('calls tools on different backends', async () => {
    const echo = await client.callTool({
      name: 'everything__echo',
      arguments: { message: 'through the yard' },
    });
    expect(firstText(echo)).toBe('Echo: through the yard');
    const sum = await client.callTool({ name: 'everything__get-sum', arguments: { a: 2, b: 40 } });
    expect(firstText(sum)).toContain('42');
    const listing = await client.callTool({
      name: 'files__list_directory',
      arguments: { path: dir.path },
    });
    expect(firstText(listing)).toContain('hello.txt');
    await client.callTool({
      name: 'memory__create_entities',
      arguments: {
        entities: [{ name: 'Switchyard', entityType: 'proxy', observations: ['routes MCP'] }],
      },
    });
    const graph = await client.callTool({ name: 'memory__read_graph', arguments: {} });
    expect(firstText(graph)).toContain('Switchyard');
  });

  it('reads a listed resource and a templated one', async () => {
    const doc = await client.readResource({
      uri: 'demo://resource/static/document/architecture.md',
    });
    expect(doc.contents[0]?.uri).toBe('demo://resource/static/document/architecture.md');
    const first = doc.contents[0];
    expect(first && 'text' in first ? first.text.length : 0).toBeGreaterThan(0);
    const dynamic = await client.readResource({ uri: 'demo://resource/dynamic/text/7' });
    expect(dynamic.contents[0]?.uri).toBe('demo://resource/dynamic/text/7');
  });

  it('gets a prompt', async () => {
    const prompt = await client.getPrompt({ name: 'everything__simple-prompt' });
    expect(prompt.messages.length).toBeGreaterThan(0);
  });

  it('answers an unknown tool with an error naming it', async () => {
    await expect(client.callTool({ name: 'nowhere__tool', arguments: {} })).rejects.toThrow(
      /nowhere__tool/,
    );
  });
}

describe('a real SDK client over Streamable HTTP, three real servers behind the proxy', () => {
  aggregationSuite(async (workspace) => {
    const { client, close } = await withProxy({ servers: realServers(workspace) });
    return { client, close };
  });
});

describe('a real SDK client spawning `switchyard --stdio`, three real servers behind it', () => {
  aggregationSuite(async (workspace) => {
    const configFile = join(workspace, 'switchyard.yaml');
    writeFileSync(configFile, stringify({ servers: realServers(workspace) }));
    const client = new SdkClient({ name: 'stdio-test', version: '1.0.0' });
    await client.connect(stdioProxy(configFile));
    return { client, close: () => client.close() };
  });
});
