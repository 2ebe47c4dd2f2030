import type { Logger, ServerLogs } from '@switchyard/logging';
import type { Metrics } from '@switchyard/metrics';
import { type MessageTransport, SwitchyardError } from '@switchyard/protocol';
import {
  createRemoteBackendTransport,
  type HttpPool,
  StdioBackendTransport,
} from '@switchyard/transports';
import type { BackendOptions, ConnectionSettings } from './options.js';
import { type Redaction, redactingTransport } from './redaction.js';

/** What reaching any backend needs besides its own settings. */
export interface ReachContext {
  connections: ConnectionSettings;
  logger: Logger;
  metrics: Pick<Metrics, 'nonProtocolLine'>;
  /** Per-server log files: a stdio backend's stderr and stray stdout lines go there. */
  logs: Pick<ServerLogs, 'write'> | undefined;
  /** The proxy's keep-alive pool for HTTP backends (docs/transports.md). */
  pool: Pick<HttpPool, 'fetch' | 'request'> | undefined;
  /** The secrets in force: a backend's errors and log messages are redacted on the way in. */
  secrets: Redaction;
}

/** Runs over a started transport; `details` describes the connection for the log. */
export type Handshake<T> = (
  transport: MessageTransport,
  details: () => Record<string, unknown>,
) => Promise<T>;

/**
 * Reaches one backend over its transport (docs/transports.md, "Backend side") and runs
 * `handshake` over it: stdio spawns it; `auto` tries Streamable HTTP, then HTTP+SSE. What the
 * backend sends is redacted of secrets on the way (docs/operations.md, "Secrets").
 */
export function reachBackend<T>(
  backend: Pick<BackendOptions, 'name' | 'target'>,
  context: ReachContext,
  handshake: Handshake<T>,
): Promise<T> {
  const log = context.logger.child({ server: backend.name });
  // A transport's errors (a frame over the size limit, a malformed message, a broken pipe) are
  // not fatal, so the session does not act on them; they are logged here
  // (docs/operations.md, "Limits").
  const onError = (error: Error) => log.warn('backend transport error', { error: error.message });
  return reach(backend, context, (transport, details) =>
    handshake(redactingTransport(transport, context.secrets, onError), details),
  );
}

async function reach<T>(
  backend: Pick<BackendOptions, 'name' | 'target'>,
  context: ReachContext,
  handshake: Handshake<T>,
): Promise<T> {
  const log = context.logger.child({ server: backend.name });
  const { connections } = context;
  const target = backend.target;
  if (target.type === 'stdio') {
    const transport = new StdioBackendTransport({
      command: target.command,
      args: target.args,
      env: target.env,
      baseEnv: connections.baseEnv,
      ...(target.cwd === undefined ? {} : { cwd: target.cwd }),
      maxMessageBytes: connections.maxMessageBytes,
      clock: connections.clock,
      onOutput: (stream, line) => {
        context.logs?.write(backend.name, stream, line);
        if (stream === 'stderr') log.debug('backend stderr', { line });
        else {
          context.metrics.nonProtocolLine(backend.name);
          log.warn('backend wrote a non-protocol line on stdout', { line });
        }
      },
    });
    return handshake(transport, () => ({ pid: transport.pid }));
  }
  const remote = (type: 'streamable-http' | 'sse' | 'websocket') =>
    createRemoteBackendTransport({
      type,
      url: target.url,
      headers: target.headers,
      ...(target.type === 'websocket' ? { protocols: target.protocols } : {}),
      maxMessageBytes: connections.maxMessageBytes,
      clock: connections.clock,
      ...(context.pool ? { fetch: context.pool.fetch, request: context.pool.request } : {}),
    });
  if (target.type !== 'auto') return handshake(remote(target.type), () => ({ url: target.url }));
  try {
    return await handshake(remote('streamable-http'), () => ({
      url: target.url,
      transport: 'streamable-http',
    }));
  } catch (first) {
    log.info('Streamable HTTP did not answer; trying HTTP+SSE', { error: String(first) });
    try {
      return await handshake(remote('sse'), () => ({ url: target.url, transport: 'sse' }));
    } catch (second) {
      throw new SwitchyardError(
        'backend_unavailable',
        `neither Streamable HTTP (${messageOf(first)}) nor HTTP+SSE (${messageOf(second)}) answered at ${target.url}`,
        undefined,
        { cause: second },
      );
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
