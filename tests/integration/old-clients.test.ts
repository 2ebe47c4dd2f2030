import { Client as Client1322 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as Http1322 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  ElicitRequestSchema as Elicit1322,
  ListRootsRequestSchema as Roots1322,
  CreateMessageRequestSchema as Sampling1322,
} from '@modelcontextprotocol/sdk/types.js';
import type { LegacyRevision } from '@switchyard/protocol';
import { Client as Client1102 } from 'sdk-2024-11-05/client/index.js';
import { SSEClientTransport as Sse1102 } from 'sdk-2024-11-05/client/sse.js';
import { StreamableHTTPClientTransport as Http1102 } from 'sdk-2024-11-05/client/streamableHttp.js';
import {
  ListRootsRequestSchema as Roots1102,
  CreateMessageRequestSchema as Sampling1102,
} from 'sdk-2024-11-05/types.js';
import { Client as Client1123 } from 'sdk-2025-03-26/client/index.js';
import { StreamableHTTPClientTransport as Http1123 } from 'sdk-2025-03-26/client/streamableHttp.js';
import {
  ListRootsRequestSchema as Roots1123,
  CreateMessageRequestSchema as Sampling1123,
} from 'sdk-2025-03-26/types.js';
import { Client as Client1240 } from 'sdk-2025-06-18/client/index.js';
import { StreamableHTTPClientTransport as Http1240 } from 'sdk-2025-06-18/client/streamableHttp.js';
import {
  ElicitRequestSchema as Elicit1240,
  ListRootsRequestSchema as Roots1240,
  CreateMessageRequestSchema as Sampling1240,
} from 'sdk-2025-06-18/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { everythingServer, type TestProxy, withProxy } from './helpers.js';
import { createMessageValidator, formatIssue, type SchemaIssue } from './schema-validator.js';

/**
 * Genuine old SDK clients, each offering its own revision, against server-everything (2025-11-25)
 * behind the proxy: every call must succeed in that SDK, and every message the client receives must
 * validate against its revision's official schema. SDK 1.32.2 (2025-11-25) is the control.
 */

/** The part of an SDK transport the tap needs; every SDK version has it. */
interface TransportLike {
  send(message: unknown, options?: unknown): Promise<void>;
  onmessage?: ((message: unknown, extra?: unknown) => void) | undefined;
}

type Page = { nextCursor?: string } & Record<string, unknown>;

/** The `Client` methods used here, identical in shape from SDK 1.10 to 1.32. */
interface ClientLike {
  connect(transport: TransportLike): Promise<void>;
  close(): Promise<void>;
  onerror?: (error: Error) => void;
  setRequestHandler(schema: unknown, handler: (request: unknown) => Promise<unknown>): void;
  setLoggingLevel(level: string): Promise<unknown>;
  listTools(params?: { cursor: string }): Promise<Page>;
  listPrompts(params?: { cursor: string }): Promise<Page>;
  listResources(params?: { cursor: string }): Promise<Page>;
  listResourceTemplates(params?: { cursor: string }): Promise<Page>;
  callTool(
    params: { name: string; arguments: Record<string, unknown> },
    resultSchema?: undefined,
    options?: { onprogress?: (progress: unknown) => void; timeout?: number },
  ): Promise<{ isError?: boolean; content?: unknown[] }>;
  getPrompt(params: { name: string; arguments?: Record<string, string> }): Promise<unknown>;
  readResource(params: { uri: string }): Promise<unknown>;
  subscribeResource(params: { uri: string }): Promise<unknown>;
  unsubscribeResource(params: { uri: string }): Promise<unknown>;
  complete(params: {
    ref: { type: string; name?: string; uri?: string };
    argument: { name: string; value: string };
    context?: { arguments: Record<string, string> };
  }): Promise<{ completion: { values: string[] } }>;
}

/** One SDK version's client classes and the schemas its request handlers are keyed by. */
interface SdkKit {
  version: string;
  revision: LegacyRevision;
  Client: new (info: { name: string; version: string }, options: unknown) => ClientLike;
  transports: Record<string, (url: URL) => TransportLike>;
  samplingRequest: unknown;
  rootsRequest: unknown;
  /** Absent before 2025-06-18, which introduced elicitation; URL mode came with 2025-11-25. */
  elicitation?: { request: unknown; url: boolean };
}

const as = <T>(value: unknown) => value as T;
const streamable = (Transport: unknown) => (url: URL) =>
  new (as<new (url: URL) => TransportLike>(Transport))(url);
const sse = (Transport: unknown) => (url: URL) =>
  new (as<new (url: URL) => TransportLike>(Transport))(new URL('/sse', url));

const kits: SdkKit[] = [
  {
    version: '1.10.2',
    revision: '2024-11-05',
    Client: as<SdkKit['Client']>(Client1102),
    transports: { 'Streamable HTTP': streamable(Http1102), 'HTTP+SSE': sse(Sse1102) },
    samplingRequest: Sampling1102,
    rootsRequest: Roots1102,
  },
  {
    version: '1.12.3',
    revision: '2025-03-26',
    Client: as<SdkKit['Client']>(Client1123),
    transports: { 'Streamable HTTP': streamable(Http1123) },
    samplingRequest: Sampling1123,
    rootsRequest: Roots1123,
  },
  {
    version: '1.24.0',
    revision: '2025-06-18',
    Client: as<SdkKit['Client']>(Client1240),
    transports: { 'Streamable HTTP': streamable(Http1240) },
    samplingRequest: Sampling1240,
    rootsRequest: Roots1240,
    elicitation: { request: Elicit1240, url: false },
  },
  {
    version: '1.32.2',
    revision: '2025-11-25',
    Client: as<SdkKit['Client']>(Client1322),
    transports: { 'Streamable HTTP': streamable(Http1322) },
    samplingRequest: Sampling1322,
    rootsRequest: Roots1322,
    elicitation: { request: Elicit1322, url: true },
  },
];

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

/** A message the client received; for a response, the request it answers. */
interface Received {
  message: unknown;
  /** The method of the answered request. */
  answers?: string;
  /** What the answered request was about: a tool or prompt name, a URI, a completion target. */
  subject?: string;
}

/**
 * Records every message `transport` delivers to the client, and which request each response
 * answers (from the requests the client sends through the same transport).
 */
function tap(transport: TransportLike, received: Received[]): void {
  const requests = new Map<unknown, { answers: string; subject?: string }>();
  const send = transport.send.bind(transport);
  transport.send = (message, options) => {
    const request = message as { id?: unknown; method?: unknown; params?: unknown };
    if (request.id !== undefined && typeof request.method === 'string') {
      const subject = subjectOf(request.params);
      requests.set(request.id, {
        answers: request.method,
        ...(subject === undefined ? {} : { subject }),
      });
    }
    return send(message, options);
  };
  let handler: TransportLike['onmessage'];
  const deliver = (message: unknown, extra?: unknown) => {
    const response = message as { id?: unknown; method?: unknown };
    const request =
      response.method === undefined && response.id !== undefined
        ? requests.get(response.id)
        : undefined;
    received.push({ message, ...request });
    handler?.(message, extra);
  };
  Object.defineProperty(transport, 'onmessage', {
    configurable: true,
    get: () => (handler ? deliver : undefined),
    set: (value: TransportLike['onmessage']) => {
      handler = value;
    },
  });
}

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

/** The name, URI or completion target a request is about. */
function subjectOf(params: unknown): string | undefined {
  const p = (params ?? {}) as {
    name?: unknown;
    uri?: unknown;
    ref?: { name?: unknown; uri?: unknown };
    argument?: { name?: unknown };
  };
  if (p.ref) return `${String(p.ref.name ?? p.ref.uri)} ${String(p.argument?.name)}`;
  const subject = p.name ?? p.uri;
  return subject === undefined ? undefined : String(subject);
}

/**
 * The issues of every received message, one line each (`[subject]` names the tool, prompt or URI
 * the answered request was about), with a count where the same line recurs. `collapse` replaces
 * array indices with `*`, for long lists of the same finding.
 */
function summarize(
  received: Received[],
  issuesOf: (message: unknown, answers?: string) => SchemaIssue[],
  collapse = false,
): string[] {
  const counts = new Map<string, number>();
  for (const { message, answers, subject } of received) {
    for (const issue of issuesOf(message, answers)) {
      const path = collapse ? issue.path.replace(/\/\d+(?=\/|$)/g, '/*') : issue.path;
      const about = subject === undefined || collapse ? '' : ` [${subject}]`;
      const line = formatIssue({ ...issue, method: `${issue.method}${about}`, path });
      counts.set(line, (counts.get(line) ?? 0) + 1);
    }
  }
  return [...counts].map(([line, count]) => (count > 1 ? `${line} (x${count})` : line));
}

/** How many messages of each kind a session received, e.g. `tools/call result x25`. */
function tally(received: Received[]): string {
  const counts = new Map<string, number>();
  for (const { message, answers } of received) {
    const m = message as { method?: string; error?: unknown };
    const kind = m.method ?? `${answers ?? '?'} ${m.error ? 'error' : 'result'}`;
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return [...counts].map(([kind, count]) => `${kind} x${count}`).join(', ');
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

/**
 * A short, single-line description of a thrown error or a tool result. A Zod error (an SDK rejecting
 * what it received) becomes its issue paths and codes, with the values its literals refused.
 */
function brief(value: unknown): string {
  const issues = (value as { issues?: unknown })?.issues;
  if (Array.isArray(issues)) {
    const described = issues.map((issue: { path?: unknown[]; code?: string; message?: string }) => {
      const refused = [...new Set(refusedValues(issue))].map((v) => JSON.stringify(v));
      const detail = refused.length > 0 ? ` (refused ${refused.join(', ')})` : ` ${issue.message}`;
      return `${(issue.path ?? []).join('.')}: ${issue.code}${detail}`;
    });
    return `ZodError ${described.join('; ')}`;
  }
  const text = value instanceof Error ? value.message : JSON.stringify(value);
  const line = (text ?? String(value)).replace(/\s+/g, ' ');
  return line.length > 400 ? `${line.slice(0, 397)}...` : line;
}

/** The values refused by literal or enum checks anywhere inside a (union) Zod issue. */
function refusedValues(issue: unknown): unknown[] {
  if (typeof issue !== 'object' || issue === null) return [];
  const { code, received, input, unionErrors, errors } = issue as Record<string, unknown>;
  const here =
    code === 'invalid_literal' || code === 'invalid_enum_value'
      ? [received]
      : code === 'invalid_value'
        ? [input]
        : [];
  const nested = [
    ...((unionErrors as { issues: unknown[] }[] | undefined) ?? []).flatMap((e) => e.issues),
    ...((errors as unknown[][] | undefined) ?? []).flat(),
  ];
  return [...here, ...nested.flatMap(refusedValues)].filter((v) => v !== undefined);
}
