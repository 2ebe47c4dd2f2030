import { createSignal } from 'solid-js';

/**
 * Hash routing (`#/servers/memory`): the proxy owns `/servers/<name>/mcp`, `/metrics` and other
 * paths, so the dashboard's own paths stay after the `#` where they can never clash.
 */
export type Route =
  | { page: 'overview' }
  | { page: 'server'; name: string }
  | { page: 'logs'; name: string | null }
  | { page: 'metrics' }
  | { page: 'sessions' }
  | { page: 'playground'; tool: string | null }
  | { page: 'tracing'; view: TracingView; id: string | null }
  | { page: 'not-found'; path: string };

/** The views of the tracing explorer: home, or one session, response or context unit. */
export type TracingView = 'home' | 'session' | 'response' | 'unit';

const TRACING_VIEWS: Record<string, TracingView> = {
  sessions: 'session',
  responses: 'response',
  units: 'unit',
};

/** The route of a location hash (`#/servers/memory`); unknown paths are `not-found`. */
export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/^\/+|\/+$/g, '');
  const [head = '', rest, ...more] = path.split('/');
  const arg = rest === undefined ? null : decodeURIComponent(rest);
  if (head === 'tracing') {
    if (rest === undefined) return { page: 'tracing', view: 'home', id: null };
    const view = TRACING_VIEWS[rest];
    const [id, ...extra] = more;
    if (view && id && extra.length === 0)
      return { page: 'tracing', view, id: decodeURIComponent(id) };
  }
  if (more.length === 0) {
    if (head === '' && arg === null) return { page: 'overview' };
    if (head === 'servers' && arg) return { page: 'server', name: arg };
    if (head === 'logs') return { page: 'logs', name: arg };
    if (head === 'metrics' && arg === null) return { page: 'metrics' };
    if (head === 'sessions' && arg === null) return { page: 'sessions' };
    if (head === 'playground') return { page: 'playground', tool: arg };
  }
  return { page: 'not-found', path: `/${path}` };
}

/** The href of a route. */
export const href = {
  overview: () => '#/',
  server: (name: string) => `#/servers/${encodeURIComponent(name)}`,
  logs: (name?: string) => (name ? `#/logs/${encodeURIComponent(name)}` : '#/logs'),
  metrics: () => '#/metrics',
  sessions: () => '#/sessions',
  playground: (tool?: string) =>
    tool ? `#/playground/${encodeURIComponent(tool)}` : '#/playground',
  tracing: () => '#/tracing',
  traceSession: (id: string) => `#/tracing/sessions/${encodeURIComponent(id)}`,
  traceResponse: (id: string) => `#/tracing/responses/${encodeURIComponent(id)}`,
  traceUnit: (id: string) => `#/tracing/units/${encodeURIComponent(id)}`,
};

const [route, setRoute] = createSignal<Route>(
  parseRoute(location.hash.startsWith('#/') ? location.hash : ''),
);
// A fragment without a slash (`#main`, the skip link) is an anchor in the page, not a route.
window.addEventListener('hashchange', () => {
  if (location.hash === '' || location.hash.startsWith('#/')) setRoute(parseRoute(location.hash));
});

/** The current route, following the address bar. */
export const currentRoute = route;

/** Moves to another route, as a link would. */
export function navigate(to: string): void {
  location.hash = to.replace(/^#/, '');
}
