import type { Logger } from '@switchyard/logging';
import {
  completeListItem,
  isJsonObject,
  type JsonObject,
  LATEST_LEGACY_REVISION,
  LIST_METHODS,
  type ListMethod,
  type TranslationEvent,
} from '@switchyard/protocol';
import type { Catalog, Target } from './catalog.js';
import type { LiveBackends, ToolPolicy } from './context.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import type { BackendEntry } from './directory.js';
import { exposeName, type NamingOptions } from './naming.js';
import { failed, type Outcome } from './outcome.js';

const CAPABILITY_OF: Record<ListMethod, 'tools' | 'prompts' | 'resources'> = {
  'tools/list': 'tools',
  'prompts/list': 'prompts',
  'resources/list': 'resources',
  'resources/templates/list': 'resources',
};

export interface MergedListsOptions {
  backends: LiveBackends;
  catalog: Catalog;
  naming: NamingOptions;
  timeoutFor(backend: string): number;
  /** A request is going to this backend (resets its idle timer). */
  touch(backend: string): void;
  reportTranslation(event: TranslationEvent): void;
  /** Every tool as its backend listed it, before it is exposed. */
  toolListed(server: string, tool: JsonObject): void;
  /** Whether a listed tool is shown to clients (docs/operations.md, "Tool pinning"). */
  toolPolicy: ToolPolicy;
  logger: Logger | undefined;
}

/** One page of a merged list; `only` asks that one backend alone (to refresh its entries). */
export type MergedList = (
  method: ListMethod,
  params: JsonObject | undefined,
  only?: string,
) => Promise<Outcome>;

/**
 * Merged lists (docs/architecture.md, "Merged pagination"): the first page asks every live backend
 * in parallel; later pages follow the backend cursors held in the proxy's own cursor. Every item
 * listed is recorded in the catalog under its exposed name. A failing backend is left out and
 * logged, so the others keep serving.
 */
export function createMergedLists(options: MergedListsOptions): MergedList {
  const { catalog, naming, logger } = options;
  const target = (entry: BackendEntry, order: number, name: string): Target => ({
    backend: entry.name,
    name,
    priority: entry.priority,
    order,
  });

  /** Records a listed item in the catalog and returns it as the client sees it (or drops a loser). */
  const expose = (
    method: ListMethod,
    entry: BackendEntry,
    order: number,
    item: JsonObject,
  ): JsonObject | undefined => {
    if (method === 'tools/list' || method === 'prompts/list') {
      if (typeof item.name !== 'string') return undefined;
      if (method === 'tools/list') {
        options.toolListed(entry.name, item);
        const verdict = options.toolPolicy(entry.name, item.name);
        if (!verdict.show) {
          logger?.debug('tool held back from the list', { server: entry.name, tool: item.name });
          return undefined;
        }
      }
      const exposed = exposeName(naming, entry.prefix, item.name);
      const map = method === 'tools/list' ? catalog.tools : catalog.prompts;
      const found = target(entry, order, item.name);
      const { execution, ...rest } = item;
      // The proxy offers clients no tasks: a tool that requires one is called as a task by the
      // proxy and answered synchronously (docs/protocol-versions.md), so clients see no `execution`.
      if (isJsonObject(execution) && execution.taskSupport === 'required')
        found.taskRequired = true;
      if (method === 'tools/list' && isJsonObject(item.outputSchema)) found.outputSchema = true;
      if (!catalog.offer(map, exposed, found)) {
        logger?.warn('name collision: lower-priority item hidden', {
          server: entry.name,
          name: exposed,
        });
        return undefined;
      }
      return { ...(method === 'tools/list' ? rest : item), name: exposed };
    }
    if (method === 'resources/list' && typeof item.uri === 'string') {
      if (!catalog.offerResource(item.uri, target(entry, order, item.uri))) {
        logger?.warn('resource URI collision: owned by another backend', {
          server: entry.name,
          uri: item.uri,
        });
        return undefined;
      }
    }
    if (method === 'resources/templates/list')
      catalog.offerTemplate(item, target(entry, order, ''));
    return item;
  };

  return async (method, params, only) => {
    const key = LIST_METHODS[method];
    const cursor = params?.cursor;
    const state = cursor === undefined ? undefined : decodeCursor(cursor);
    if (cursor !== undefined && !state)
      return failed('invalid_params', 'Invalid params: unknown cursor');
    // Refreshing one backend's entries neither waits for nor wakes the others.
    const live = (await options.backends.live(CAPABILITY_OF[method], only === undefined)).filter(
      ({ entry }) => only === undefined || entry.name === only,
    );
    const targets = state ? live.filter(({ entry }) => entry.name in state) : live;
    const pages = await Promise.all(
      targets.map(async (t) => {
        const backendCursor = state?.[t.entry.name];
        options.touch(t.entry.name);
        const pending = t.session.request(
          method,
          backendCursor === undefined ? undefined : { cursor: backendCursor },
          { timeoutMs: options.timeoutFor(t.entry.name) },
        );
        return { ...t, outcome: await pending.outcome };
      }),
    );
    // Names are claimed by rank (priority, then config order) so that a loser is never shown
    // before its winner is seen; items are still listed in config order.
    const ranked = [...pages].sort(
      (a, b) => b.entry.priority - a.entry.priority || a.order - b.order,
    );
    const shownBy = new Map<string, JsonObject[]>();
    const next: Record<string, string> = {};
    for (const { entry, order, outcome, session } of ranked) {
      const shown: JsonObject[] = [];
      shownBy.set(entry.name, shown);
      if (outcome.kind !== 'result') {
        const why = outcome.kind === 'error' ? outcome.error.message : 'cancelled';
        logger?.warn('backend left out of merged list', {
          server: entry.name,
          method,
          reason: why,
        });
        continue;
      }
      const list = outcome.result[key];
      if (Array.isArray(list)) {
        for (const item of list) {
          if (!isJsonObject(item)) continue;
          const complete = completeListItem(method, item, (feature) =>
            options.reportTranslation({
              from: session.revision ?? LATEST_LEGACY_REVISION,
              to: LATEST_LEGACY_REVISION,
              feature,
              action: 'converted',
            }),
          );
          const exposed = expose(method, entry, order, complete);
          if (exposed) shown.push(exposed);
        }
      }
      if (typeof outcome.result.nextCursor === 'string')
        next[entry.name] = outcome.result.nextCursor;
    }
    const items = pages.flatMap(({ entry }) => shownBy.get(entry.name) ?? []);
    const nextCursor = encodeCursor(next);
    return { kind: 'result', result: nextCursor ? { [key]: items, nextCursor } : { [key]: items } };
  };
}
