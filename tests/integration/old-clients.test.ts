import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { everythingServer, type TestProxy, withProxy } from './helpers.js';
import { createMessageValidator } from './schema-validator.js';
import {
  brief,
  type ClientLike,
  kits,
  type Page,
  type Received,
  type SdkKit,
  summarize,
  tally,
  tap,
} from './sdk-kits.js';

/**
 * Genuine old SDK clients, each offering its own revision, against server-everything (2025-11-25)
 * behind the proxy: every call must succeed in that SDK, and every message the client receives must
 * validate against its revision's official schema. SDK 1.32.2 (2025-11-25) is the control.
 */

/** What a tool needs from the client beyond plain calls. */
type Need = 'elicitation' | 'url-elicitation' | 'client-tasks';

/**
 * Valid arguments for every tool server-everything can list, one call per entry. A tool listed but
 * missing here fails the run, so a new server-everything tool cannot go unexercised.
 */
const TOOL_CALLS: Record<string, { calls: Record<string, unknown>[]; needs?: Need }> = {
  echo: { calls: [{ message: 'through the yard' }] },
  'get-sum': { calls: [{ a: 2, b: 40 }] },
  'get-tiny-image': { calls: [{}] },
  'get-annotated-message': {
    calls: [
      { messageType: 'error' },
      { messageType: 'success', includeImage: true },
      { messageType: 'debug' },
    ],
  },
  'get-env': { calls: [{}] },
  'get-resource-links': { calls: [{ count: 3 }] },
  'get-resource-reference': {
    calls: [
      { resourceType: 'Text', resourceId: 1 },
      { resourceType: 'Blob', resourceId: 2 },
    ],
  },
  'get-structured-content': { calls: [{ location: 'Chicago' }] },
  'gzip-file-as-resource': {
    calls: [
      { name: 'link.txt.gz', data: 'data:text/plain;base64,aGVsbG8gc3dpdGNoeWFyZA==' },
      {
        name: 'embedded.txt.gz',
        data: 'data:text/plain;base64,aGVsbG8gc3dpdGNoeWFyZA==',
        outputType: 'resource',
      },
    ],
  },
  // Each toggle starts a stream of notifications (one at once) and the second call stops it.
  'toggle-simulated-logging': { calls: [{}, {}] },
  'toggle-subscriber-updates': { calls: [{}, {}] },
  'trigger-long-running-operation': { calls: [{ duration: 0.3, steps: 3 }] },
  'trigger-sampling-request': { calls: [{ prompt: 'Name a rail yard', maxTokens: 10 }] },
  'trigger-elicitation-request': { calls: [{}], needs: 'elicitation' },
  'trigger-url-elicitation': {
    calls: [{ url: 'https://example.com/consent' }],
    needs: 'url-elicitation',
  },
  'get-roots-list': { calls: [{}] },
  // `taskSupport: "required"`: clients without the task API get it only as a synchronous call.
  'simulate-research-query': { calls: [{ topic: 'rail yards' }] },
  'trigger-sampling-request-async': {
    calls: [{ prompt: 'x', maxTokens: 10 }],
    needs: 'client-tasks',
  },
  'trigger-elicitation-request-async': { calls: [{}], needs: 'client-tasks' },
};

/** Valid arguments for every prompt server-everything lists. */
const PROMPT_ARGUMENTS: Record<string, Record<string, string>[]> = {
  'simple-prompt': [{}],
  'args-prompt': [{ city: 'Chicago', state: 'IL' }],
  'completable-prompt': [{ department: 'Engineering', name: 'Alice' }],
  'resource-prompt': [
    { resourceType: 'Text', resourceId: '1' },
    { resourceType: 'Blob', resourceId: '2' },
  ],
};

/**
 * SDK 1.10.2 handles a notification one microtask after a response that arrives in the same chunk,
 * so the last progress notification of a call, sent just before its result, is "unknown" to it on
 * HTTP+SSE. It happens against server-everything directly too, and the wire order is right (the
 * tap still validates the notification), so it is not counted as a failure of the proxy.
 */
const PROGRESS_RACE = /^Received a progress notification for an unknown token/;

const PREFIX = 'everything__';
const WATCHED_URI = 'demo://resource/static/document/architecture.md';

/** What one client session did: every message it received, and what failed or was skipped. */
interface Session {
  received: Received[];
  /** Calls that threw in the SDK, returned `isError`, or SDK errors reported on `onerror`. */
  failures: string[];
  skipped: string[];
  negotiated?: unknown;
}

/** Connects `kit`'s client through the proxy and exercises everything server-everything offers. */
async function exercise(kit: SdkKit, transportName: string, url: URL): Promise<Session> {
  const session: Session = { received: [], failures: [], skipped: [] };
  const { elicitation } = kit;
  const has = (need: Need) =>
    (need === 'elicitation' && elicitation !== undefined) ||
    (need === 'url-elicitation' && elicitation?.url === true);
  const client = new kit.Client(
    { name: `sdk-${kit.version}`, version: kit.version },
    {
      capabilities: {
        sampling: {},
        roots: { listChanged: true },
        ...(elicitation ? { elicitation: elicitation.url ? { form: {}, url: {} } : {} } : {}),
      },
    },
  );
  client.setRequestHandler(kit.samplingRequest, async () => ({
    role: 'assistant',
    content: { type: 'text', text: 'Clearing Yard' },
    model: 'test-model',
    stopReason: 'endTurn',
  }));
  client.setRequestHandler(kit.rootsRequest, async () => ({
    roots: [{ uri: 'file:///tmp/switchyard-roots', name: 'scratch' }],
  }));
  if (elicitation) {
    client.setRequestHandler(elicitation.request, async () => ({ action: 'decline' }));
  }
  let open = true;
  client.onerror = (error) => {
    if (open && !PROGRESS_RACE.test(error.message))
      session.failures.push(`onerror: ${brief(error)}`);
  };

  const step = async (name: string, run: () => Promise<unknown>): Promise<unknown> => {
    try {
      const result = (await run()) as { isError?: boolean; content?: unknown[] } | undefined;
      if (result?.isError) session.failures.push(`${name}: isError ${brief(result.content)}`);
      return result;
    } catch (error) {
      session.failures.push(`${name}: ${brief(error)}`);
      return undefined;
    }
  };
  const listAll = async (
    name: string,
    key: string,
    list: (params?: { cursor: string }) => Promise<Page>,
  ) => {
    const items: Record<string, unknown>[] = [];
    let cursor: string | undefined;
    do {
      const page = (await step(name, () => list(cursor === undefined ? undefined : { cursor }))) as
        | Page
        | undefined;
      items.push(...((page?.[key] as Record<string, unknown>[] | undefined) ?? []));
      cursor = page?.nextCursor;
    } while (cursor !== undefined);
    return items;
  };

  const transport = kit.transports[transportName]!(url);
  tap(transport, session.received);
  await step('initialize', () => client.connect(transport));
  session.negotiated = session.received
    .map(({ message, answers }) => (answers === 'initialize' ? message : undefined))
    .find(Boolean);
  try {
    if (session.failures.length > 0) return session;
    await step('logging/setLevel debug', () => client.setLoggingLevel('debug'));
    const tools = await listAll('tools/list', 'tools', (p) => client.listTools(p));
    const prompts = await listAll('prompts/list', 'prompts', (p) => client.listPrompts(p));
    const listed = await listAll('resources/list', 'resources', (p) => client.listResources(p));
    const templates = await listAll('resources/templates/list', 'resourceTemplates', (p) =>
      client.listResourceTemplates(p),
    );
    // An empty run would pass vacuously: server-everything's features must all be there.
    const missing = [
      tools.some((tool) => tool.name === `${PREFIX}echo`) ? undefined : 'tools',
      prompts.some((prompt) => prompt.name === `${PREFIX}simple-prompt`) ? undefined : 'prompts',
      listed.some((resource) => resource.uri === WATCHED_URI) ? undefined : 'resources',
      templates.length > 0 ? undefined : 'resource templates',
    ].filter((what) => what !== undefined);
    if (missing.length > 0)
      session.failures.push(`server-everything's ${missing.join(', ')} not listed`);
    await step(`resources/subscribe ${WATCHED_URI}`, () =>
      client.subscribeResource({ uri: WATCHED_URI }),
    );

    for (const tool of tools) {
      const name = String(tool.name);
      if (!name.startsWith(PREFIX)) continue;
      const plan = TOOL_CALLS[name.slice(PREFIX.length)];
      if (!plan) {
        session.failures.push(`tools/call ${name}: no arguments known for this tool`);
        continue;
      }
      if (plan.needs && !has(plan.needs)) {
        session.skipped.push(
          `${name}: needs ${plan.needs}, which this ${kit.revision} client lacks`,
        );
        continue;
      }
      for (const args of plan.calls) {
        await step(`tools/call ${name} ${JSON.stringify(args)}`, () =>
          client.callTool({ name, arguments: args }, undefined, {
            onprogress: () => {},
            timeout: 20_000,
          }),
        );
      }
    }

    for (const prompt of prompts) {
      const name = String(prompt.name);
      if (!name.startsWith(PREFIX)) continue;
      const variants = PROMPT_ARGUMENTS[name.slice(PREFIX.length)];
      if (!variants) {
        session.failures.push(`prompts/get ${name}: no arguments known for this prompt`);
        continue;
      }
      for (const args of variants) {
        await step(`prompts/get ${name} ${JSON.stringify(args)}`, () =>
          client.getPrompt({ name, arguments: args }),
        );
      }
    }

    // Listed again: the gzip tool added a session resource.
    const resources = await listAll('resources/list', 'resources', (p) => client.listResources(p));
    const uris = resources.map((resource) => String(resource.uri));
    for (const template of templates) {
      uris.push(String(template.uriTemplate).replace(/\{[^}]+\}/g, '1'));
    }
    for (const uri of uris) {
      await step(`resources/read ${uri}`, () => client.readResource({ uri }));
    }

    const completions: Parameters<ClientLike['complete']>[0][] = [
      {
        ref: { type: 'ref/prompt', name: `${PREFIX}completable-prompt` },
        argument: { name: 'department', value: 'E' },
      },
      {
        ref: { type: 'ref/prompt', name: `${PREFIX}completable-prompt` },
        argument: { name: 'name', value: '' },
        // `context` exists from 2025-06-18 on.
        ...(kit.revision >= '2025-06-18'
          ? { context: { arguments: { department: 'Engineering' } } }
          : {}),
      },
      {
        ref: { type: 'ref/prompt', name: `${PREFIX}resource-prompt` },
        argument: { name: 'resourceType', value: 'T' },
      },
      ...templates.map((template) => ({
        ref: { type: 'ref/resource', uri: String(template.uriTemplate) },
        argument: { name: 'resourceId', value: '1' },
      })),
    ];
    for (const params of completions) {
      await step(`completion/complete ${JSON.stringify(params)}`, () => client.complete(params));
    }
    await step(`resources/unsubscribe ${WATCHED_URI}`, () =>
      client.unsubscribeResource({ uri: WATCHED_URI }),
    );
  } finally {
    open = false;
    await client.close().catch(() => {});
  }
  return session;
}

const cells = kits.flatMap((kit) =>
  Object.keys(kit.transports).map((transport) => ({ kit, transport })),
);

describe.each(cells)(
  'SDK $kit.version ($kit.revision) over $transport, through the proxy to server-everything',
  ({ kit, transport }) => {
    let testProxy: TestProxy | undefined;
    let session: Session;
    const validator = createMessageValidator(kit.revision);

    beforeAll(async () => {
      testProxy = await withProxy(
        {
          servers: {
            everything: everythingServer(),
          },
        },
        { client: false },
      );
      session = await exercise(kit, transport, testProxy.url);
    }, 120_000);

    afterAll(() => testProxy?.close());

    it(`negotiates ${kit.revision}`, () => {
      expect(session.negotiated).toMatchObject({ result: { protocolVersion: kit.revision } });
    });

    it('answers every call, and the SDK accepts every answer', () => {
      expect(session.received.length).toBeGreaterThan(0);
      expect(session.failures, session.failures.join('\n')).toEqual([]);
    });

    it(`sends only messages that validate against the ${kit.revision} schema`, () => {
      const violations = summarize(session.received, (m, a) => validator.validate(m, a));
      const report = [
        `Schema violations in ${session.received.length} received messages (${tally(session.received)}):`,
        ...violations,
        `Properties ${kit.revision} does not define (its schema allows them; its SDKs drop them):`,
        ...summarize(session.received, (m, a) => validator.undeclared(m, a), true),
        `Skipped: ${session.skipped.join('; ') || 'none'}`,
      ].join('\n');
      expect(violations, report).toEqual([]);
    });
  },
);
