import type {
  PromptInfo,
  ResourceInfo,
  ResourceTemplateInfo,
  ServerCounts,
  ToolInfo,
} from '@switchyard/admin-api';
import { type JsonObject, Method } from '@switchyard/protocol';
import {
  type BackendEvents,
  type BackendSession,
  exposeName,
  type NamingOptions,
} from '@switchyard/router';
import type { SupervisedBackends } from './supervised-backends.js';

/** What a server offers, as it last listed it. */
export interface ServerLists {
  tools: ToolInfo[];
  prompts: PromptInfo[];
  resources: ResourceInfo[];
  resourceTemplates: ResourceTemplateInfo[];
  listErrors: Array<{ list: string; message: string }>;
}

export interface ServerInventoryOptions {
  backends: Pick<SupervisedBackends, 'list'>;
  naming: NamingOptions;
  /** Each list request's own limit. */
  timeoutMs: number;
  /** A server's lists were read anew (it came up, or said its lists changed). */
  onChanged(server: string): void;
  onError(server: string, message: string): void;
}

/** The lists of every running server, for the overview's counts and a server's page. */
export interface ServerInventory {
  /** Joined to the backend hub: list changes and servers coming and going refresh it. */
  readonly events: BackendEvents;
  /** Counts from the last read; null while the server is down or not yet read. */
  counts(server: string): ServerCounts | null;
  /** The lists, read first if the running session has not been read yet. */
  lists(server: string): Promise<ServerLists | undefined>;
}

const LISTS = [
  { key: 'tools', method: Method.ToolsList, capability: 'tools' },
  { key: 'prompts', method: Method.PromptsList, capability: 'prompts' },
  { key: 'resources', method: Method.ResourcesList, capability: 'resources' },
  { key: 'resourceTemplates', method: Method.ResourceTemplatesList, capability: 'resources' },
] as const;
/** The result field each list method answers with. */
const FIELD = {
  tools: 'tools',
  prompts: 'prompts',
  resources: 'resources',
  resourceTemplates: 'resourceTemplates',
};
/** A server that pages forever must not hold the dashboard. */
const MAX_PAGES = 100;

interface Entry {
  session: BackendSession;
  lists?: ServerLists;
  reading?: Promise<ServerLists> | undefined;
  /** A change arrived while reading: read again once done. */
  stale: boolean;
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const obj = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;

/** Only the documented fields of a listed item, so a backend's extra payload stays out of the API. */
function pick<T>(item: JsonObject, keys: readonly string[]): T {
  const out: Record<string, unknown> = {};
  for (const key of keys) if (item[key] !== undefined) out[key] = item[key];
  return out as T;
}

/**
 * Reads each running server's tools, prompts, resources and templates when it comes up and when it
 * says a list changed (`notifications/*\/list_changed`, MCP 2025-11-25, Server Features), straight
 * from its backend session: these reads are the proxy's own, not client traffic, so they are not in
 * the request metrics. Lists a server does not declare are not asked for.
 */
export function createServerInventory(options: ServerInventoryOptions): ServerInventory {
  const entries = new Map<string, Entry>();
  const live = (server: string) => options.backends.list().find((b) => b.name === server);

  const readList = async (
    session: BackendSession,
    method: string,
    field: string,
  ): Promise<JsonObject[]> => {
    const items: JsonObject[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const pending = session.request(method, cursor ? { cursor } : undefined, {
        timeoutMs: options.timeoutMs,
      });
      const outcome = await pending.outcome;
      if (outcome.kind === 'cancelled') throw new Error(`${method} was cancelled`);
      if (outcome.kind === 'error') throw new Error(outcome.error.message);
      const got = outcome.result[field];
      if (Array.isArray(got)) for (const item of got) if (obj(item)) items.push(item as JsonObject);
      cursor = str(outcome.result.nextCursor);
      if (!cursor) break;
    }
    return items;
  };

  const read = async (server: string, session: BackendSession): Promise<ServerLists> => {
    const prefix = live(server)?.prefix ?? server;
    const lists: ServerLists = {
      tools: [],
      prompts: [],
      resources: [],
      resourceTemplates: [],
      listErrors: [],
    };
    await Promise.all(
      LISTS.filter(({ capability }) => capability in session.serverCapabilities).map(
        async ({ key, method }) => {
          try {
            const items = await readList(session, method, FIELD[key]);
            if (key === 'tools' || key === 'prompts') {
              const fields =
                key === 'tools'
                  ? ['name', 'title', 'description', 'inputSchema', 'outputSchema', 'annotations']
                  : ['name', 'title', 'description', 'arguments'];
              lists[key] = items.map((item) => ({
                ...pick<Record<string, unknown>>(item, fields),
                exposedAs: exposeName(options.naming, prefix, String(item.name)),
              })) as never;
            } else {
              const fields = [
                key === 'resources' ? 'uri' : 'uriTemplate',
                'name',
                'title',
                'description',
                'mimeType',
              ];
              lists[key] = items.map((item) => pick(item, fields)) as never;
            }
          } catch (error) {
            // A session that closed meanwhile (the server was stopped) is no failure of the list.
            if (session.closed !== undefined) return;
            const message = error instanceof Error ? error.message : String(error);
            lists.listErrors.push({ list: method, message });
            options.onError(server, `${method} failed: ${message}`);
          }
        },
      ),
    );
    return lists;
  };

  const refresh = (server: string): Promise<ServerLists> | undefined => {
    const session = live(server)?.session;
    if (!session || session.closed !== undefined) {
      entries.delete(server);
      return undefined;
    }
    let entry = entries.get(server);
    if (!entry || entry.session !== session) {
      entry = { session, stale: false };
      entries.set(server, entry);
    }
    if (entry.reading) {
      entry.stale = true;
      return entry.reading;
    }
    const current = entry;
    current.reading = read(server, session).then((lists) => {
      current.reading = undefined;
      if (entries.get(server) !== current) return lists;
      current.lists = lists;
      options.onChanged(server);
      if (current.stale) {
        current.stale = false;
        void refresh(server);
      }
      return lists;
    });
    return current.reading;
  };

  const events: BackendEvents = {
    notification(backend, notification) {
      if (notification.method.endsWith('/list_changed')) void refresh(backend);
    },
    request: () => undefined,
    changed(backend) {
      const names = backend === undefined ? options.backends.list().map((b) => b.name) : [backend];
      for (const name of names) {
        const before = entries.get(name);
        if (!refresh(name) && before) options.onChanged(name);
      }
    },
    covers: () => true,
  };

  return {
    events,
    counts(server) {
      const entry = entries.get(server);
      const lists = entry?.session === live(server)?.session ? entry?.lists : undefined;
      if (!lists) return null;
      return {
        tools: lists.tools.length,
        prompts: lists.prompts.length,
        resources: lists.resources.length,
        resourceTemplates: lists.resourceTemplates.length,
      };
    },
    async lists(server) {
      const entry = entries.get(server);
      if (entry?.lists && entry.session === live(server)?.session) return entry.lists;
      return refresh(server);
    },
  };
}
