import { type JsonObject, SwitchyardError } from '@switchyard/protocol';
import type { VirtualServerDefinition } from '@switchyard/router';
import type { SupervisedBackends } from './supervised-backends.js';
import { PROXY_VERSION } from './version.js';

/** The name the management server is mounted under (docs/operations.md, "The management server"). */
export const MANAGEMENT_SERVER = 'switchyard';

/** What the management server reads and controls. */
export interface ManagementDeps {
  backends: Pick<SupervisedBackends, 'list' | 'summary' | 'supervisor' | 'transportOf'>;
  /** The running configuration, secrets redacted. */
  config: () => JsonObject;
  health: () => JsonObject;
  metricsText: () => Promise<string>;
  sessions: () => number;
  /** The last lines of a server's log, when per-server log files are on. */
  tail?: (server: string, lines: number, type?: 'stdout' | 'stderr') => Promise<string[]>;
}

function text(value: unknown): JsonObject {
  return {
    content: [
      { type: 'text', text: typeof value === 'string' ? value : JSON.stringify(value, null, 2) },
    ],
  };
}

const NAME_SCHEMA = {
  type: 'object',
  properties: {
    name: { type: 'string', description: 'The server name, as in the configuration.' },
  },
  required: ['name'],
};

function nameOf(args: JsonObject): string {
  if (typeof args.name !== 'string' || args.name.length === 0)
    throw new SwitchyardError('invalid_params', '"name" must be a server name');
  if (args.name === MANAGEMENT_SERVER)
    throw new SwitchyardError('invalid_params', 'the management server cannot control itself');
  return args.name;
}

/**
 * The built-in management server: server control and the proxy's own state as MCP tools
 * and resources, so an AI client (or any MCP client) can inspect and steer the proxy.
 */
export function managementServer(deps: ManagementDeps): VirtualServerDefinition {
  const { backends } = deps;
  const state = (name: string) => {
    const entry = backends.list().find((b) => b.name === name);
    return entry
      ? `${entry.state}${entry.state === 'running' ? '' : ` (${entry.reason})`}`
      : 'removed';
  };
  const control = (verb: 'start' | 'stop' | 'restart', description: string) => ({
    name: `server_${verb}`,
    description,
    inputSchema: NAME_SCHEMA,
    annotations: { destructiveHint: verb !== 'start', idempotentHint: true, openWorldHint: false },
    call: async (args: JsonObject) => {
      const name = nameOf(args);
      await backends.supervisor[verb](name);
      return text(`server "${name}" is now ${state(name)}`);
    },
  });
  return {
    name: MANAGEMENT_SERVER,
    version: PROXY_VERSION,
    instructions: 'Inspect and control the MCP servers behind this Switchyard proxy.',
    tools: [
      {
        name: 'server_list',
        description: 'Lists every backend server with its state, restarts and protocol revision.',
        inputSchema: { type: 'object', properties: {} },
        annotations: { readOnlyHint: true, openWorldHint: false },
        call: async () => text(backends.summary()),
      },
      control('start', 'Starts a stopped or failed backend server.'),
      control('stop', 'Stops a backend server until it is started again.'),
      control('restart', 'Restarts a backend server, forgetting its past failures.'),
      {
        name: 'server_logs',
        description: "Returns the last lines of a backend server's log (stdout noise and stderr).",
        inputSchema: {
          type: 'object',
          properties: {
            name: NAME_SCHEMA.properties.name,
            lines: { type: 'integer', minimum: 1, maximum: 1000, default: 50 },
            type: { type: 'string', enum: ['stdout', 'stderr'] },
          },
          required: ['name'],
        },
        annotations: { readOnlyHint: true, openWorldHint: false },
        call: async (args) => {
          const name = nameOf(args);
          if (!backends.list().some((b) => b.name === name))
            throw new SwitchyardError('invalid_params', `no server named "${name}"`);
          if (!deps.tail) {
            throw new SwitchyardError(
              'invalid_request',
              'per-server log files are not enabled in this proxy',
            );
          }
          const lines =
            typeof args.lines === 'number'
              ? Math.min(1000, Math.max(1, Math.floor(args.lines)))
              : 50;
          const type = args.type === 'stdout' || args.type === 'stderr' ? args.type : undefined;
          return text((await deps.tail(name, lines, type)).join('\n'));
        },
      },
    ],
    resources: [
      {
        uri: 'proxy://config',
        name: 'config',
        description: 'The running configuration, secrets redacted.',
        mimeType: 'application/json',
        read: async () => JSON.stringify(deps.config(), null, 2),
      },
      {
        uri: 'proxy://health',
        name: 'health',
        description: 'Every backend with its state, reason, restarts and revision.',
        mimeType: 'application/json',
        read: async () => JSON.stringify(deps.health(), null, 2),
      },
      {
        uri: 'proxy://metrics',
        name: 'metrics',
        description: 'The Prometheus metrics, as served on /metrics.',
        mimeType: 'text/plain',
        read: () => deps.metricsText(),
      },
      {
        uri: 'proxy://topology',
        name: 'topology',
        description: 'Clients, the proxy and its backends: transports, revisions and capabilities.',
        mimeType: 'application/json',
        read: async () =>
          JSON.stringify(
            {
              proxy: { version: PROXY_VERSION, sessions: deps.sessions() },
              backends: backends.list().map((b) => ({
                name: b.name,
                state: b.state,
                transport: backends.transportOf(b.name),
                revision: b.session?.revision ?? null,
                serverInfo: b.session?.serverInfo ?? null,
                capabilities: b.session?.serverCapabilities ?? null,
              })),
            },
            null,
            2,
          ),
      },
    ],
  };
}
