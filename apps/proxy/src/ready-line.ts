import type { SwitchyardConfig } from '@switchyard/config';
import {
  isJsonObject,
  isResponse,
  type JsonObject,
  type JsonRpcId,
  LATEST_LEGACY_REVISION,
} from '@switchyard/protocol';
import type { Router } from '@switchyard/router';

/** What the CLI says once the proxy is up: how much is running and where to reach it. */
export interface ReadySummary {
  /** Configured servers in state `running` (built-in servers are not counted). */
  running: number;
  /** Configured servers (built-in servers are not counted). */
  servers: number;
  /** Tools a client of the aggregate endpoint sees, those of built-in servers included. */
  tools: number;
  mcpUrl: string;
  /** Undefined when the dashboard is off (`dashboard.enabled: false`). */
  dashboardUrl: string | undefined;
}

/** The one line `switchyard` prints on stdout when it is ready. */
export function readyLine(summary: ReadySummary): string {
  const dashboard = summary.dashboardUrl === undefined ? '' : `; dashboard ${summary.dashboardUrl}`;
  return `switchyard ready: ${summary.running} of ${summary.servers} servers running, ${summary.tools} tools; MCP ${summary.mcpUrl}${dashboard}`;
}

/**
 * Where the dashboard is served: on `dashboard.port` (and `dashboard.host`, else the proxy's
 * host) when the config sets one, else by the proxy itself at `/` (docs/configuration.md).
 */
export function dashboardUrlOf(
  config: SwitchyardConfig,
  listen: { host: string; port: number },
): string | undefined {
  const dashboard = config.dashboard;
  if (!dashboard.enabled) return undefined;
  if (dashboard.port === undefined) return `${httpOrigin(listen.host, listen.port)}/`;
  return `${httpOrigin(dashboard.host ?? listen.host, dashboard.port)}/`;
}

export function httpOrigin(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** The configured servers that run now, next to how many are configured. */
export function runningServers(
  backends: ReadonlyArray<{ name: string; state: string }>,
  config: Pick<SwitchyardConfig, 'servers'>,
): { running: number; servers: number } {
  const names = new Set(config.servers.map((server) => server.name));
  const configured = backends.filter((b) => names.has(b.name));
  return {
    running: configured.filter((b) => b.state === 'running').length,
    servers: configured.length,
  };
}

/**
 * Counts the tools a client sees, by asking the router as a client would (`initialize`, then
 * `tools/list` page by page): names are namespaced, filtered and held back by tool pinning
 * exactly as for a real client, which a sum over the backends would not be.
 */
export async function countTools(router: Pick<Router, 'openSession'>): Promise<number> {
  const waiting = new Map<JsonRpcId, (result: JsonObject | undefined) => void>();
  const session = router.openSession(
    (message) => {
      if (!isResponse(message) || message.id === null) return;
      waiting.get(message.id)?.('result' in message ? message.result : undefined);
    },
    { transport: 'internal' },
  );
  let lastId = 0;
  const ask = (method: string, params?: JsonObject) =>
    new Promise<JsonObject | undefined>((resolve) => {
      const id = ++lastId;
      waiting.set(id, resolve);
      session.handle({ jsonrpc: '2.0', id, method, ...(params ? { params } : {}) });
    });
  try {
    await ask('initialize', {
      protocolVersion: LATEST_LEGACY_REVISION,
      capabilities: {},
      clientInfo: { name: 'switchyard-cli', version: '1' },
    });
    session.handle({ jsonrpc: '2.0', method: 'notifications/initialized' });
    let tools = 0;
    let cursor: string | undefined;
    do {
      const page = await ask('tools/list', cursor === undefined ? undefined : { cursor });
      const list = page?.tools;
      tools += Array.isArray(list) ? list.filter(isJsonObject).length : 0;
      cursor = typeof page?.nextCursor === 'string' ? page.nextCursor : undefined;
    } while (cursor !== undefined);
    return tools;
  } finally {
    await session.close();
  }
}
