import type { Logger } from '@switchyard/logging';
import {
  type BackendDirectory,
  type BackendHub,
  createBackendGates,
  createRouter,
  type ExchangeTap,
  type NamingOptions,
  type Router,
  type RouterObserver,
  type SessionView,
  type ToolPolicy,
} from '@switchyard/router';
import {
  createSseFront,
  createStreamableHttpFront,
  createWebSocketFront,
  type ModernDrop,
  type ModernShared,
  type OpenSession,
  type SseFront,
  type StreamableHttpFront,
  type WebSocketFront,
} from '@switchyard/transports';
import type { FrontSettings, RouterSettings } from './options.js';
import type { SupervisedBackends } from './supervised-backends.js';

/** One router with every front transport in front of it (the aggregate endpoint, or one backend's). */
export interface Endpoint {
  router: Router;
  http: StreamableHttpFront;
  sse: SseFront;
  ws: WebSocketFront;
}

/** The MCP endpoints of the proxy (docs/transports.md, "Client side"). */
export interface Endpoints {
  /** `/mcp`, `/sse`, `/ws`: every backend, names namespaced. */
  readonly main: Endpoint;
  /**
   * `/servers/<name>/…`: one backend alone with its names untouched, through the same
   * supervision, routing and metrics; opened on first use. Undefined for an unknown server.
   */
  find(name: string): Endpoint | undefined;
  /** Every endpoint open now, the aggregate one first. */
  all(): Endpoint[];
  /** Every client session open now, with its endpoint: `main`, or the server's name. */
  sessions(): Array<{ endpoint: string; session: SessionView }>;
}

export interface EndpointsOptions {
  backends: Pick<
    SupervisedBackends,
    'list' | 'entry' | 'wake' | 'touch' | 'has' | 'requestTimeoutOf'
  >;
  /** Every router joins it, so backend events reach the routers covering that backend. */
  hub: BackendHub;
  router: RouterSettings;
  fronts: FrontSettings;
  logger: Logger;
  /** The observer of one endpoint's router; `server` is undefined for the aggregate endpoint. */
  observer(server: string | undefined): RouterObserver;
  /** Which tools every router may show and call (docs/operations.md, "Tool pinning"). */
  toolPolicy?: ToolPolicy;
  /** Tracing and spans over each crossing to a backend (docs/tracing.md). */
  tap?: ExchangeTap | undefined;
  /** Hears what a modern client could not be given (docs/protocol-versions.md). */
  onModernDropped?: (drop: ModernDrop) => void;
  /** Hears when a principal's further modern client programs share one session. */
  onModernShared?: (shared: ModernShared) => void;
}

export function createEndpoints(options: EndpointsOptions): Endpoints {
  const { backends } = options;
  const logger = options.logger.child({ component: 'router' });
  const open = new Map<string, Endpoint>();
  const mainObserver = options.observer(undefined);
  // One gate per backend for every endpoint: a backend's limit holds whichever way requests come
  // (docs/operations.md, "Admission").
  const gates = createBackendGates({
    maxInFlight: options.router.maxConcurrentRequests,
    maxPending: options.router.maxQueuedRequests,
    queueTimeoutMs: options.router.queueTimeoutMs,
    clock: options.router.clock,
    onDepth: (server, depth) => mainObserver.queueDepth?.({ server, depth }),
  });

  const routerFor = (directory: BackendDirectory, naming: NamingOptions, server?: string) =>
    createRouter({
      ...options.router,
      backends: directory,
      hub: options.hub,
      naming,
      requestTimeoutFor: (name) => backends.requestTimeoutOf(name),
      logger,
      gates,
      observer: server === undefined ? mainObserver : options.observer(server),
      ...(options.toolPolicy ? { toolPolicy: options.toolPolicy } : {}),
      ...(options.tap ? { tap: options.tap } : {}),
    });

  /** Every front transport in front of one router; `base` is where they are mounted. */
  const endpointOf = (router: Router, base: string): Endpoint => {
    const openSession: OpenSession = (sink, info) => router.openSession(sink, info);
    const { maxMessageBytes, streamResponses, clock } = options.fronts;
    return {
      router,
      http: createStreamableHttpFront({
        openSession,
        maxMessageBytes,
        streamResponses,
        clock,
        ...(options.onModernDropped ? { onModernDropped: options.onModernDropped } : {}),
        ...(options.onModernShared ? { onModernShared: options.onModernShared } : {}),
      }),
      sse: createSseFront({
        openSession,
        maxMessageBytes,
        messagesPath: `${base}/messages`,
        clock,
      }),
      ws: createWebSocketFront({ openSession, maxMessageBytes }),
    };
  };

  const main = endpointOf(routerFor(backends, options.router.naming), '');
  return {
    main,
    find(name) {
      const existing = open.get(name);
      if (existing) return existing;
      if (!backends.has(name)) return undefined;
      const only: BackendDirectory = {
        list: () => {
          const entry = backends.entry(name);
          return entry ? [entry] : [];
        },
        entry: (n) => (n === name ? backends.entry(n) : undefined),
        wake: (n) => backends.wake(n),
        touch: (n) => backends.touch(n),
        // Only this backend's events concern its own endpoint.
        covers: (n) => n === name,
      };
      const endpoint = endpointOf(routerFor(only, { strategy: 'none' }, name), `/servers/${name}`);
      open.set(name, endpoint);
      return endpoint;
    },
    all: () => [main, ...open.values()],
    sessions: () =>
      [['main', main] as const, ...open].flatMap(([endpoint, { router }]) =>
        router.sessions().map((session) => ({ endpoint, session })),
      ),
  };
}
