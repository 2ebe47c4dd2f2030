/**
 * The one validated configuration model that every dialect normalises to (spec C2). The proxy
 * app maps it to each package's own options; no other package reads it directly.
 */

/** Which file shape a configuration was written in, detected automatically (spec C2). */
export type Dialect = 'switchyard' | 'seed' | 'mcpServers';

/** A backend spawned as a child process and spoken to over stdin/stdout (spec T1). */
export type StdioTransportConfig = {
  type: 'stdio';
  command: string;
  args: string[];
  /** Added on top of the allow-listed inherited environment. */
  env: Record<string, string>;
  /** Absolute when the config was loaded from a file: defaults to the file's directory. */
  cwd?: string;
};

/** A remote backend over Streamable HTTP, legacy HTTP+SSE, or `auto` (probe both, spec T1). */
export type HttpTransportConfig = {
  type: 'streamable-http' | 'sse' | 'auto';
  url: string;
  headers: Record<string, string>;
};

/** A remote backend over WebSocket (spec T1). */
export type WebSocketTransportConfig = {
  type: 'websocket';
  url: string;
  headers: Record<string, string>;
  protocols: string[];
};

export type TransportConfig = StdioTransportConfig | HttpTransportConfig | WebSocketTransportConfig;

/** Health probing of one backend (spec S3); per-server values override the global ones. */
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
  /** Base delay of the exponential restart backoff (spec S2). */
  restartDelayMs: number;
  /** Overrides `proxy.requestTimeoutMs` for this server (spec T5). */
  requestTimeoutMs?: number;
  healthCheck: HealthCheckConfig;
  /** Namespace prefix of this server's tools and prompts (spec R1); the server name by default. */
  prefix?: string;
  /** Under the `none` naming strategy, the higher priority wins a name collision (spec R1). */
  priority: number;
  /** Start on first use rather than at start-up (spec S5). */
  lazy: boolean;
  /** Stop after this long without requests; the next use starts it again (spec S5). */
  idleStopMs?: number;
  /**
   * `shared`: one backend session serves every client. `per-client`: each client session gets its
   * own backend session (and process, for stdio), created on first use, so server-to-client
   * requests are attributed exactly (spec R5, protocol.md §4.3 a).
   */
  sessions: SessionMode;
}

/** How client sessions map onto backend sessions (`servers.<name>.sessions`). */
export const SESSION_MODES = ['shared', 'per-client'] as const;
export type SessionMode = (typeof SESSION_MODES)[number];

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
    /** How far progress may extend a request's timeout, in all (spec T5). */
    maxRequestTimeoutMs: number;
    /** SHA-256 hashes (`sha256:<hex>`) of the bearer keys MCP clients must present (spec K2). */
    apiKeys: string[];
    /** Listen beyond loopback without `apiKeys` (refused otherwise, spec K1). */
    allowUnauthenticated: boolean;
    maxConcurrentRequests: number;
    connectionPoolSize: number;
    /**
     * Streamable HTTP answers are SSE streams whenever the client accepts them, rather than JSON
     * unless something must be streamed (spec T2).
     */
    streamResponses: boolean;
  };
  naming: { strategy: 'prefix' | 'none'; separator: string; globalPrefix: string };
  logging: { level: 'error' | 'warn' | 'info' | 'debug'; format: 'json' | 'pretty'; dir?: string };
  /** Without `port` the dashboard is served by the proxy's own HTTP server (spec C6). */
  dashboard: { enabled: boolean; host?: string; port?: number; apiKey?: string };
  /**
   * Where run-time choices (servers enabled or disabled by hand, spec S4) are kept across restarts:
   * `<state dir>/switchyard/server-state.json`, when a state directory is known.
   */
  stateFile?: string;
  /** The built-in `switchyard` management server (spec R9), mounted like a backend. */
  management: { enabled: boolean };
  healthCheck: HealthCheckConfig;
  contextTracing: {
    enabled: boolean;
    sqlitePath?: string;
    retentionDays: number;
    cacheSize: number;
  };
  /** In file order. */
  servers: ServerConfig[];
  /** The seed's `plugins` section, kept as written for the interceptor layer (spec R11). */
  plugins?: Record<string, unknown>;
}

/** How to read one configuration text. */
export interface ParseOptions {
  /** Shown in error messages; also picks the format from its extension. */
  file?: string;
  /** Defaults to the extension of `file`, else YAML (which also reads JSON). */
  format?: 'yaml' | 'json' | 'toml';
  /** Variables for `${VAR}` substitution (spec C3); none when omitted. */
  env?: Record<string, string | undefined>;
  /**
   * The user's state directory (`$XDG_STATE_HOME`, usually `~/.local/state`): the tracing database
   * and logs default to `<stateDir>/switchyard/` (spec C6). When omitted it is derived from
   * `env.XDG_STATE_HOME` or `env.HOME`; without either those paths stay unset.
   */
  stateDir?: string;
}
