import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { SwitchyardProxy } from '@switchyard/proxy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstText, httpClient, serverScript, startProxy } from './helpers.js';

/** An SDK client that can sample: it answers every sampling request with `answer`. */
async function samplingClient(
  url: URL,
  answer: string,
): Promise<{ client: Client; asked: string[] }> {
  const client = new Client(
    { name: `sampler-${answer}`, version: '1.0.0' },
    { capabilities: { sampling: {} } },
  );
  const asked: string[] = [];
  client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
    const content = request.params.messages[0]?.content;
    asked.push(content && 'text' in content ? String(content.text) : '');
    return { role: 'assistant', content: { type: 'text', text: answer }, model: 'test-model' };
  });
  await client.connect(new StreamableHTTPClientTransport(url));
  return { client, asked };
}

describe('server-to-client requests relayed to the client that caused them (spec R5)', () => {
  let proxy: SwitchyardProxy;
  let url: URL;

  beforeAll(async () => {
    ({ proxy, url } = await startProxy({
      servers: {
        everything: {
          command: process.execPath,
          args: [serverScript('server-everything'), 'stdio'],
        },
      },
    }));
  });

  afterAll(() => proxy.stop());

  it('relays a real backend sampling request to the calling client and its answer back', async () => {
    const a = await samplingClient(url, 'sampled by A');
    const b = await samplingClient(url, 'sampled by B');
    const fromA = firstText(
      await a.client.callTool({
        name: 'everything__trigger-sampling-request',
        arguments: { prompt: 'for A', maxTokens: 10 },
      }),
    );
    const fromB = firstText(
      await b.client.callTool({
        name: 'everything__trigger-sampling-request',
        arguments: { prompt: 'for B', maxTokens: 10 },
      }),
    );
    expect(fromA).toContain('sampled by A');
    expect(fromB).toContain('sampled by B');
    expect(a.asked).toEqual([expect.stringContaining('for A')]);
    expect(b.asked).toEqual([expect.stringContaining('for B')]);
    await a.client.close();
    await b.client.close();
  });

  it('refuses the request cleanly at the backend when the client did not declare sampling', async () => {
    const plain = await httpClient(url, 'no-sampling');
    const outcome = await plain
      .callTool({
        name: 'everything__trigger-sampling-request',
        arguments: { prompt: 'x', maxTokens: 10 },
      })
      .then(
        (r) => `${r.isError ? 'isError: ' : ''}${firstText(r)}`,
        (error: Error) => error.message,
      );
    expect(outcome).toMatch(/did not declare sampling/);
    await plain.close();
  });
});
