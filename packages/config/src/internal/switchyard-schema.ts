import type * as v from 'valibot';
import { AUDIT_ARGUMENTS, BACKEND_ERAS, PINNING_MODES, SESSION_MODES } from '../model.js';
import { DEFAULTS } from './defaults.js';
import { isRecord } from './is-record.js';
import {
  boolean,
  field,
  integer,
  keyHashList,
  map,
  nameString,
  nonEmptyString,
  type ObjectCheck,
  oneOf,
  originList,
  port,
  positiveNumber,
  requiredField,
  strictObject,
  string,
  stringList,
  stringMap,
} from './schema-parts.js';
import {
  checkTracingWeights,
  contextTracingSchema,
  openTelemetrySchema,
} from './tracing-schema.js';
import {
  expectedUrl,
  inferRemoteTransport,
  isRemoteTransport,
  REMOTE_TRANSPORTS,
  urlFitsTransport,
} from './url-checks.js';

const TRANSPORTS = ['stdio', ...REMOTE_TRANSPORTS] as const;
const STDIO_ONLY_KEYS = ['args', 'env', 'cwd', 'workingDirectory'];
const REMOTE_ONLY_KEYS = ['headers', 'protocols'];

const healthCheckEntries = (scope: string) => ({
  enabled: field(boolean(), `Probe ${scope}. Default ${DEFAULTS.healthCheck.enabled}.`),
  intervalMs: field(integer(1), `Time between probes. Default ${DEFAULTS.healthCheck.intervalMs}.`),
  timeoutMs: field(integer(1), `Time a probe may take. Default ${DEFAULTS.healthCheck.timeoutMs}.`),
  failureThreshold: field(
    integer(1),
    `Consecutive failures before a server counts as unhealthy. Default ${DEFAULTS.healthCheck.failureThreshold}.`,
  ),
  method: field(
    nonEmptyString(),
    `JSON-RPC method sent as the probe. Default "${DEFAULTS.healthCheck.method}".`,
  ),
});

/** Cross-field rules of one server: local xor remote, and a transport that fits. */
const checkServer: ObjectCheck = (server, report) => {
  const at = (
    key: string,
    message: string,
    detail: { expected?: string; received?: string } = {},
  ) => report({ message, keys: [key], ...detail });
  const { command, url, transport } = server;
  if (command === undefined && url === undefined) {
    report({
      message: 'needs either `command` (a local server over stdio) or `url` (a remote server)',
    });
    return;
  }
  if (command !== undefined && url !== undefined) {
    at(
      'url',
      '`command` and `url` exclude each other: a server is local (`command`) or remote (`url`)',
    );
    return;
  }
  if (command !== undefined) {
    if (typeof transport === 'string' && transport !== 'stdio') {
      at('transport', `transport \`${transport}\` needs \`url\`, not \`command\``);
    }
    for (const key of REMOTE_ONLY_KEYS) {
      if (key in server) at(key, `\`${key}\` applies only to remote servers (with \`url\`)`);
    }
    if ('cwd' in server && 'workingDirectory' in server) {
      at('workingDirectory', '`workingDirectory` is an alias of `cwd`: set only one of them');
    }
    return;
  }
  for (const key of STDIO_ONLY_KEYS) {
    if (key in server) at(key, `\`${key}\` applies only to local servers (with \`command\`)`);
  }
  if (transport === 'stdio') {
    at('transport', 'transport `stdio` needs `command`, not `url`');
    return;
  }
  if (typeof url !== 'string') return;
  const effective = transport === undefined ? inferRemoteTransport(url) : transport;
  if (!isRemoteTransport(effective)) return;
  if (!urlFitsTransport(url, effective)) {
    const expected =
      transport === undefined ? 'http(s):// or ws(s):// URL' : expectedUrl(effective);
    const received = JSON.stringify(url);
    const context = transport === undefined ? '' : ` for transport \`${effective}\``;
    at('url', `expected ${expected}${context}, received ${received}`, { expected, received });
  }
  if ('protocols' in server && effective !== 'websocket') {
    at('protocols', '`protocols` applies only to the `websocket` transport');
  }
};

/** One backend in Switchyard's own dialect: `command` (stdio) or `url` (remote). */
const switchyardServerSchema = strictObject(
  {
    command: field(nonEmptyString(), 'Executable of a local server, spoken to over stdio.'),
    args: field(stringList(), 'Arguments of `command`. Default [].'),
    env: field(
      stringMap(),
      'Environment variables added for `command`, over the inherited allow-list.',
    ),
    cwd: field(
      string(),
      "Working directory of `command`, relative to the config file. Default: the file's directory.",
    ),
    workingDirectory: field(string(), 'Alias of `cwd` (the seed spelling).'),
    url: field(string(), 'URL of a remote server (http(s) or ws(s)).'),
    transport: field(
      oneOf(TRANSPORTS),
      'How to reach the server. Default "stdio" with `command`; with `url`, "websocket" for ws(s) URLs, else "auto" (Streamable HTTP, then HTTP+SSE).',
    ),
    headers: field(stringMap(), 'HTTP headers sent to a remote server, e.g. Authorization.'),
    protocols: field(stringList(), 'WebSocket subprotocols to offer. Default [].'),
    enabled: field(boolean(), `Start this server. Default ${DEFAULTS.server.enabled}.`),
    restartOnFailure: field(
      boolean(),
      `Restart after a crash or failed health check. Default ${DEFAULTS.server.restartOnFailure}.`,
    ),
    maxRestarts: field(
      integer(0),
      `Restarts allowed before giving up. Default ${DEFAULTS.server.maxRestarts}.`,
    ),
    restartDelayMs: field(
      integer(0),
      `Base delay of the exponential restart backoff, from the second failure in a row (the first restarts at once). Default ${DEFAULTS.server.restartDelayMs}.`,
    ),
    requestTimeoutMs: field(
      integer(1),
      'Request timeout for this server. Default `proxy.requestTimeoutMs`.',
    ),
    healthCheck: field(
      strictObject(healthCheckEntries('this server')),
      'Overrides of the global `healthCheck` for this server.',
    ),
    prefix: field(
      nameString('prefix'),
      "Namespace of this server's tools and prompts. Default: the server name.",
    ),
    priority: field(
      integer(),
      `Wins name collisions under the "none" naming strategy when higher. Default ${DEFAULTS.server.priority}.`,
    ),
    lazy: field(
      boolean(),
      `Start this server on first use instead of at start-up. Default ${DEFAULTS.server.lazy}.`,
    ),
    idleStopMs: field(
      integer(1000),
      'Stop this server after this long without requests; it starts again on the next use. Default: never.',
    ),
    sessions: field(
      oneOf(SESSION_MODES),
      `"shared": one session for all clients; "per-client": each client session gets its own (its own process for stdio), so sampling, elicitation and roots reach exactly the client they belong to. Default "${DEFAULTS.server.sessions}".`,
    ),
    era: field(
      oneOf(BACKEND_ERAS),
      `The MCP era this server speaks: "legacy" (the \`initialize\` handshake, 2024-11-05 to 2025-11-25), "modern" (2026-07-28: \`server/discover\` and a per-request envelope) or "auto" (probe with \`server/discover\`, fall back to \`initialize\`). Default "${DEFAULTS.server.era}".`,
    ),
    eraRecheckMs: field(
      integer(0),
      `Under "auto", how long a legacy verdict is trusted before the server is probed again (so an upgraded server is found). Default ${DEFAULTS.server.eraRecheckMs} (1 h).`,
    ),
    pinning: field(
      oneOf(PINNING_MODES),
      'What a change of one of this server\'s tool definitions does: "off", "warn" (log, metric, /api) or "block" (also held back until approved). Default: the top-level `pinning`.',
    ),
  },
  checkServer,
);

/** Rules across sections: the dashboard needs its own port when it has one. */
const checkDashboardPort: ObjectCheck = (root, report) => {
  const dashboard = root.dashboard;
  if (!isRecord(dashboard)) return;
  const proxyPort =
    isRecord(root.proxy) && typeof root.proxy.port === 'number'
      ? root.proxy.port
      : DEFAULTS.proxy.port;
  if (dashboard.enabled !== false && dashboard.port === proxyPort && proxyPort !== 0) {
    report({
      message: `must differ from \`proxy.port\` (${proxyPort}); leave it out to serve the dashboard on the proxy's port`,
      keys: ['dashboard', 'port'],
    });
  }
};

/** A token bucket's rate: `requestsPerSecond` sustained, `burst` at once. */
const rateLimit = () =>
  strictObject({
    requestsPerSecond: requiredField(positiveNumber(), 'Tokens added per second (required).'),
    burst: requiredField(integer(1), 'Size of the bucket: requests allowed at once (required).'),
  });

/** Switchyard's own configuration dialect; also the source of the JSON Schema. */
export const switchyardSchema = strictObject(
  {
    $schema: field(string(), 'JSON Schema of this file, for editors.'),
    proxy: field(
      strictObject({
        host: field(
          nonEmptyString(),
          `Interface to listen on. Default "${DEFAULTS.proxy.host}" (loopback only).`,
        ),
        port: field(port(), `Port of the MCP endpoints. Default ${DEFAULTS.proxy.port}.`),
        maxMessageBytes: field(
          integer(1024),
          `Largest message accepted. Default ${DEFAULTS.proxy.maxMessageBytes} (4 MiB).`,
        ),
        requestTimeoutMs: field(
          integer(1),
          `Default request timeout. Default ${DEFAULTS.proxy.requestTimeoutMs}.`,
        ),
        maxRequestTimeoutMs: field(
          integer(1),
          `Progress notifications may extend a request's timeout up to this much in all. Default ${DEFAULTS.proxy.maxRequestTimeoutMs}.`,
        ),
        maxConcurrentRequests: field(
          integer(1),
          `Requests in flight per backend and per client session; more wait in a queue. Default ${DEFAULTS.proxy.maxConcurrentRequests}.`,
        ),
        maxQueuedRequests: field(
          integer(0),
          `Requests waiting for a slot per backend and per client session; one more is refused (queue_full). Default ${DEFAULTS.proxy.maxQueuedRequests}.`,
        ),
        queueTimeoutMs: field(
          integer(1),
          `How long a request waits for a slot before it is refused (queue_timeout). Default ${DEFAULTS.proxy.queueTimeoutMs}.`,
        ),
        headersTimeoutMs: field(
          integer(1),
          `A client that has not sent its request headers within this time gets 408 and is disconnected (slow clients). Default ${DEFAULTS.proxy.headersTimeoutMs}.`,
        ),
        requestBodyTimeoutMs: field(
          integer(1),
          `A client that has not sent its whole request (headers and body) within this time gets 408 and is disconnected; answers, SSE streams included, are not limited by it. Default ${DEFAULTS.proxy.requestBodyTimeoutMs}.`,
        ),
        maxConnections: field(
          integer(1),
          `Open client connections at most (WebSocket and SSE streams included); one more is answered 503 with Retry-After and closed. Default ${DEFAULTS.proxy.maxConnections}.`,
        ),
        connectionPoolSize: field(
          integer(1),
          `Keep-alive connections per HTTP backend origin. Default ${DEFAULTS.proxy.connectionPoolSize}.`,
        ),
        apiKeys: field(
          keyHashList(),
          'Hashes of the bearer keys MCP clients must present ("sha256:<hex>", from `switchyard key`). Default: none, no key needed.',
        ),
        allowedOrigins: field(
          originList(),
          'Web origins (exact, e.g. "https://app.example.com") whose pages may call the MCP endpoints and /api: they pass the Origin check and get CORS headers naming them. Default: none, CORS off.',
        ),
        allowUnauthenticated: field(
          boolean(),
          `Listen beyond loopback without \`apiKeys\`. Default ${DEFAULTS.proxy.allowUnauthenticated}.`,
        ),
        rateLimit: field(
          strictObject({
            perKey: field(
              rateLimit(),
              'Token bucket per client key (the anonymous principal counts as one key): every MCP HTTP request and WebSocket upgrade with that key takes a token; over it, 429 with Retry-After. Default: none.',
            ),
            perSession: field(
              rateLimit(),
              'Token bucket per client session, on every front: every JSON-RPC request of the session takes a token; over it, the error rate_limited with data.retryAfterMs. Default: none.',
            ),
          }),
          'Request rate limits (docs/operations.md, "Rate limits"). Default: off.',
        ),
        streamResponses: field(
          boolean(),
          `Answer every /mcp request with an SSE stream when the client accepts one (resumable, as the reference SDK does) instead of JSON when nothing needs streaming. Default ${DEFAULTS.proxy.streamResponses}.`,
        ),
      }),
      'The MCP endpoint clients connect to.',
    ),
    naming: field(
      strictObject({
        strategy: field(
          oneOf(['prefix', 'none']),
          `"prefix" namespaces tool and prompt names; "none" keeps them raw. Default "${DEFAULTS.naming.strategy}".`,
        ),
        separator: field(
          nameString('separator'),
          `Between prefix and name. Default "${DEFAULTS.naming.separator}".`,
        ),
        globalPrefix: field(
          nameString('global prefix', true),
          'Put before every namespaced name, e.g. "mcp__proxy__". Default "".',
        ),
        maxLength: field(
          integer(16),
          `Longest exposed name; longer ones are cut and end in a hash of the full name. Default ${DEFAULTS.naming.maxLength}.`,
        ),
      }),
      'How the names of the merged tools and prompts are built.',
    ),
    logging: field(
      strictObject({
        level: field(
          oneOf(['error', 'warn', 'info', 'debug']),
          `Default "${DEFAULTS.logging.level}".`,
        ),
        format: field(oneOf(['json', 'pretty']), `Default "${DEFAULTS.logging.format}".`),
        dir: field(
          string(),
          'Directory of the per-server log files. Default <state dir>/switchyard/logs.',
        ),
        maxSizeBytes: field(
          integer(1024),
          `Size at which a server's log file is rotated. Default ${DEFAULTS.logging.maxSizeBytes} (10 MiB).`,
        ),
        maxAgeDays: field(
          integer(1),
          `Rotated server log files older than this many days are deleted. Default ${DEFAULTS.logging.maxAgeDays}.`,
        ),
      }),
      "The proxy's own log and the servers' log files.",
    ),
    metrics: field(
      strictObject({
        names: field(
          oneOf(['switchyard', 'seed', 'both']),
          `Metric names on /metrics: "switchyard" (switchyard_*), "seed" (the seed's mcp_proxy_*, for existing dashboards) or "both". Default "${DEFAULTS.metrics.names}".`,
        ),
      }),
      'The Prometheus metrics on /metrics.',
    ),
    dashboard: field(
      strictObject({
        enabled: field(
          boolean(),
          `Serve the dashboard and admin API. Default ${DEFAULTS.dashboard.enabled}.`,
        ),
        host: field(
          nonEmptyString(),
          'Interface of a separate dashboard server. Default `proxy.host`.',
        ),
        port: field(
          port(),
          'Port of a separate dashboard server. Default: served on `proxy.port`.',
        ),
        apiKey: field(
          nonEmptyString(),
          'Bearer key for the admin API; required when bound beyond loopback.',
        ),
      }),
      'The web dashboard and its admin API.',
    ),
    management: field(
      strictObject({
        enabled: field(
          boolean(),
          `Mount the built-in \`switchyard\` management server. Default ${DEFAULTS.management.enabled}.`,
        ),
      }),
      'The built-in management server (tools server_list, server_start, ...; proxy:// resources).',
    ),
    healthCheck: field(
      strictObject(healthCheckEntries('every server')),
      'Health-check defaults for every server.',
    ),
    contextTracing: field(
      contextTracingSchema(),
      'Context tracing: which backend content went into which answer (docs/tracing.md).',
    ),
    openTelemetry: field(
      openTelemetrySchema(),
      'OpenTelemetry spans of proxied requests, over OTLP/HTTP (docs/tracing.md).',
    ),
    pinning: field(
      oneOf(PINNING_MODES),
      `Tool definition pinning for every server: "off", "warn" (a changed definition is logged, counted and shown in /api) or "block" (also held back from tools/list and refused until approved). Default "${DEFAULTS.pinning}".`,
    ),
    audit: field(
      strictObject({
        enabled: field(
          boolean(),
          `Keep the append-only audit log of tool calls and admin actions. Default ${DEFAULTS.audit.enabled}.`,
        ),
        path: field(
          string(),
          'The audit log file (JSONL). Default <state dir>/switchyard/audit.jsonl.',
        ),
        arguments: field(
          oneOf(AUDIT_ARGUMENTS),
          `What is kept of a tool call's arguments: "shape" (keys and JSON types, never values) or "full". Default "${DEFAULTS.audit.arguments}".`,
        ),
        maxSizeBytes: field(
          integer(1024),
          `Size at which the audit log is rotated; the hash chain goes on in the new file. Default ${DEFAULTS.audit.maxSizeBytes} (10 MiB).`,
        ),
        maxFiles: field(
          integer(1),
          `Rotated audit log files kept; older ones are deleted. Default ${DEFAULTS.audit.maxFiles}.`,
        ),
      }),
      'The audit log (docs/operations.md, "Audit log").',
    ),
    servers: field(
      map(nameString('server name'), switchyardServerSchema, 'map of server names to servers'),
      'The backends, by name.',
    ),
  },
  (root, report) => {
    checkDashboardPort(root, report);
    checkTracingWeights(root, report);
  },
);

/** A validated file in Switchyard's own dialect; the other dialects are mapped to this shape. */
export type SwitchyardInput = v.InferOutput<typeof switchyardSchema>;

/** One validated server in Switchyard's own dialect. */
export type SwitchyardServerInput = v.InferOutput<typeof switchyardServerSchema>;
