import type {
  AdminEvent,
  MetricsSummary,
  ServerSummary,
  SessionSummary,
  Subscription,
} from '@switchyard/admin-api';
import { createSignal } from 'solid-js';
import { createStore, produce, reconcile } from 'solid-js/store';
import { api, isUnauthorized, messageOf, whenUnauthorized } from './api.js';

/** How the event stream stands: the header shows it, so stale data is never taken for live. */
export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'unauthorized';

export interface LiveState {
  status: LiveStatus;
  /** Why the stream last broke, while reconnecting. */
  error: string | null;
  /** When the next attempt is due, while reconnecting. */
  retryAt: number | null;
  /** Whether a snapshot has arrived since the page loaded. */
  loaded: boolean;
  version: string | null;
  servers: ServerSummary[];
  sessions: SessionSummary[];
  metrics: MetricsSummary | null;
}

const [state, setState] = createStore<LiveState>({
  status: 'connecting',
  error: null,
  retryAt: null,
  loaded: false,
  version: null,
  servers: [],
  sessions: [],
  metrics: null,
});

/** The proxy's state as the `/api/events` stream tells it, kept current without reloading. */
export const live = state;

const [listChanges, setListChanges] = createSignal<Record<string, number>>({});

/** A counter per server that grows when the server says its lists changed. */
export const listChangeCount = (server: string): number => listChanges()[server] ?? 0;

/** Puts a server's new summary in place (an action's answer or an event). */
export function upsertServer(server: ServerSummary): void {
  setState(
    'servers',
    produce((servers) => {
      const at = servers.findIndex((s) => s.name === server.name);
      if (at === -1) servers.push(server);
      else servers[at] = server;
      servers.sort((a, b) => a.name.localeCompare(b.name));
    }),
  );
}

function apply(event: AdminEvent): void {
  switch (event.type) {
    case 'snapshot': {
      const { snapshot } = event;
      const servers = [...snapshot.servers].sort((a, b) => a.name.localeCompare(b.name));
      setState('servers', reconcile(servers, { key: 'name' }));
      setState({
        status: 'live',
        error: null,
        retryAt: null,
        loaded: true,
        version: snapshot.version,
        sessions: snapshot.sessions,
        metrics: snapshot.metrics,
      });
      return;
    }
    case 'server':
      upsertServer(event.server);
      return;
    case 'server-removed':
      setState('servers', (servers) => servers.filter((s) => s.name !== event.name));
      return;
    case 'session-opened':
      setState('sessions', (sessions) => [
        ...sessions.filter((s) => s.id !== event.session.id),
        event.session,
      ]);
      return;
    case 'session-closed':
      setState('sessions', (sessions) => sessions.filter((s) => s.id !== event.id));
      return;
    case 'list-changed':
      setListChanges((counts) => ({ ...counts, [event.server]: (counts[event.server] ?? 0) + 1 }));
      return;
    case 'metrics':
      setState('metrics', event.metrics);
      return;
  }
}

const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;
let subscription: Subscription | undefined;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let retryMs = FIRST_RETRY_MS;
let generation = 0;

/**
 * Opens the event stream. When it breaks or ends it is opened again after 1 s, then 2, 4... up to
 * 30 s; a snapshot resets the delay. A 401 stops it: the key prompt takes over.
 */
export function connectLive(): void {
  disconnectLive();
  const mine = ++generation;
  if (state.status !== 'live') setState({ status: state.loaded ? 'reconnecting' : 'connecting' });
  let failure: Error | undefined;
  subscription = api.events(
    (event) => {
      if (mine !== generation) return;
      if (event.type === 'snapshot') retryMs = FIRST_RETRY_MS;
      apply(event);
    },
    (error) => {
      failure = error;
    },
  );
  void subscription.done.then(() => {
    if (mine !== generation) return;
    if (failure && isUnauthorized(failure)) {
      setState({ status: 'unauthorized', error: messageOf(failure), retryAt: null });
      return;
    }
    const delay = retryMs;
    retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
    setState({
      status: 'reconnecting',
      error: failure ? messageOf(failure) : 'the event stream ended',
      retryAt: Date.now() + delay,
    });
    retryTimer = setTimeout(connectLive, delay);
  });
}

/** Closes the event stream and cancels a pending reconnection. */
export function disconnectLive(): void {
  generation++;
  clearTimeout(retryTimer);
  subscription?.close();
  subscription = undefined;
}

/** Marks the key as refused (a request other than the stream got a 401). */
export function markUnauthorized(message: string): void {
  disconnectLive();
  setState({ status: 'unauthorized', error: message, retryAt: null });
}

whenUnauthorized(markUnauthorized);
