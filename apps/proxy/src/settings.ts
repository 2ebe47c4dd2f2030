import type { AuditArguments } from '@switchyard/config';
import type { LoggerOptions, ServerLogsOptions } from '@switchyard/logging';
import type { MetricsOptions } from '@switchyard/metrics';
import type { BackendEra, Clock } from '@switchyard/protocol';
import type { RateLimit, RouterOptions } from '@switchyard/router';
import type { HealthPolicy, RestartPolicy } from '@switchyard/supervisor';
import type { HttpPoolOptions } from '@switchyard/transports';
import type { KeyPolicy } from './auth.js';

/*
 * The settings of each part of the proxy, as `settingsOf` (options.ts, the one reader of the
 * configuration) maps them from a config. Types only.
 */

/** Context tracing's store and model (docs/tracing.md). */
export interface TracingSettings {
  /** The SQLite file, or `:memory:`. */
  file: string;
  retentionDays: number;
  maxSizeBytes: number;
  cacheSize: number;
  idleGapMs: number;
  weights: { retrieval: number; recency: number; type: number; length: number };
}

/** Where and whether the HTTP server may listen. */
export interface ListenSettings {
  host: string;
  port: number;
  /** Bound to loopback only: then `Host` must name loopback too (DNS rebinding). */
  loopbackOnly: boolean;
  /** Why listening is refused (beyond loopback without keys), or undefined when it is allowed. */
  refusal: string | undefined;
  /** Slow clients: headers, and the whole request, must arrive within these (408 otherwise). */
  headersTimeoutMs: number;
  requestBodyTimeoutMs: number;
  /** Open client connections at most; one more is answered 503 (docs/security.md). */
  maxConnections: number;
}

/** The options every router of the proxy shares (the aggregate one and each per-server one). */
export type RouterSettings = Required<
  Pick<
    RouterOptions,
    | 'serverInfo'
    | 'requestTimeoutMs'
    | 'maxConcurrentRequests'
    | 'maxQueuedRequests'
    | 'queueTimeoutMs'
    | 'maxRequestTimeoutMs'
    | 'clock'
  >
> & {
  /** Names on the aggregate endpoint; per-server endpoints keep each backend's names untouched. */
  naming: NonNullable<RouterOptions['naming']>;
  /** Each client session's request rate (`proxy.rateLimit.perSession`). */
  rateLimitPerSession?: RateLimit;
};

/** The options of the front transports (Streamable HTTP, HTTP+SSE, WebSocket, stdio). */
export interface FrontSettings {
  maxMessageBytes: number;
  /** Streamable HTTP answers as SSE whenever the client accepts it (docs/transports.md). */
  streamResponses: boolean;
  clock: Clock;
}

/** How the proxy connects to every backend, whichever it is. */
export interface ConnectionSettings {
  /** The environment stdio backends inherit allow-listed variables from. */
  baseEnv: Readonly<Record<string, string | undefined>>;
  maxMessageBytes: number;
  /** Who the proxy says it is in `initialize` to a backend. */
  clientInfo: { name: string; version: string };
  clock: Clock;
}

/** How to reach one backend. */
export type BackendTarget =
  | {
      type: 'stdio';
      command: string;
      args: readonly string[];
      env: Readonly<Record<string, string>>;
      cwd: string | undefined;
    }
  | {
      type: 'streamable-http' | 'sse' | 'auto';
      url: string;
      headers: Readonly<Record<string, string>>;
    }
  | {
      type: 'websocket';
      url: string;
      headers: Readonly<Record<string, string>>;
      protocols: readonly string[];
    };

/**
 * One backend's settings: how to reach it, how it is supervised and how the router sees it.
 * Plain data, so that a reload can compare old and new settings to find what changed.
 */
export interface BackendOptions {
  name: string;
  /** As configured; a choice made at run time overrides it (docs/operations.md). */
  enabled: boolean;
  /** Namespace prefix of its tools and prompts. */
  prefix: string;
  /** Under the `none` naming strategy, the higher priority wins a name collision. */
  priority: number;
  /** One backend session per client session (`sessions: per-client`) instead of one shared. */
  perClient: boolean;
  /** Overrides the router's request timeout for this backend. */
  requestTimeoutMs: number | undefined;
  target: BackendTarget;
  restart: RestartPolicy;
  health: HealthPolicy;
  /** Started on first use, not with the others. */
  lazy: boolean;
  /** Stopped after this long without requests. */
  idleStopMs: number | undefined;
  /**
   * The MCP era it speaks (docs/protocol-versions.md, "Modern backends"); `legacy` when absent.
   */
  era?: BackendEra;
  /** Under `auto`, how long a legacy verdict holds before the backend is probed again. */
  eraRecheckMs?: number;
}

/** Everything the proxy's parts need, mapped from one configuration. */
export interface ProxySettings {
  listen: ListenSettings;
  /** Bearer keys of the MCP endpoints (HTTP and WebSocket). */
  mcpKeys: KeyPolicy;
  /** Bearer keys of the admin API under `/api`. */
  adminKeys: KeyPolicy;
  /** Web origins allowed besides loopback ones, with CORS for them; empty: CORS off. */
  allowedOrigins: readonly string[];
  /** The rate limit per client key (`proxy.rateLimit.perKey`); none when undefined. */
  rateLimitPerKey: RateLimit | undefined;
  logger: LoggerOptions;
  /** Every secret of the config, redacted wherever the proxy writes (docs/operations.md). */
  secrets: string[];
  /** Per-server log files, or undefined when they are off. */
  serverLogs: Omit<ServerLogsOptions, 'onError' | 'secrets'> | undefined;
  metrics: MetricsOptions;
  pool: HttpPoolOptions;
  router: RouterSettings;
  fronts: FrontSettings;
  connections: ConnectionSettings;
  backends: BackendOptions[];
  /** Where run-time choices are kept, and the key (the config file) they are kept under. */
  state: { file: string | undefined; key: string };
  /** The audit log's file (none when off) and what it keeps of arguments (docs/operations.md). */
  audit: {
    file: string | undefined;
    arguments: AuditArguments;
    maxSizeBytes: number;
    maxFiles: number;
  };
  /** Whether the built-in `switchyard` management server is mounted. */
  management: boolean;
  /** Context tracing (docs/tracing.md): its database and grouping, or undefined when off. */
  tracing: TracingSettings | undefined;
  /** Spans over OTLP/HTTP (docs/tracing.md, "OpenTelemetry"), or undefined when off. */
  telemetry: { endpoint: string; headers: Record<string, string>; serviceName: string } | undefined;
  /** The dashboard: at `/` of the proxy's port, or on a port of its own (docs/dashboard.md). */
  dashboard: { enabled: boolean; host: string; port: number | undefined; dir: string | undefined };
  shutdownDeadlineMs: number;
  clock: Clock;
}
