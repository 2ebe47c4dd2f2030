/**
 * The one validated configuration model that every dialect normalises to. The proxy app maps it to
 * each package's own options; no other package reads it directly.
 */

/** Which file shape a configuration was written in, detected automatically. */
export type Dialect = 'switchyard' | 'seed' | 'mcpServers';

/** Which metric names `/metrics` serves (`metrics.names`). */
export type MetricNames = 'switchyard' | 'seed' | 'both';

/** A backend spawned as a child process and spoken to over stdin/stdout. */
export type StdioTransportConfig = {
  type: 'stdio';
  command: string;
  args: string[];
  /** Added on top of the allow-listed inherited environment. */
  env: Record<string, string>;
  /** Absolute when the config was loaded from a file: defaults to the file's directory. */
  cwd?: string;
};

/** A remote backend over Streamable HTTP, legacy HTTP+SSE, or `auto` (probe both). */
export type HttpTransportConfig = {
  type: 'streamable-http' | 'sse' | 'auto';
  url: string;
  headers: Record<string, string>;
};

/** A remote backend over WebSocket. */
export type WebSocketTransportConfig = {
  type: 'websocket';
  url: string;
  headers: Record<string, string>;
  protocols: string[];
};

export type TransportConfig = StdioTransportConfig | HttpTransportConfig | WebSocketTransportConfig;

/** Health probing of one backend; per-server values override the global ones. */
export interface HealthCheckConfig {
  enabled: boolean;
  intervalMs: number;
  timeoutMs: number;
  /** Consecutive failures before the backend counts as unhealthy. */
  failureThreshold: number;
  /** JSON-RPC method sent as the probe, `ping` by default. */
  method: string;
}

/** One backend, with every default applied. */
export interface ServerConfig {
  name: string;
  enabled: boolean;
  transport: TransportConfig;
  restartOnFailure: boolean;
  maxRestarts: number;
  /** Base delay of the exponential restart backoff (docs/operations.md, "Restarts"). */
  restartDelayMs: number;
  /** Overrides `proxy.requestTimeoutMs` for this server. */
  requestTimeoutMs?: number;
  healthCheck: HealthCheckConfig;
  /** Namespace prefix of this server's tools and prompts; the server name by default. */
  prefix?: string;
  /** Under the `none` naming strategy, the higher priority wins a name collision. */
  priority: number;
  /** Start on first use rather than at start-up. */
  lazy: boolean;
  /** Stop after this long without requests; the next use starts it again. */
  idleStopMs?: number;
  /**
   * `shared`: one backend session serves every client. `per-client`: each client session gets its
   * own backend session (and process, for stdio), created on first use, so server-to-client
   * requests are attributed exactly (docs/transports.md, "Server-to-client requests").
   */
  sessions: SessionMode;
  /**
   * The MCP era the server speaks (`servers.<name>.era`): `auto` probes with `server/discover`
   * and falls back to `initialize` (docs/protocol-versions.md, "Modern backends").
   */
  era: BackendEraMode;
  /** Under `auto`, how long a legacy verdict holds before the server is probed again. */
  eraRecheckMs: number;
  /** What a changed tool definition does (docs/operations.md, "Tool pinning"). */
  pinning: PinningMode;
}

/**
 * Tool definition pinning (`pinning`, top level and per server): `off` hashes nothing; `warn`
 * flags a changed definition in the log, metrics and `/api`; `block` also holds the tool back
 * until it is approved.
 */
export const PINNING_MODES = ['off', 'warn', 'block'] as const;
export type PinningMode = (typeof PINNING_MODES)[number];

/** What the audit log keeps of a tool call's arguments: keys and JSON types only, or everything. */
export const AUDIT_ARGUMENTS = ['shape', 'full'] as const;
export type AuditArguments = (typeof AUDIT_ARGUMENTS)[number];

/** The MCP era of a backend (`servers.<name>.era`). */
export const BACKEND_ERAS = ['auto', 'legacy', 'modern'] as const;
export type BackendEraMode = (typeof BACKEND_ERAS)[number];

/** How client sessions map onto backend sessions (`servers.<name>.sessions`). */
export const SESSION_MODES = ['shared', 'per-client'] as const;
export type SessionMode = (typeof SESSION_MODES)[number];

/** A token bucket: `requestsPerSecond` sustained, up to `burst` at once (docs/operations.md). */
export interface RateLimitConfig {
  requestsPerSecond: number;
  burst: number;
}

/** `proxy.rateLimit`: per client key (HTTP requests, WebSocket upgrades) and per client session. */
export interface RateLimitsConfig {
  perKey?: RateLimitConfig;
  perSession?: RateLimitConfig;
}

/** The normalised configuration, whatever dialect and format it was written in. */
export interface SwitchyardConfig {
  dialect: Dialect;
  /** Absolute path when loaded from disk. */
  file?: string;
  proxy: {
    host: string;
    port: number;
    maxMessageBytes: number;
    requestTimeoutMs: number;
    /** How far progress may extend a request's timeout, in all. */
    maxRequestTimeoutMs: number;
    /** SHA-256 hashes (`sha256:<hex>`) of the bearer keys MCP clients must present. */
    apiKeys: string[];
    /**
     * Web origins whose pages may call the MCP endpoints and `/api`: allowed by the Origin check
     * and answered with CORS headers naming them exactly. Empty: CORS off (docs/security.md).
     */
    allowedOrigins: string[];
    /** Listen beyond loopback without `apiKeys` (refused otherwise). */
    allowUnauthenticated: boolean;
    /** Requests in flight per backend and per client session; more wait (docs/operations.md). */
    maxConcurrentRequests: number;
    /** Requests waiting for a slot per backend and per client session; one more is refused. */
    maxQueuedRequests: number;
    /** How long a request waits for a slot before it is refused. */
    queueTimeoutMs: number;
    /** A client must send its request headers within this time (slow clients get 408). */
    headersTimeoutMs: number;
    /** A client must send its whole request within this time (slow bodies get 408). */
    requestBodyTimeoutMs: number;
    /** Open client connections at most; one more is answered 503 and closed. */
    maxConnections: number;
    connectionPoolSize: number;
    /**
     * Streamable HTTP answers are SSE streams whenever the client accepts them, rather than JSON
     * unless something must be streamed.
     */
    streamResponses: boolean;
    /** Request rate limits per client key and per client session; none when absent. */
    rateLimit: RateLimitsConfig;
  };
  naming: {
    strategy: 'prefix' | 'none';
    separator: string;
    globalPrefix: string;
    /** Exposed names longer than this are cut and end in a hash (docs/architecture.md). */
    maxLength: number;
  };
  logging: {
    level: 'error' | 'warn' | 'info' | 'debug';
    format: 'json' | 'pretty';
    dir?: string;
    /** Size at which a server's log file is rotated. */
    maxSizeBytes: number;
    /** Rotated server log files older than this are deleted. */
    maxAgeDays: number;
  };
  /** Metric names on `/metrics`: Switchyard's, the seed's (`mcp_proxy_*`), or both. */
  metrics: { names: MetricNames };
  /** Without `port` the dashboard is served by the proxy's own HTTP server. */
  dashboard: { enabled: boolean; host?: string; port?: number; apiKey?: string };
  /**
   * Where run-time choices (servers enabled or disabled by hand) are kept across restarts: `<state
   * dir>/switchyard/server-state.json`, when a state directory is known.
   */
  stateFile?: string;
  /** The default of every server's `pinning`. */
  pinning: PinningMode;
  /**
   * The append-only audit log of tool calls and admin actions (docs/operations.md, "Audit log"):
   * `path` defaults to `<state dir>/switchyard/audit.jsonl`; without either there is none.
   */
  audit: {
    enabled: boolean;
    path?: string;
    arguments: AuditArguments;
    /** Size at which the file is rotated, and how many rotated files are kept. */
    maxSizeBytes: number;
    maxFiles: number;
  };
  /** The built-in `switchyard` management server, mounted like a backend. */
  management: { enabled: boolean };
  healthCheck: HealthCheckConfig;
  contextTracing: {
    enabled: boolean;
    sqlitePath?: string;
    retentionDays: number;
    maxSizeMb: number;
    cacheSize: number;
    /** A session's open response closes after this long without a capture (docs/tracing.md). */
    idleGapMs: number;
    /** Factor weights of the composite weight; they sum to 1 (checked when loaded). */
    weights: { retrieval: number; recency: number; type: number; length: number };
  };
  /** Spans of proxied requests exported over OTLP/HTTP (docs/tracing.md, "OpenTelemetry"). */
  openTelemetry: {
    enabled: boolean;
    endpoint: string;
    headers: Record<string, string>;
    serviceName: string;
  };
  /** In file order. */
  servers: ServerConfig[];
  /** The seed's `plugins` section, kept as written for a future interceptor layer. */
  plugins?: Record<string, unknown>;
  /**
   * Values substituted with `${secret:VAR}`, or from a variable whose name looks secret
   * (docs/configuration.md, "Environment variables"): secrets wherever they ended up. Never
   * shown; absent when there are none.
   */
  secretValues?: string[];
}

/** How to read one configuration text. */
export interface ParseOptions {
  /** Shown in error messages; also picks the format from its extension. */
  file?: string;
  /** Defaults to the extension of `file`, else YAML (which also reads JSON). */
  format?: 'yaml' | 'json' | 'toml';
  /** Variables for `${VAR}` substitution; none when omitted. */
  env?: Record<string, string | undefined>;
  /**
   * The user's state directory (`$XDG_STATE_HOME`, usually `~/.local/state`): the tracing database
   * and logs default to `<stateDir>/switchyard/`. When omitted it is derived from
   * `env.XDG_STATE_HOME` or `env.HOME`; without either those paths stay unset.
   */
  stateDir?: string;
  /**
   * The file's absolute path, when the text was read from one (`loadConfigFile` sets it): the
   * server logs then default to a folder of this file's own, so that proxies started from
   * different files never mix their logs (docs/configuration.md, "Paths and defaults").
   */
  path?: string;
}
