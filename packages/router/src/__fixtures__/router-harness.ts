import type { LogFields, Logger } from '@switchyard/logging';
import type {
  JsonObject,
  JsonRpcId,
  JsonRpcMessage,
  JsonRpcNotification,
  JsonRpcResponse,
  SessionInfo,
} from '@switchyard/protocol';
import { ManualClock } from '@switchyard/protocol/testing';
import { type BackendHub, createBackendHub } from '../backend-events.js';
import type { BackendSession } from '../backend-session.js';
import type { ClientSession } from '../client-session.js';
import type { BackendDirectory, BackendEntry } from '../directory.js';
import { createRouter, type Router, type RouterOptions } from '../router.js';
import {
  connectFakeBackend,
  type FakeBackendOptions,
  type FakeTransport,
  type Handler,
} from './fake-backend.js';

/** A directory the test edits by hand: entries in config order. */
export class FakeDirectory implements BackendDirectory {
  entries: BackendEntry[] = [];
  /** How often the whole list was asked for. */
  listed = 0;

  list(): readonly BackendEntry[] {
    this.listed++;
    return this.entries;
  }

  entry(name: string): BackendEntry | undefined {
    return this.entries.find((e) => e.name === name);
  }

  update(name: string, patch: Partial<BackendEntry>): void {
    this.entries = this.entries.map((e) => (e.name === name ? { ...e, ...patch } : e));
  }

  remove(name: string): void {
    this.entries = this.entries.filter((e) => e.name !== name);
  }
}

/** A logger that remembers what it was told. */
export function recordingLogger(): Logger & {
  lines: Array<{ level: string; message: string; fields?: LogFields | undefined }>;
} {
  const lines: Array<{ level: string; message: string; fields?: LogFields | undefined }> = [];
  const logger = {
    lines,
    error: (message: string, fields?: LogFields) => lines.push({ level: 'error', message, fields }),
    warn: (message: string, fields?: LogFields) => lines.push({ level: 'warn', message, fields }),
    info: (message: string, fields?: LogFields) => lines.push({ level: 'info', message, fields }),
    debug: (message: string, fields?: LogFields) => lines.push({ level: 'debug', message, fields }),
    child: () => logger,
    flush: async () => {},
  };
  return logger;
}

/** Answers a list method with fixed items under `key`. */
export function listing(key: string, items: JsonObject[]): Handler {
  return () => ({ result: { [key]: items } });
}

/** Answers `tools/list` with tools of these names. */
export function toolsNamed(...names: string[]): Handler {
  return listing(
    'tools',
    names.map((name) => ({ name, description: `${name} tool`, inputSchema: { type: 'object' } })),
  );
}

/** Answers `tools/call` with the backend name and the arguments it received. */
export function echoCall(backend: string): Handler {
  return (params) => ({
    result: { content: [{ type: 'text', text: `${backend}:${String(params?.name)}` }] },
  });
}

/** The client side of one router session, speaking JSON-RPC through the session's sink. */
export class TestClient {
  readonly received: Array<{ message: JsonRpcMessage; related: JsonRpcId | undefined }> = [];
  readonly session: ClientSession;
  private nextId = 1;
  private readonly waiters = new Map<JsonRpcId, (response: JsonRpcResponse) => void>();

  constructor(router: Router, info: SessionInfo = { transport: 'test' }) {
    this.session = router.openSession((message, related) => {
      this.received.push({ message, related });
      if (!('method' in message)) {
        const waiter = message.id === null ? undefined : this.waiters.get(message.id);
        if (waiter && message.id !== null) {
          this.waiters.delete(message.id);
          waiter(message);
        }
      }
    }, info);
  }

  /** Sends a request and resolves with its response. */
  request(method: string, params?: JsonObject, id: JsonRpcId = this.nextId++) {
    const response = new Promise<JsonRpcResponse>((resolve) => this.waiters.set(id, resolve));
    this.session.handle(
      params === undefined
        ? { jsonrpc: '2.0', id, method }
        : { jsonrpc: '2.0', id, method, params },
    );
    return response;
  }

  notify(method: string, params?: JsonObject): void {
    this.session.handle(
      params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params },
    );
  }

  async initialize(protocolVersion = '2025-11-25'): Promise<JsonRpcResponse> {
    const response = await this.request('initialize', {
      protocolVersion,
      capabilities: {},
      clientInfo: { name: 'test-client', version: '1.0.0' },
    });
    this.notify('notifications/initialized');
    return response;
  }

  /** Notifications received, optionally only those of one method. */
  notifications(method?: string): JsonRpcNotification[] {
    return this.received
      .map((r) => r.message)
      .filter(
        (m): m is JsonRpcNotification =>
          'method' in m && (method === undefined || m.method === method),
      );
  }

  /** Responses received for request `id`. */
  responsesTo(id: JsonRpcId): JsonRpcMessage[] {
    return this.received.map((r) => r.message).filter((m) => !('method' in m) && m.id === id);
  }
}

export interface BackendSpec extends FakeBackendOptions {
  name: string;
  prefix?: string;
  priority?: number;
}

export interface Harness {
  router: Router;
  /** Where the fake backends publish their events (another router may join it). */
  hub: BackendHub;
  directory: FakeDirectory;
  clock: ManualClock;
  logger: ReturnType<typeof recordingLogger>;
  /** One fake backend by name; throws for a name the harness was not given. */
  backend(name: string): { session: BackendSession; transport: FakeTransport };
  client(): TestClient;
  /** A client whose `initialize` handshake is done. */
  initializedClient(protocolVersion?: string): Promise<TestClient>;
}

/**
 * A router over fake backends, each a real BackendSession over a FakeTransport, all on one manual
 * clock; backend notifications reach the router as the proxy app wires them (through a hub).
 */
export async function createHarness(
  specs: BackendSpec[],
  options: Omit<RouterOptions, 'backends' | 'clock' | 'serverInfo'> &
    Partial<Pick<RouterOptions, 'serverInfo'>> = {},
): Promise<Harness> {
  const clock = new ManualClock();
  const logger = recordingLogger();
  const directory = new FakeDirectory();
  const backends: Record<string, { session: BackendSession; transport: FakeTransport }> = {};
  const hub = createBackendHub();
  for (const spec of specs) {
    const connected = await connectFakeBackend(spec.name, {
      answerUnhandled: true,
      ...spec,
      clock,
      onNotification: (n) => hub.notification(spec.name, n),
      onRequest: (session, request) => hub.request(session, request),
    });
    backends[spec.name] = connected;
    directory.entries.push({
      name: spec.name,
      prefix: spec.prefix ?? spec.name,
      priority: spec.priority ?? 0,
      state: 'running',
      session: connected.session,
    });
  }
  const router = createRouter({
    hub,
    logger,
    serverInfo: { name: 'switchyard', version: '0.1.0' },
    ...options,
    backends: directory,
    clock,
  });
  return {
    router,
    hub,
    directory,
    clock,
    logger,
    backend(name) {
      const found = backends[name];
      if (!found) throw new Error(`no fake backend named ${name}`);
      return found;
    },
    client: () => new TestClient(router),
    async initializedClient(protocolVersion) {
      const client = new TestClient(router);
      await client.initialize(protocolVersion);
      return client;
    },
  };
}

/** The `result` of a successful response; fails the test on an error response. */
export function resultOf(response: JsonRpcResponse): JsonObject {
  if ('error' in response) throw new Error(`expected a result, got ${JSON.stringify(response)}`);
  return response.result;
}

/** Names of the items under `key` in a list result. */
export function namesIn(response: JsonRpcResponse, key = 'tools'): unknown[] {
  return (resultOf(response)[key] as JsonObject[]).map((item) => item.name ?? item.uri);
}
