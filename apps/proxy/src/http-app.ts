import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { SecretSet, ServerLogs } from '@switchyard/logging';
import type { Metrics } from '@switchyard/metrics';
import { httpStatusOf } from '@switchyard/protocol';
import type { BodySource } from '@switchyard/transports';
import { type Context, Hono } from 'hono';
import { type AdminApiOptions, adminApi } from './admin-api.js';
import type { AuditLog } from './audit-log.js';
import {
  type Admitted,
  type Auth,
  type AuthEnv,
  createAuth,
  type HeaderReader,
  type KeyPolicy,
} from './auth.js';
import { cors } from './cors.js';
import { mountDashboard } from './dashboard-assets.js';
import type { Endpoint } from './endpoints.js';
import { type HttpAnswer, jsonAnswer, refuseUpgrade, toResponse } from './http-answer.js';
import { createOriginCheck, guardAnswer, httpGuard } from './http-guard.js';
import type { KeyRate } from './key-rate.js';
import { createNodeListener, type NodeListener, nodeHeaders } from './node-listener.js';
import { type Health, readinessOf } from './status.js';
import type { SupervisedBackends } from './supervised-backends.js';
import type { ToolPins } from './tool-pins.js';

/** Whether the proxy takes new requests: closed once it begins to stop. */
export interface Admission {
  open: boolean;
}

/** What the HTTP app needs of an endpoint: its fronts. */
export type Fronts = Pick<Endpoint, 'http' | 'sse' | 'ws'>;

export interface HttpAppOptions {
  endpoints: { readonly main: Fronts; find(name: string): Fronts | undefined };
  backends: Pick<SupervisedBackends, 'summary' | 'list' | 'has' | 'supervisor' | 'setEnabled'>;
  metrics: Pick<Metrics, 'render' | 'contentType'>;
  logs: ServerLogs | undefined;
  /** Bound to loopback only: then `Host` must name loopback too. */
  loopbackOnly: boolean;
  mcpKeys: KeyPolicy;
  adminKeys: KeyPolicy;
  /**
   * Web origins whose pages may call the MCP endpoints and `/api`: they pass the Origin check and
   * get CORS headers naming them (docs/security.md, "CORS"). Default none: CORS off.
   */
  allowedOrigins?: readonly string[];
  admission: Admission;
  health: () => Health;
  /** The pinned tool definitions shown and approved under `/api/pins` (docs/operations.md). */
  pins?: ToolPins;
  /** The audit log: admin actions are recorded in it and `/api/audit` exports it. */
  audit?: Pick<AuditLog, 'record' | 'since'>;
  /** Redacted from `/metrics`, `/health`, `/ready` and `/api` answers (docs/operations.md, "Secrets"). */
  secrets: Pick<SecretSet, 'redact' | 'redactValue'>;
  /** The rate limit per client key, checked once the key is known (see {@link createKeyRate}). */
  keyRate?: KeyRate;
  /** What the admin API reads and does beyond the backends (docs/admin-api.md). */
  admin: Pick<AdminApiOptions, 'state' | 'config' | 'validate' | 'rpc' | 'tracer'>;
  /**
   * The built dashboard served at `/` (docs/dashboard.md): its directory, or `false` when the
   * dashboard is off or served on a port of its own.
   */
  dashboard: { dir: string | undefined } | false;
}

/** The admin API and the dashboard alone, for the dashboard's own port (`dashboard.port`). */
export function createDashboardApp(
  options: Pick<
    HttpAppOptions,
    | 'backends'
    | 'logs'
    | 'loopbackOnly'
    | 'adminKeys'
    | 'allowedOrigins'
    | 'secrets'
    | 'pins'
    | 'audit'
    | 'admin'
  > & { dir: string | undefined },
): Pick<HttpApp, 'fetch'> {
  const app = new Hono<AuthEnv>();
  app.use(
    '*',
    httpGuard(
      createOriginCheck({
        loopbackOnly: options.loopbackOnly,
        allowedOrigins: options.allowedOrigins ?? [],
      }),
    ),
  );
  app.route('/api', adminRoutes(options));
  mountDashboard(app as unknown as Hono, options.dir);
  return { fetch: (request) => Promise.resolve(app.fetch(request)) };
}

/** `/api`, behind its own key check (`dashboard.apiKey`, docs/operations.md, "The admin API and keys"). */
function adminRoutes(
  options: Pick<
    HttpAppOptions,
    'backends' | 'logs' | 'adminKeys' | 'secrets' | 'pins' | 'audit' | 'admin'
  >,
) {
  return adminApi({
    ...options.admin,
    backends: options.backends,
    logs: options.logs,
    secrets: options.secrets,
    ...(options.pins ? { pins: options.pins } : {}),
    ...(options.audit ? { audit: options.audit } : {}),
    auth: createAuth({
      keys: options.adminKeys,
      unauthorizedMessage: 'Unauthorized',
      body: (refusal) => ({ error: refusal.message }),
    }),
  });
}

/** The proxy's HTTP side, for its own server and for embedding. */
export interface HttpApp {
  /** The web-standard handler of every HTTP endpoint. */
  fetch(request: Request): Promise<Response>;
  /** The Node request listener of the proxy's own server (made on first use). */
  listener(): NodeListener;
  /** WebSocket upgrades of `/ws` and `/servers/<name>/ws`. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
}

const SHUTTING_DOWN = jsonAnswer(httpStatusOf('shutting_down'), {
  error: 'Service Unavailable: the proxy is shutting down',
});

const noServer = (name: string | undefined) =>
  jsonAnswer(httpStatusOf('not_found'), { error: `no server named "${name}"` });

const isAnswer = (target: Fronts | HttpAnswer): target is HttpAnswer => 'status' in target;

/**
 * The Node request behind a Hono request (`@hono/node-server` passes it as `env.incoming`), whose
 * body the fronts read directly; absent when the proxy is driven through `fetch` alone.
 */
const incomingOf = (c: Context): BodySource | undefined =>
  (c.env as { incoming?: BodySource } | undefined)?.incoming;

/**
 * Builds the HTTP app: MCP endpoints (Streamable HTTP, HTTP+SSE, WebSocket) on the aggregate
 * endpoint and on each backend's own, `/health`, `/ready`, `/metrics` and the admin API. Every
 * way in passes the same Origin/Host check and, on MCP endpoints, the same key check
 * (docs/transports.md, "Client side").
 */
export function createHttpApp(options: HttpAppOptions): HttpApp {
  const { endpoints, admission, secrets } = options;
  const allowedOrigins = options.allowedOrigins ?? [];
  const checkOrigin = createOriginCheck({ loopbackOnly: options.loopbackOnly, allowedOrigins });
  const mcpAuth = createAuth({ keys: options.mcpKeys });
  const keyRate: KeyRate = options.keyRate ?? (() => undefined);

  /** The endpoint a request is for (`name`: a backend's own), or the answer refusing it. */
  const endpointFor = (name: string | undefined): Fronts | HttpAnswer => {
    if (!admission.open) return SHUTTING_DOWN;
    return (name === undefined ? endpoints.main : endpoints.find(name)) ?? noServer(name);
  };

  const app = new Hono<AuthEnv>();
  app.use('*', httpGuard(checkOrigin));
  const mcpPaths = ['/mcp', '/servers/*', '/sse', '/messages'];
  if (allowedOrigins.length > 0) {
    for (const path of [...mcpPaths, '/api', '/api/*']) app.use(path, cors(allowedOrigins));
  }
  for (const path of mcpPaths) {
    app.use(path, mcpAuth.middleware);
    app.use(path, async (c, next) => {
      const limited = keyRate(c.get('principal'));
      if (limited) return toResponse(limited);
      await next();
    });
  }
  mountMcpRoutes(app, endpointFor);
  app.get('/metrics', async (c) =>
    c.body(secrets.redact(await options.metrics.render()), 200, {
      'content-type': options.metrics.contentType,
    }),
  );
  // Ready when every enabled backend runs; liveness is /health (docs/operations.md, "Metrics").
  app.get('/ready', (c) => {
    const readiness = readinessOf(options.backends);
    if (readiness.ready) return c.json(secrets.redactValue(readiness));
    return toResponse(
      jsonAnswer(httpStatusOf('backend_unavailable'), secrets.redactValue(readiness)),
    );
  });
  app.get('/health', (c) => c.json(secrets.redactValue(options.health())));
  app.route('/api', adminRoutes(options));
  if (options.dashboard) mountDashboard(app as unknown as Hono, options.dashboard.dir);

  let listener: NodeListener | undefined;
  return {
    fetch: (request) => Promise.resolve(app.fetch(request)),
    listener: () => {
      listener ??= createNodeListener({
        fetch: (request, env) => app.fetch(request, env),
        admit: (header) => admitMcp(header, checkOrigin, mcpAuth, admission, keyRate),
        front: endpoints.main.http,
        // Requests from pages go through the app, which adds their CORS headers.
        viaApp: allowedOrigins.length > 0 ? (header) => header('origin') !== undefined : undefined,
      });
      return listener;
    },
    handleUpgrade: createUpgradeHandler(endpointFor, checkOrigin, mcpAuth, admission, keyRate),
  };
}

/**
 * The same three HTTP shapes on the aggregate endpoint and on each backend's own. Each front is
 * told the principal the key check found, to which it binds the sessions it opens
 * (docs/security.md, "Session binding").
 */
function mountMcpRoutes(
  app: Hono<AuthEnv>,
  endpointFor: (name: string | undefined) => Fronts | HttpAnswer,
): void {
  const route = (
    c: Context<AuthEnv>,
    pick: (endpoint: Fronts, principal: string) => Promise<Response> | Response,
  ) => {
    const endpoint = endpointFor(c.req.param('name'));
    return isAnswer(endpoint) ? toResponse(endpoint) : pick(endpoint, c.get('principal'));
  };
  for (const base of ['', '/servers/:name']) {
    app.all(`${base}/mcp`, (c) =>
      route(c, (e, principal) => e.http.handle(c.req.raw, incomingOf(c), principal)),
    );
    app.get(`${base}/sse`, (c) =>
      route(c, (e, principal) => e.sse.handleStream(c.req.raw, principal)),
    );
    app.post(`${base}/messages`, (c) =>
      route(c, (e, principal) => e.sse.handleMessage(c.req.raw, incomingOf(c), principal)),
    );
  }
}

/**
 * The checks of an MCP request outside Hono, in the order the Hono routes apply them: Origin and
 * Host, then the key, then the key's rate, then whether the proxy still takes requests. Passes
 * with the principal.
 */
function admitMcp(
  header: HeaderReader,
  checkOrigin: (header: HeaderReader) => string | undefined,
  auth: Auth,
  admission: Admission,
  keyRate: KeyRate,
): HttpAnswer | Admitted {
  const refused = checkOrigin(header);
  if (refused) return guardAnswer(refused);
  const result = auth.identify(header);
  if (!('principal' in result)) return auth.answer(result);
  const limited = keyRate(result.principal);
  if (limited) return limited;
  return admission.open ? result : SHUTTING_DOWN;
}

/**
 * WebSocket upgrades for `/ws` and `/servers/<name>/ws`: the same Origin/Host and key checks as
 * HTTP, done here because upgrades never reach the Hono app.
 */
function createUpgradeHandler(
  endpointFor: (name: string | undefined) => Fronts | HttpAnswer,
  checkOrigin: (header: HeaderReader) => string | undefined,
  auth: Auth,
  admission: Admission,
  keyRate: KeyRate,
): HttpApp['handleUpgrade'] {
  return (request, socket, head) => {
    const header = nodeHeaders(request);
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const match = /^(?:\/servers\/([^/]+))?\/ws$/.exec(path);
    if (!match) return refuseUpgrade(socket, httpStatusOf('not_found'));
    if (!admission.open) return refuseUpgrade(socket, SHUTTING_DOWN.status);
    if (checkOrigin(header)) return refuseUpgrade(socket, httpStatusOf('forbidden'));
    const identified = auth.identify(header);
    if (!('principal' in identified)) return refuseUpgrade(socket, httpStatusOf(identified.code));
    const limited = keyRate(identified.principal);
    if (limited) return refuseUpgrade(socket, limited.status);
    const target = endpointFor(match[1] === undefined ? undefined : decodeURIComponent(match[1]));
    if (isAnswer(target)) return refuseUpgrade(socket, target.status);
    target.ws.handleUpgrade(request, socket, head);
  };
}
