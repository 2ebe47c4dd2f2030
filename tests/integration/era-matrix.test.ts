import {
  Client as ModernClient,
  StreamableHTTPClientTransport as ModernTransport,
} from '@modelcontextprotocol/client';
import { until } from '@switchyard/protocol/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstText, fixture, type TestProxy, withProxy } from './helpers.js';
import { createMessageValidator } from './schema-validator.js';
import {
  kits,
  type Received,
  type SdkKit,
  summarize,
  type TransportLike,
  tap,
} from './sdk-kits.js';

/**
 * The era matrix (docs/protocol-versions.md, "Tests"): a client of each of the five revisions —
 * the pinned v1 SDKs for 2024-11-05 … 2025-11-25 and the v2 SDK client pinned to 2026-07-28 —
 * talks through one proxy to a backend of each revision: the legacy era fixture
 * (tests/fixtures/era-server.mjs, one revision each, no SDK) and a modern-only v2 SDK server
 * (tests/fixtures/era-modern-server.mjs, `legacy: 'reject'`). Every cell covers tools, resources,
 * prompts, sampling, roots, elicitation (where both revisions have it), resource subscriptions,
 * progress and cancellation; every text names the backend's revision, so a result proves which
 * backend answered; every message a client receives validates against its own revision's schema.
 */
const LEGACY = ['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25'] as const;
const MODERN = '2026-07-28';
const REVISIONS = [...LEGACY, MODERN] as const;
type Rev = (typeof REVISIONS)[number];
const backendOf = (rev: Rev) => `b${rev.replaceAll('-', '')}`;
const hasElicitation = (rev: Rev) => rev >= '2025-06-18';

const YARD = 'Clapham Junction';
const ROOT = 'file:///tmp/era-matrix';
type Result = Record<string, unknown>;

interface CallOptions {
  onprogress?: (progress: Result) => void;
  signal?: AbortSignal;
}

/** One client of the matrix, whatever its SDK: what a cell does with it. */
interface Peer {
  revision: Rev;
  received: Received[];
  listTools(): Promise<string[]>;
  listResources(): Promise<string[]>;
  call(name: string, args: Result, options?: CallOptions): Promise<Result>;
  read(uri: string): Promise<Result>;
  prompt(name: string, args: Record<string, string>): Promise<Result>;
  /** Subscribes to `uri`; the returned function unsubscribes. */
  subscribe(uri: string): Promise<() => Promise<void>>;
  /** Resource updates received, by URI. */
  updated: string[];
  close(): Promise<void>;
}

const sampled = {
  role: 'assistant',
  content: { type: 'text', text: YARD },
  model: 'matrix-model',
  stopReason: 'endTurn',
};
const roots = { roots: [{ uri: ROOT, name: 'matrix' }] };
const elicited = { action: 'accept', content: { yard: YARD } };

async function legacyPeer(kit: SdkKit, url: URL): Promise<Peer> {
  const client = new kit.Client(
    { name: `sdk-${kit.version}`, version: kit.version },
    {
      capabilities: {
        sampling: {},
        roots: { listChanged: true },
        ...(kit.elicitation ? { elicitation: {} } : {}),
      },
    },
  );
  client.setRequestHandler(kit.samplingRequest, async () => sampled);
  client.setRequestHandler(kit.rootsRequest, async () => roots);
  if (kit.elicitation) client.setRequestHandler(kit.elicitation.request, async () => elicited);
  const updated: string[] = [];
  (
    client as unknown as { fallbackNotificationHandler: (n: Result) => Promise<void> }
  ).fallbackNotificationHandler = async (notification) => {
    const params = notification.params as { uri?: string } | undefined;
    if (notification.method === 'notifications/resources/updated' && params?.uri)
      updated.push(params.uri);
  };
  const received: Received[] = [];
  const transport = kit.transports['Streamable HTTP']!(url);
  tap(transport, received);
  await client.connect(transport);
  const callTool = client.callTool.bind(client) as unknown as (
    params: Result,
    schema: undefined,
    options: Result,
  ) => Promise<Result>;
  return {
    revision: kit.revision,
    received,
    updated,
    listTools: async () =>
      ((await client.listTools()).tools as Result[]).map((t) => String(t.name)),
    listResources: async () =>
      ((await client.listResources()).resources as Result[]).map((r) => String(r.uri)),
    call: (name, args, options = {}) =>
      callTool({ name, arguments: args }, undefined, { timeout: 20_000, ...options }),
    read: (uri) => client.readResource({ uri }) as Promise<Result>,
    prompt: (name, args) => client.getPrompt({ name, arguments: args }) as Promise<Result>,
    subscribe: async (uri) => {
      await client.subscribeResource({ uri });
      return async () => {
        await client.unsubscribeResource({ uri });
      };
    },
    close: () => client.close(),
  };
}

async function modernPeer(url: URL): Promise<Peer> {
  const client = new ModernClient(
    { name: 'v2-modern', version: '2.4.0' },
    {
      versionNegotiation: { mode: { pin: MODERN } },
      capabilities: { sampling: {}, roots: {}, elicitation: {} },
    },
  );
  client.setRequestHandler('sampling/createMessage', async () => sampled as never);
  client.setRequestHandler('roots/list', async () => roots);
  client.setRequestHandler('elicitation/create', async () => elicited as never);
  const updated: string[] = [];
  client.setNotificationHandler('notifications/resources/updated', (notification) => {
    updated.push(notification.params.uri);
  });
  const received: Received[] = [];
  const transport = new ModernTransport(url);
  tap(transport as unknown as TransportLike, received);
  await client.connect(transport);
  return {
    revision: MODERN,
    received,
    updated,
    listTools: async () => (await client.listTools()).tools.map((t) => t.name),
    listResources: async () => (await client.listResources()).resources.map((r) => r.uri),
    call: (name, args, options = {}) =>
      client.callTool(
        { name, arguments: args },
        {
          timeout: 20_000,
          ...(options.signal ? { signal: options.signal } : {}),
          ...(options.onprogress
            ? { onprogress: options.onprogress as (progress: unknown) => void }
            : {}),
        },
      ) as Promise<Result>,
    read: (uri) => client.readResource({ uri }) as Promise<Result>,
    prompt: (name, args) => client.getPrompt({ name, arguments: args }) as Promise<Result>,
    subscribe: async (uri) => {
      const subscription = await client.listen({ resourceSubscriptions: [uri] });
      expect(subscription.honoredFilter.resourceSubscriptions).toEqual([uri]);
      return () => subscription.close();
    },
    close: () => client.close(),
  };
}

/** The text of a prompt's first message. */
function promptText(result: Result): string {
  const messages = result.messages as Array<{ content: { text?: string } }>;
  return messages[0]?.content.text ?? '';
}

/** How many `wait` calls the backend saw cancelled. */
async function cancelledAt(peer: Peer, backend: string): Promise<number> {
  const text = firstText(await peer.call(`${backend}__cancelled`, {}));
  return Number(text.split(': ')[1]);
}

/**
 * One cell: everything the client's and the backend's revisions both have, checked by what the
 * backend says back. Returns the features covered, in order.
 */
async function exercise(peer: Peer, rev: Rev): Promise<string[]> {
  const backend = backendOf(rev);
  const tool = (name: string) => `${backend}__${name}`;
  const covered: string[] = [];

  expect(await peer.listTools()).toContain(tool('echo'));
  expect(firstText(await peer.call(tool('echo'), { text: peer.revision }))).toBe(
    `echo from ${rev}: ${peer.revision}`,
  );
  covered.push('tools');

  const uri = `test://${rev}/doc`;
  expect(await peer.listResources()).toContain(uri);
  const read = await peer.read(uri);
  const contents = read.contents as Array<{ uri: string; text: string }>;
  expect(contents[0]).toMatchObject({ uri });
  expect(contents[0]?.text).toMatch(new RegExp(`^doc of ${rev}, version \\d+$`));
  covered.push('resources');

  const prompt = await peer.prompt(tool('greet'), { who: peer.revision });
  expect(promptText(prompt)).toBe(`hello ${peer.revision} from ${rev}`);
  covered.push('prompts');

  expect(firstText(await peer.call(tool('ask_sampling'), {}))).toBe(`sampled by ${rev}: ${YARD}`);
  covered.push('sampling');

  expect(firstText(await peer.call(tool('ask_roots'), {}))).toBe(`roots for ${rev}: ${ROOT}`);
  covered.push('roots');

  if (hasElicitation(rev) && hasElicitation(peer.revision)) {
    expect(firstText(await peer.call(tool('ask_elicitation'), {}))).toBe(
      `elicited by ${rev}: accept ${YARD}`,
    );
    covered.push('elicitation');
  }

  const unsubscribe = await peer.subscribe(uri);
  const before = peer.updated.filter((u) => u === uri).length;
  expect(firstText(await peer.call(tool('touch'), {}))).toMatch(`touched ${rev}`);
  await until(
    () => peer.updated.filter((u) => u === uri).length > before,
    `resources/updated for ${uri}`,
  );
  await unsubscribe();
  covered.push('subscriptions');

  const progress: Result[] = [];
  const slow = await peer.call(tool('slow'), {}, { onprogress: (p) => progress.push(p) });
  expect(firstText(slow)).toBe(`slow done at ${rev}`);
  expect(progress[0]).toMatchObject({ progress: 1, total: 2 });
  covered.push('progress');

  const cancelledBefore = await cancelledAt(peer, backend);
  const abort = new AbortController();
  const waiting = peer.call(
    tool('wait'),
    {},
    { signal: abort.signal, onprogress: () => abort.abort() },
  );
  await expect(waiting).rejects.toThrow();
  await until(
    async () => (await cancelledAt(peer, backend)) === cancelledBefore + 1,
    `the ${rev} backend to see the cancellation`,
  );
  covered.push('cancellation');
  return covered;
}

describe('era matrix: 5 client revisions x 5 backend revisions, through one proxy', () => {
  let testProxy: TestProxy | undefined;

  beforeAll(async () => {
    const servers: Record<string, unknown> = {};
    for (const rev of LEGACY) {
      servers[backendOf(rev)] = {
        command: process.execPath,
        args: [fixture('era-server.mjs')],
        env: { FIXTURE_REVISION: rev },
      };
    }
    servers[backendOf(MODERN)] = {
      command: process.execPath,
      args: [fixture('era-modern-server.mjs')],
      era: 'modern',
    };
    testProxy = await withProxy({ servers }, { client: false });
  }, 60_000);

  afterAll(() => testProxy?.close());

  it('shows a 2026-07-28 client the legacy and the modern backends in one aggregate', async () => {
    const peer = await modernPeer(testProxy!.url);
    try {
      const tools = await peer.listTools();
      for (const rev of REVISIONS) {
        expect(tools).toContain(`${backendOf(rev)}__echo`);
        expect(firstText(await peer.call(`${backendOf(rev)}__echo`, { text: 'one list' }))).toBe(
          `echo from ${rev}: one list`,
        );
      }
    } finally {
      await peer.close();
    }
  }, 30_000);

  describe.each(REVISIONS)('a %s client', (clientRev) => {
    let peer: Peer;
    const validator = createMessageValidator(clientRev);

    beforeAll(async () => {
      const kit = kits.find((k) => k.revision === clientRev);
      const url = testProxy!.url;
      peer = kit ? await legacyPeer(kit, url) : await modernPeer(url);
    }, 30_000);

    afterAll(() => peer?.close());

    it.each(REVISIONS)(
      `reaches a %s backend for everything both revisions have`,
      async (rev) => {
        const expected = [
          'tools',
          'resources',
          'prompts',
          'sampling',
          'roots',
          ...(hasElicitation(rev) && hasElicitation(clientRev) ? ['elicitation'] : []),
          'subscriptions',
          'progress',
          'cancellation',
        ];
        expect(await exercise(peer, rev)).toEqual(expected);
      },
      60_000,
    );

    it(`receives only messages valid for ${clientRev}`, () => {
      expect(peer.received.length).toBeGreaterThan(50);
      const violations = summarize(peer.received, (m, a) => validator.validate(m, a));
      expect(violations, violations.join('\n')).toEqual([]);
    });
  });
});
