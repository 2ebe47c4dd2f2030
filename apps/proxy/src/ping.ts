import type { SwitchyardConfig } from '@switchyard/config';
import { silentLogger } from '@switchyard/logging';
import { isJsonObject } from '@switchyard/protocol';
import { createProxy } from './proxy.js';

/** One backend's probe result, for `switchyard check --ping`. */
export interface PingRow {
  name: string;
  state: string;
  revision?: string | undefined;
  tools?: number | undefined;
  ms: number;
  detail?: string | undefined;
}

/**
 * Probes every backend over its real transport: start it, run the handshake, count its tools
 * (following its pagination), time the whole, then stop it.
 */
export async function pingBackends(config: SwitchyardConfig): Promise<PingRow[]> {
  // One attempt each: a probe reports the first failure instead of retrying it.
  const once = {
    ...config,
    servers: config.servers.map((s) => ({ ...s, restartOnFailure: false })),
  };
  const proxy = createProxy(once, { logger: silentLogger() });
  const started = Date.now();
  await proxy.start({ listen: false });
  const startedIn = Date.now() - started;
  const rows = await Promise.all(
    proxy.backends.list().map(async (entry): Promise<PingRow> => {
      const session = entry.session;
      if (entry.state !== 'running' || !session) {
        return { name: entry.name, state: entry.state, ms: startedIn, detail: entry.reason };
      }
      const t0 = Date.now();
      let tools = 0;
      let cursor: string | undefined;
      do {
        const outcome = await session.request(
          'tools/list',
          cursor === undefined ? undefined : { cursor },
          { timeoutMs: 10_000 },
        ).outcome;
        if (outcome.kind !== 'result') {
          return {
            name: entry.name,
            state: 'failed',
            revision: session.revision,
            ms: startedIn,
            detail: outcome.kind === 'error' ? outcome.error.message : 'cancelled',
          };
        }
        const list = outcome.result.tools;
        tools += Array.isArray(list) ? list.filter(isJsonObject).length : 0;
        cursor =
          typeof outcome.result.nextCursor === 'string' ? outcome.result.nextCursor : undefined;
      } while (cursor !== undefined);
      return {
        name: entry.name,
        state: 'running',
        revision: session.revision,
        tools,
        ms: startedIn + Date.now() - t0,
      };
    }),
  );
  await proxy.stop();
  return rows;
}
