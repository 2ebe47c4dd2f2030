import {
  createEffect,
  For,
  lazy,
  Match,
  onCleanup,
  onMount,
  Show,
  Suspense,
  Switch,
} from 'solid-js';
import { apiKey, setApiKey } from './api.js';
import { currentTime } from './clock.js';
import { KeyPrompt } from './components/key-prompt.jsx';
import { Loading } from './components/states.jsx';
import { connectLive, disconnectLive, live } from './live.js';
import { Overview } from './pages/overview.jsx';
import { currentRoute, href, type Route } from './router.js';

const ServerPage = lazy(() => import('./pages/server.jsx'));
const LogsPage = lazy(() => import('./pages/logs.jsx'));
const MetricsPage = lazy(() => import('./pages/metrics.jsx'));
const SessionsPage = lazy(() => import('./pages/sessions.jsx'));
const PlaygroundPage = lazy(() => import('./pages/playground.jsx'));
const TracingPage = lazy(() => import('./pages/tracing.jsx'));

const NAV: Array<{ label: string; to: string; pages: Route['page'][] }> = [
  { label: 'Overview', to: href.overview(), pages: ['overview', 'server'] },
  { label: 'Metrics', to: href.metrics(), pages: ['metrics'] },
  { label: 'Logs', to: href.logs(), pages: ['logs'] },
  { label: 'Sessions', to: href.sessions(), pages: ['sessions'] },
  { label: 'Playground', to: href.playground(), pages: ['playground'] },
  { label: 'Tracing', to: href.tracing(), pages: ['tracing'] },
];

/** The shell: skip link, header with navigation and the stream's state, then the page. */
export function App() {
  onMount(connectLive);
  onCleanup(disconnectLive);

  let main: HTMLElement | undefined;
  let firstRoute = true;
  createEffect(() => {
    const route = currentRoute();
    document.title = `${titleOf(route)} · Switchyard`;
    if (firstRoute) firstRoute = false;
    else main?.focus({ preventScroll: false });
  });

  return (
    <Show
      when={live.status !== 'unauthorized'}
      fallback={<KeyPrompt rejected={live.error} onAccepted={connectLive} />}
    >
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href={href.overview()}>
          <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
            <path
              d="M3 7h7l4 10h7M3 17h7l1.5-3.5M14 7h7"
              fill="none"
              stroke="currentColor"
              stroke-width="2"
              stroke-linecap="round"
              stroke-linejoin="round"
            />
          </svg>
          Switchyard
        </a>
        <nav aria-label="Main">
          <ul>
            <For each={NAV}>
              {(item) => (
                <li>
                  <a
                    href={item.to}
                    aria-current={item.pages.includes(currentRoute().page) ? 'page' : undefined}
                  >
                    {item.label}
                  </a>
                </li>
              )}
            </For>
          </ul>
        </nav>
        <LiveIndicator />
        <Show when={apiKey() !== undefined}>
          <button
            type="button"
            class="link-button"
            onClick={() => {
              setApiKey(undefined);
              connectLive();
            }}
          >
            Forget key
          </button>
        </Show>
      </header>
      <main id="main" tabindex="-1" ref={main}>
        <Suspense fallback={<Loading what="the page" />}>
          <Switch>
            <Match when={currentRoute().page === 'overview'}>
              <Overview />
            </Match>
            <Match when={routeOf('server')}>{(route) => <ServerPage name={route().name} />}</Match>
            <Match when={routeOf('logs')}>{(route) => <LogsPage name={route().name} />}</Match>
            <Match when={currentRoute().page === 'metrics'}>
              <MetricsPage />
            </Match>
            <Match when={currentRoute().page === 'sessions'}>
              <SessionsPage />
            </Match>
            <Match when={routeOf('playground')}>
              {(route) => <PlaygroundPage tool={route().tool} />}
            </Match>
            <Match when={routeOf('tracing')}>
              {(route) => <TracingPage view={route().view} id={route().id} />}
            </Match>
            <Match when={routeOf('not-found')}>
              {(route) => (
                <section>
                  <h1>Page not found</h1>
                  <p>
                    Nothing lives at <code>{route().path}</code>.{' '}
                    <a href={href.overview()}>Back to the overview</a>.
                  </p>
                </section>
              )}
            </Match>
          </Switch>
        </Suspense>
      </main>
    </Show>
  );
}

function routeOf<P extends Route['page']>(page: P): Extract<Route, { page: P }> | false {
  const route = currentRoute();
  return route.page === page ? (route as Extract<Route, { page: P }>) : false;
}

function titleOf(route: Route): string {
  switch (route.page) {
    case 'overview':
      return 'Overview';
    case 'server':
      return route.name;
    case 'logs':
      return route.name ? `Logs of ${route.name}` : 'Logs';
    case 'metrics':
      return 'Metrics';
    case 'sessions':
      return 'Sessions';
    case 'playground':
      return 'Playground';
    case 'tracing':
      return route.view === 'home' ? 'Tracing' : `Tracing: ${route.view} ${route.id ?? ''}`;
    case 'not-found':
      return 'Not found';
  }
}

/** Whether what is shown is live, and if not, when the next attempt to reconnect is due. */
function LiveIndicator() {
  const text = () => {
    switch (live.status) {
      case 'live':
        return 'Live';
      case 'connecting':
        return 'Connecting…';
      case 'reconnecting': {
        const seconds = Math.max(0, Math.ceil(((live.retryAt ?? 0) - currentTime()) / 1000));
        return seconds > 0 ? `Disconnected, retrying in ${seconds}s` : 'Reconnecting…';
      }
      case 'unauthorized':
        return 'Key needed';
    }
  };
  return (
    <p
      class={`live live-${live.status}`}
      title={live.status === 'reconnecting' ? (live.error ?? undefined) : undefined}
    >
      <span class="dot" aria-hidden="true" />
      {text()}
    </p>
  );
}
