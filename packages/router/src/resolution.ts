import type { ListMethod } from '@switchyard/protocol';
import type { Catalog, Target } from './catalog.js';
import type { LiveBackends } from './context.js';
import type { MergedList } from './merged-lists.js';
import { mayBeShortened, type NamingOptions, parseExposedName } from './naming.js';

export interface ResolutionOptions {
  backends: LiveBackends;
  catalog: Catalog;
  naming: NamingOptions;
  list: MergedList;
}

export interface Resolution {
  /** The backend and original name behind an exposed tool or prompt name. */
  resolveName(kind: 'tools' | 'prompts', exposed: string): Promise<Target | undefined>;
  /** The backend that owns a resource URI; refreshes the catalog once on a miss. */
  resolveUri(uri: string): Promise<string | undefined>;
}

/**
 * Name and URI resolution (docs/architecture.md, "Routing by name"): the catalog learned from lists
 * first, else the longest matching prefix; shortened names and the `none` strategy refresh the
 * catalog from the backends' lists.
 */
export function createResolution(options: ResolutionOptions): Resolution {
  const { backends, catalog, naming } = options;

  /** Fills the catalog from every backend's list, or from `only` that backend's. */
  const refresh = async (method: ListMethod, only?: string): Promise<void> => {
    let cursor: string | undefined;
    do {
      const outcome = await options.list(
        method,
        cursor === undefined ? undefined : { cursor },
        only,
      );
      cursor =
        outcome.kind === 'result' && typeof outcome.result.nextCursor === 'string'
          ? outcome.result.nextCursor
          : undefined;
    } while (cursor !== undefined);
  };

  const refreshed = async (
    map: Map<string, Target>,
    kind: 'tools' | 'prompts',
    exposed: string,
    fallback?: Target,
  ): Promise<Target | undefined> => {
    await refresh(kind === 'tools' ? 'tools/list' : 'prompts/list');
    return map.get(exposed) ?? fallback;
  };

  return {
    async resolveName(kind, exposed) {
      const map = kind === 'tools' ? catalog.tools : catalog.prompts;
      const known = map.get(exposed);
      if (known) return known;
      const entries = backends.entries();
      const parsed = parseExposedName(
        naming,
        entries.map((e) => e.prefix),
        exposed,
      );
      const fromName = (): Target | undefined => {
        if (!parsed) return undefined;
        const order = entries.findIndex((e) => e.prefix === parsed.prefix);
        const entry = entries[order];
        return entry
          ? { backend: entry.name, name: parsed.name, priority: entry.priority, order }
          : undefined;
      };
      if (mayBeShortened(naming, exposed)) return refreshed(map, kind, exposed, fromName());
      const target = fromName();
      if (!target) return refreshed(map, kind, exposed);
      // A tool's list entry says whether it needs a task or promises structured content: ask its
      // backend, unless that backend is not running yet (the call itself waits for it or wakes it).
      if (kind === 'prompts' || entries[target.order]?.state !== 'running') return target;
      await refresh('tools/list', target.backend);
      return map.get(exposed) ?? target;
    },
    async resolveUri(uri) {
      const known = catalog.ownerOfUri(uri);
      if (known) return known;
      await Promise.all([refresh('resources/list'), refresh('resources/templates/list')]);
      const found = catalog.ownerOfUri(uri);
      if (found) return found;
      const withResources = await backends.live('resources');
      return withResources.length === 1 ? withResources[0]?.entry.name : undefined;
    },
  };
}
