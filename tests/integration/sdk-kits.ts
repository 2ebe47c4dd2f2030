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
import { formatIssue, type SchemaIssue } from './schema-validator.js';

/**
 * The genuine old SDK clients used as legacy peers (each offering its own revision, installed side
 * by side under npm aliases), and what the tests around them share: a tap that records every
 * message a client receives, and summaries of schema issues (docs/protocol-versions.md, "Tests").
 */

/** The part of an SDK transport the tap needs; every SDK version has it. */
export interface TransportLike {
  send(message: unknown, options?: unknown): Promise<void>;
  onmessage?: ((message: unknown, extra?: unknown) => void) | undefined;
}

export type Page = { nextCursor?: string } & Record<string, unknown>;

/** The `Client` methods used here, identical in shape from SDK 1.10 to 1.32. */
export interface ClientLike {
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
export interface SdkKit {
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

export const kits: SdkKit[] = [
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

/** A message the client received; for a response, the request it answers. */
export interface Received {
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
export function tap(transport: TransportLike, received: Received[]): void {
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

/** The name, URI or completion target a request is about. */
export function subjectOf(params: unknown): string | undefined {
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
export function summarize(
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
export function tally(received: Received[]): string {
  const counts = new Map<string, number>();
  for (const { message, answers } of received) {
    const m = message as { method?: string; error?: unknown };
    const kind = m.method ?? `${answers ?? '?'} ${m.error ? 'error' : 'result'}`;
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return [...counts].map(([kind, count]) => `${kind} x${count}`).join(', ');
}

/**
 * A short, single-line description of a thrown error or a tool result. A Zod error (an SDK rejecting
 * what it received) becomes its issue paths and codes, with the values its literals refused.
 */
export function brief(value: unknown): string {
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
export function refusedValues(issue: unknown): unknown[] {
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
