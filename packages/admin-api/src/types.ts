/**
 * The contract of Switchyard's admin API (`/api`, docs/admin-api.md): what the proxy answers and
 * what the dashboard reads. Plain JSON shapes only, so the same types hold in a browser and in Node.
 * Times are epoch milliseconds unless a field says otherwise.
 */

/** A backend's lifecycle state (docs/operations.md, "Backend states"). */
export type ServerState =
  | 'stopped'
  | 'starting'
  | 'running'
  | 'degraded'
  | 'backoff'
  | 'failed'
  | 'stopping';

/** What an operator can do to a server: `POST /api/servers/{name}/{action}`. */
export const SERVER_ACTIONS = ['start', 'stop', 'restart', 'enable', 'disable'] as const;
export type ServerAction = (typeof SERVER_ACTIONS)[number];

/** How many of each a server offers, as it last listed them (null while it is not connected). */
export interface ServerCounts {
  tools: number;
  prompts: number;
  resources: number;
  resourceTemplates: number;
}

/** One failure worth showing: a state change away from running, or a failed request. */
export interface ServerError {
  at: number;
  message: string;
}

/** One server on the overview: `GET /api/servers`. */
export interface ServerSummary {
  name: string;
  state: ServerState;
  /** Why it is in that state (the supervisor's words, secrets redacted). */
  reason: string | null;
  enabled: boolean;
  /** `stdio`, `streamable-http`, `sse`, `websocket`, or `virtual` for the built-in server. */
  transport: string;
  /** The MCP revision negotiated with it while connected. */
  revision: string | null;
  counts: ServerCounts | null;
  restarts: number;
  lastError: ServerError | null;
  /** When it last entered `running`, while it is up. */
  runningSince: number | null;
  uptimeMs: number | null;
  /** Backend sessions of single clients (`sessions: per-client`). */
  clientSessions: number;
}

/** One transition of a server's state machine. */
export interface StateChange {
  at: number;
  from: ServerState;
  to: ServerState;
  reason: string | null;
}

export interface ToolInfo {
  /** The name the backend gave it. */
  name: string;
  /** The name clients call it by through the proxy (namespaced). */
  exposedAs: string;
  title?: string;
  description?: string;
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
}

export interface ResourceInfo {
  uri: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
}

export interface ResourceTemplateInfo {
  uriTemplate: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
}

export interface PromptArgumentInfo {
  name: string;
  description?: string;
  required?: boolean;
}

export interface PromptInfo {
  name: string;
  exposedAs: string;
  title?: string;
  description?: string;
  arguments?: PromptArgumentInfo[];
}

/** A server's page: `GET /api/servers/{name}`. Lists are read from the backend when asked. */
export interface ServerDetail extends ServerSummary {
  serverInfo: Record<string, unknown> | null;
  instructions: string | null;
  capabilities: Record<string, unknown> | null;
  tools: ToolInfo[];
  resources: ResourceInfo[];
  resourceTemplates: ResourceTemplateInfo[];
  prompts: PromptInfo[];
  /** Lists the backend could not give (a list that failed or timed out), with why. */
  listErrors: Array<{ list: string; message: string }>;
  /** State changes, oldest first (the last 100). */
  history: StateChange[];
  /** Failures, newest last (the last 50). */
  recentErrors: ServerError[];
}

/** The answer to an action. */
export interface ActionResult {
  name: string;
  action: ServerAction;
  server: ServerSummary;
}

/** One line of a server's log. `proxy` lines are the proxy's own about the server (any transport). */
export interface LogLine {
  /** ISO 8601. */
  timestamp: string;
  stream: 'stdout' | 'stderr' | 'proxy';
  text: string;
}

export interface LogTail {
  server: string;
  lines: LogLine[];
}

/** Request statistics of one window (docs/admin-api.md, "Metrics summary"). */
export interface WindowStats {
  requests: number;
  errors: number;
  ratePerSecond: number;
  errorRate: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

export type WindowName = '1m' | '5m' | '15m';

export interface SeriesPoint {
  /** Start of the bucket. */
  t: number;
  requests: number;
  errors: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

export interface ServerWindows {
  server: string;
  windows: Record<WindowName, WindowStats>;
  methods: Array<{ method: string; windows: Record<WindowName, WindowStats> }>;
  /** One point per bucket over the last 15 minutes, oldest first, zero-filled. */
  series: SeriesPoint[];
}

/** `GET /api/metrics/summary`: computed in the proxy from the requests it handled. */
export interface MetricsSummary {
  at: number;
  bucketMs: number;
  total: Record<WindowName, WindowStats>;
  servers: ServerWindows[];
  /** Restarts of every server in the last hour. */
  restartsLastHour: number;
}

/** One client session: `GET /api/sessions`. */
export interface SessionSummary {
  id: string;
  /** Which endpoint: `main`, or the name of a server reached on its own endpoint. */
  endpoint: string;
  transport: string;
  revision: string | null;
  clientName: string | null;
  clientVersion: string | null;
  /** A short, non-reversible label of the key that opened it (`anonymous` without keys). */
  principal: string | null;
  openedAt: number;
  ageMs: number;
  inFlight: number;
}

/** `GET /api/config`: the configuration in force, secrets replaced by `[REDACTED]`. */
export interface ConfigView {
  file: string | null;
  config: Record<string, unknown>;
}

export interface ConfigIssue {
  path: string;
  message: string;
  line?: number;
  column?: number;
}

/** `POST /api/config/validate` with `{ text, format? }`. */
export interface ConfigValidation {
  ok: boolean;
  format: 'yaml' | 'json' | 'toml';
  issues: ConfigIssue[];
  /** The servers the text configures, when valid. */
  servers: string[];
}

/** `POST /api/rpc`: one MCP request through the proxy, as a client would send it. */
export interface RpcCall {
  method: string;
  params?: Record<string, unknown>;
}

/** The raw exchange of an {@link RpcCall}: what went out, what came back, how long it took. */
export interface RpcExchange {
  request: { jsonrpc: '2.0'; id: number | string; method: string; params?: unknown };
  response: {
    jsonrpc: '2.0';
    id: number | string | null;
    result?: Record<string, unknown>;
    error?: { code: number; message: string; data?: unknown };
  };
  durationMs: number;
}

/** The methods `POST /api/rpc` accepts: reads and calls, no session-level requests. */
export const RPC_METHODS = [
  'tools/list',
  'tools/call',
  'prompts/list',
  'prompts/get',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'ping',
] as const;

/** What `GET /api/overview` answers and `/api/events` starts with. */
export interface Snapshot {
  version: string;
  startedAt: number;
  servers: ServerSummary[];
  sessions: SessionSummary[];
  metrics: MetricsSummary;
}

/** Events on `GET /api/events` (one SSE stream; the event name is `type`). */
export type AdminEvent =
  | { type: 'snapshot'; snapshot: Snapshot }
  | { type: 'server'; server: ServerSummary; change: StateChange | null }
  | { type: 'server-removed'; name: string }
  | { type: 'session-opened'; session: SessionSummary }
  | { type: 'session-closed'; id: string }
  | { type: 'list-changed'; server: string }
  | { type: 'metrics'; metrics: MetricsSummary };

export type AdminEventType = AdminEvent['type'];

/** The body of every error answer of `/api`. */
export interface ErrorBody {
  error: string;
}
