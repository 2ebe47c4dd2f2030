import * as v from 'valibot';
import { closestMatch } from './did-you-mean.js';
import { isRecord } from './is-record.js';
import {
  boolean,
  integer,
  map,
  nameString,
  nonEmptyString,
  type ObjectCheck,
  oneOf,
  opaqueObject,
  port,
  strictObject,
  string,
  stringList,
  stringMap,
} from './schema-parts.js';
import { isHttpUrl, isWebSocketUrl } from './url-checks.js';

/*
 * The seed's (mcp-rust-proxy) dialect, so that its users' files load unchanged: the keys its code
 * reads plus those its README documents (`webUI`, `healthChecks`, `logging`,
 * `proxy.maxConnectionsPerServer`). It is more lenient than the seed where the seed was wrong:
 * `args` may be left out and `command` is not needed for remote transports.
 */

const SEED_DEFAULT_PROXY_PORT = 3000;

const httpUrl = () =>
  v.pipe(v.string('http:// or https:// URL'), v.check(isHttpUrl, 'http:// or https:// URL'));
const webSocketUrl = () =>
  v.pipe(v.string('ws:// or wss:// URL'), v.check(isWebSocketUrl, 'ws:// or wss:// URL'));

const seedTransportSchema = v.variant(
  'type',
  [
    strictObject({ type: v.literal('stdio') }),
    strictObject({
      type: v.literal('httpSse'),
      url: httpUrl(),
      headers: v.optional(stringMap()),
      timeoutMs: v.optional(integer(1)),
    }),
    strictObject({
      type: v.literal('webSocket'),
      url: webSocketUrl(),
      protocols: v.optional(stringList()),
      autoReconnect: v.optional(boolean()),
    }),
  ],
  (issue) =>
    issue.path === undefined
      ? 'transport object such as `{ type: stdio }`'
      : 'transport type "stdio", "httpSse" or "webSocket"',
);

const seedHealthCheckEntries = {
  enabled: v.optional(boolean()),
  intervalSeconds: v.optional(integer(1)),
  timeoutSeconds: v.optional(integer(1)),
  maxAttempts: v.optional(integer(1)),
  retryIntervalSeconds: v.optional(integer(1)),
};

const checkStdioCommand: ObjectCheck = (server, report) => {
  const transport = server.transport;
  const stdio = transport === undefined || (isRecord(transport) && transport.type === 'stdio');
  if (stdio && (server.command === undefined || server.command === '')) {
    report({ message: 'needs `command` for the stdio transport' });
  }
};

const seedServerSchema = strictObject(
  {
    command: v.optional(string()),
    args: v.optional(stringList()),
    env: v.optional(stringMap()),
    transport: v.optional(seedTransportSchema),
    restartOnFailure: v.optional(boolean()),
    maxRestarts: v.optional(integer(0)),
    restartDelayMs: v.optional(integer(0)),
    workingDirectory: v.optional(string()),
    initializationDelayMs: v.optional(integer(0)),
    enabled: v.optional(boolean()),
    healthCheck: v.optional(strictObject(seedHealthCheckEntries)),
  },
  checkStdioCommand,
);

const webUiSchema = strictObject({
  enabled: v.optional(boolean()),
  port: v.optional(port()),
  host: v.optional(nonEmptyString()),
  staticDir: v.optional(string()),
  apiKey: v.optional(nonEmptyString()),
});

/** `webUI` and `webUi` are one section under two spellings; the web UI needs its own port. */
const checkWebUi: ObjectCheck = (root, report) => {
  if ('webUI' in root && 'webUi' in root) {
    report({
      message: '`webUI` and `webUi` are two spellings of one section: keep one',
      keys: ['webUi'],
    });
  }
  const key = 'webUI' in root ? 'webUI' : 'webUi';
  const webUi = root[key];
  if (!isRecord(webUi)) return;
  const proxyPort =
    isRecord(root.proxy) && typeof root.proxy.port === 'number'
      ? root.proxy.port
      : SEED_DEFAULT_PROXY_PORT;
  if (webUi.enabled !== false && webUi.port === proxyPort && proxyPort !== 0) {
    report({ message: `must differ from \`proxy.port\` (${proxyPort})`, keys: [key, 'port'] });
  }
};

/** Every entry of the README's `healthChecks` map must name a configured server. */
const checkHealthChecksNames: ObjectCheck = (root, report) => {
  if (!isRecord(root.healthChecks)) return;
  const servers = isRecord(root.servers) ? Object.keys(root.servers) : [];
  for (const name of Object.keys(root.healthChecks)) {
    if (servers.includes(name)) continue;
    const suggestion = closestMatch(name, servers);
    report({
      message: `no server named \`${name}\` in \`servers\`${suggestion === undefined ? '' : `; did you mean \`${suggestion}\`?`}`,
      keys: ['healthChecks', name],
    });
  }
};

/** The seed's configuration file shape. */
export const seedSchema = strictObject(
  {
    servers: v.optional(
      map(nameString('server name'), seedServerSchema, 'map of server names to servers'),
    ),
    proxy: v.optional(
      strictObject({
        port: v.optional(port()),
        host: v.optional(nonEmptyString()),
        connectionPoolSize: v.optional(integer(1)),
        requestTimeoutMs: v.optional(integer(1)),
        maxConcurrentRequests: v.optional(integer(1)),
        maxConnectionsPerServer: v.optional(integer(1)),
      }),
    ),
    webUI: v.optional(webUiSchema),
    webUi: v.optional(webUiSchema),
    healthCheck: v.optional(strictObject(seedHealthCheckEntries)),
    healthChecks: v.optional(
      map(
        nameString('server name'),
        strictObject({
          ...seedHealthCheckEntries,
          timeoutMs: v.optional(integer(1)),
          threshold: v.optional(integer(1)),
        }),
        'map of server names to health checks',
      ),
    ),
    contextTracing: v.optional(
      strictObject({
        enabled: v.optional(boolean()),
        storageType: v.optional(oneOf(['hybrid', 'sqliteOnly'])),
        sqlitePath: v.optional(string()),
        cacheSize: v.optional(integer(0)),
        cacheTtlSeconds: v.optional(integer(0)),
        retentionDays: v.optional(integer(1)),
      }),
    ),
    logging: v.optional(
      strictObject({
        level: v.optional(oneOf(['error', 'warn', 'info', 'debug', 'trace'])),
        format: v.optional(oneOf(['json', 'pretty'])),
      }),
    ),
    plugins: v.optional(opaqueObject()),
  },
  checkWebUi,
  checkHealthChecksNames,
);

/** A validated file in the seed's dialect. */
export type SeedInput = v.InferOutput<typeof seedSchema>;
