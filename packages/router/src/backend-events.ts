import type { Logger } from '@switchyard/logging';
import {
  type Clock,
  type JsonRpcNotification,
  type JsonRpcRequest,
  Method,
} from '@switchyard/protocol';
import type { BackendSession } from './backend-session.js';
import type { Catalog } from './catalog.js';
import type { Audience, SessionEndpoint } from './context.js';
import type { BackendEntry } from './directory.js';
import { failed, type Outcome } from './outcome.js';
import { createRelayTargets, type Waiting } from './relay-target.js';

const LIST_CHANGED = [
  Method.ToolsListChanged,
  Method.PromptsListChanged,
  Method.ResourcesListChanged,
] as const;

/** What a router does with the events of the backends it covers. */
export interface BackendEvents {
  /** A backend's notification, delivered to every client session it concerns. */
  notification(backend: string, notification: JsonRpcNotification): void;
  /**
   * A backend's request to a client (sampling, elicitation, roots), relayed to the one client
   * session with a request in flight at that backend. Undefined when no session is waiting on it;
   * an error when several are (a shared backend cannot say whose it is).
   */
  request(backend: BackendSession, request: JsonRpcRequest): Promise<Outcome> | undefined;
  /** A backend came up or went away: its catalog entries are dropped and clients told. */
  changed(backend?: string): void;
  /** Whether this router's directory covers `backend`. */
  covers(backend: string): boolean;
}

export interface BackendEventsOptions {
  /** The client sessions open now. */
  sessions(): Iterable<SessionEndpoint>;
  catalog: Catalog;
  entries(): readonly BackendEntry[];
  covers(backend: string): boolean;
  clock: Clock;
  /** `list_changed` notifications arriving within this window reach clients once. */
  debounceMs: number;
  logger: Logger | undefined;
}

/**
 * The fan-out of backend events to client sessions (docs/architecture.md, "The path of one
 * message"): list changes (debounced), log messages named after their backend, resource updates to
 * subscribers, URL-mode elicitation completions to the client that was asked, and backend requests
 * to the client waiting on that backend.
 */
export function createBackendEvents(
  options: BackendEventsOptions,
): BackendEvents & { audience: Audience } {
  const { catalog, clock, logger } = options;
  const subscriptions = new Map<string, Set<SessionEndpoint>>();
  /**
   * URL-mode elicitations in progress, by id: their `notifications/elicitation/complete` goes to the
   * client that was asked, and to no other (MCP 2025-11-25, Client Features: Elicitation).
   */
  const elicitations = new Map<string, SessionEndpoint>();
  const targets = createRelayTargets(clock);
  let pendingChanges = new Set<string>();
  let debounce: unknown;

  /** Queues `list_changed` for every client, debounced so a burst reaches each client once. */
  const announce = (methods: readonly string[]): void => {
    for (const method of methods) pendingChanges.add(method);
    if (debounce !== undefined) return;
    debounce = clock.setTimeout(() => {
      debounce = undefined;
      const changes = [...pendingChanges];
      pendingChanges = new Set();
      for (const session of options.sessions()) {
        for (const method of changes) session.notify({ jsonrpc: '2.0', method });
      }
    }, options.debounceMs);
  };

  const deliver = (
    backend: string,
    notification: JsonRpcNotification,
    only: SessionEndpoint | undefined,
  ): void => {
    const { method, params } = notification;
    const audience = (sessions: Iterable<SessionEndpoint>) =>
      only ? [...sessions].filter((s) => s === only) : sessions;
    switch (method) {
      case Method.ToolsListChanged:
      case Method.PromptsListChanged:
      case Method.ResourcesListChanged:
        catalog.forget(backend);
        announce([method]);
        return;
      case Method.ElicitationComplete: {
        const id = params?.elicitationId;
        if (typeof id !== 'string') return;
        const asked = only ?? elicitations.get(id);
        elicitations.delete(id);
        asked?.notify(notification);
        return;
      }
      case Method.ResourcesUpdated: {
        const uri = params?.uri;
        if (typeof uri !== 'string') return;
        for (const session of audience(subscriptions.get(uri) ?? [])) session.notify(notification);
        return;
      }
      case Method.Message: {
        // The backend is named as the logger so a client can tell whose log line it is.
        const name = typeof params?.logger === 'string' ? `${backend}/${params.logger}` : backend;
        const message: JsonRpcNotification = {
          jsonrpc: '2.0',
          method,
          params: { ...params, logger: name },
        };
        for (const session of audience(options.sessions())) session.notify(message);
        return;
      }
      default:
        logger?.debug('backend notification not relayed', { server: backend, method });
    }
  };

  const audience: Audience = {
    subscribe(uri, session) {
      const subscribers = subscriptions.get(uri) ?? new Set<SessionEndpoint>();
      subscribers.add(session);
      subscriptions.set(uri, subscribers);
    },
    unsubscribe(uri, session) {
      const subscribers = subscriptions.get(uri);
      subscribers?.delete(session);
      if (subscribers?.size === 0) subscriptions.delete(uri);
    },
    asked(elicitationId, session) {
      elicitations.set(elicitationId, session);
    },
    forget(session) {
      for (const [uri, subscribers] of subscriptions) {
        subscribers.delete(session);
        if (subscribers.size === 0) subscriptions.delete(uri);
      }
      for (const [id, asked] of elicitations) if (asked === session) elicitations.delete(id);
    },
    notification: (backend, notification, only) => deliver(backend, notification, only),
  };

  return {
    audience,
    covers: options.covers,
    notification: (backend, notification) => deliver(backend, notification, undefined),
    request(backend, request) {
      const waiting: Waiting[] = [];
      for (const client of options.sessions()) {
        for (const id of client.waitingOn(backend)) waiting.push({ client, id });
      }
      const target = targets.pick(backend, waiting);
      if (!target) return undefined;
      if (target === 'ambiguous') {
        return Promise.resolve(
          failed(
            'internal_error',
            `Cannot relay ${request.method}: several clients are waiting on backend "${backend.name}", which they share`,
          ),
        );
      }
      return target.client.relay(request, target.id, backend).then((outcome) => {
        targets.answered(backend, target);
        return outcome;
      });
    },
    changed(backend) {
      if (backend) {
        catalog.forget(backend);
        // A server that stopped (disabled, removed, restarting with new settings) takes the
        // sessions its clients had of their own with it; their next call opens a fresh one.
        const state = options.entries().find((e) => e.name === backend)?.state ?? 'removed';
        if (state !== 'running' && state !== 'degraded') {
          for (const session of options.sessions()) session.closeOwn(backend, state);
        }
      }
      announce(LIST_CHANGED);
    },
  };
}

/**
 * Where the owner of backend lifecycles publishes backend events: every router that joined hears
 * those of the backends its directory covers (the aggregate covers all, a per-server endpoint its
 * own). Connections are wired to the hub once, so an event goes from the backend session to the
 * routers without another hop.
 */
export interface BackendHub {
  notification(backend: string, notification: JsonRpcNotification): void;
  /** Relayed to the router whose client waits on that backend; an error outcome when none does. */
  request(backend: BackendSession, request: JsonRpcRequest): Promise<Outcome>;
  changed(backend?: string): void;
  /** A router joins; the returned function makes it leave. */
  join(events: BackendEvents): () => void;
}

/** Creates the hub that routers join (`RouterOptions.hub`). */
export function createBackendHub(): BackendHub {
  const routers = new Set<BackendEvents>();
  return {
    notification(backend, notification) {
      for (const events of routers)
        if (events.covers(backend)) events.notification(backend, notification);
    },
    request(backend, request) {
      for (const events of routers) {
        if (!events.covers(backend.name)) continue;
        const relayed = events.request(backend, request);
        if (relayed) return relayed;
      }
      return Promise.resolve(
        failed(
          'internal_error',
          `Cannot relay ${request.method}: no client request is waiting on backend "${backend.name}"`,
        ),
      );
    },
    changed(backend) {
      for (const events of routers) {
        if (backend === undefined || events.covers(backend)) events.changed(backend);
      }
    },
    join(events) {
      routers.add(events);
      return () => routers.delete(events);
    },
  };
}
