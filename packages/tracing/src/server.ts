import type { TracingServerSource } from './internal/server-source.js';
import { json } from './internal/tool-args.js';
import { tracingTools } from './internal/tools.js';
import { DEPRECATED_THRESHOLD, TOP_THRESHOLD } from './queries.js';
import type { TracingServerDefinition, VirtualResource, VirtualResourceTemplate } from './types.js';

export type { TracingServerSource } from './internal/server-source.js';

const WEEK_MS = 7 * 24 * 3_600_000;
const JSON_MIME = 'application/json';

function resources(src: TracingServerSource): VirtualResource[] {
  const { queries } = src;
  const resource = (uri: string, name: string, description: string, read: () => unknown) => ({
    uri,
    name,
    description,
    mimeType: JSON_MIME,
    read: async () => json(read()),
  });
  return [
    resource(
      'trace://quality/top-contexts',
      'Top contexts',
      `Context units with a score of at least ${TOP_THRESHOLD} after feedback, best first`,
      () => ({ threshold: TOP_THRESHOLD, contexts: queries.topContexts(20) }),
    ),
    resource(
      'trace://quality/deprecated-contexts',
      'Deprecated contexts',
      `Context units with a score of at most ${DEPRECATED_THRESHOLD} after feedback, worst first`,
      () => ({ threshold: DEPRECATED_THRESHOLD, contexts: queries.deprecatedContexts(20) }),
    ),
    resource(
      'trace://quality/recent-feedback',
      'Recent feedback',
      'Feedback of the last 7 days, newest first (at most 20)',
      () => {
        const now = src.now();
        return {
          since: now - WEEK_MS,
          feedback: queries.feedback({ since: now - WEEK_MS, limit: 20 }),
        };
      },
    ),
    resource(
      'trace://stats/cache',
      'Trace store statistics',
      'Read cache hits, misses and evictions; queued, flushed and dropped writes',
      () => src.stats(),
    ),
  ];
}

function templates(src: TracingServerSource): VirtualResourceTemplate[] {
  const idAfter = (prefix: string, uri: string): string | undefined => {
    if (!uri.startsWith(prefix)) return undefined;
    const id = decodeURIComponent(uri.slice(prefix.length));
    return id.length > 0 && !id.includes('/') ? id : undefined;
  };
  return [
    {
      uriTemplate: 'trace://response/{id}',
      name: 'Response trace',
      description: 'One response with its weighted context units, answer and feedback',
      mimeType: JSON_MIME,
      read: async (uri) => {
        const id = idAfter('trace://response/', uri);
        const r = id === undefined ? undefined : src.queries.response(id);
        return r ? json(r) : undefined;
      },
    },
    {
      uriTemplate: 'trace://context/{id}',
      name: 'Context unit',
      description: 'One context unit with its score, versions and the responses it contributed to',
      mimeType: JSON_MIME,
      read: async (uri) => {
        const id = idAfter('trace://context/', uri);
        const u = id === undefined ? undefined : src.queries.unit(id);
        return u ? json(u) : undefined;
      },
    },
  ];
}

/** The `tracing` virtual server: its tools, resources and resource templates. */
export function createTracingServer(
  src: TracingServerSource,
  version = '0.1.0',
): TracingServerDefinition {
  return {
    name: 'tracing',
    version,
    instructions:
      'Context tracing: every tool result, resource read and prompt carries its response id and context unit id in _meta. Use get_trace to see what an answer was built from, record_answer to say which units it used, and submit_feedback to rate it.',
    tools: tracingTools(src),
    resources: resources(src),
    resourceTemplates: templates(src),
  };
}
