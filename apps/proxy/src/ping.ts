import type { SwitchyardConfig } from '@switchyard/config';
import { silentLogger } from '@switchyard/logging';
import { type Clock, isJsonObject, systemClock } from '@switchyard/protocol';
import { withoutRestarts } from './options.js';
import { createProxy } from './proxy.js';

/** One backend's probe result, for `switchyard check --ping`. */
export interface PingRow {
  name: string;
  state: string;
  revision?: string | undefined;
  tools?: number | undefined;
  /** Whole milliseconds. */
  ms: number;
  detail?: string | undefined;
}

/**
 * Probes every backend over its real transport: start it, run the handshake, count its tools
 * (following its pagination), time the whole, then stop it.
 */
export async function pingBackends(
  config: SwitchyardConfig,
  clock: Clock = systemClock,
): Promise<PingRow[]> {
  // One attempt each: a probe reports the first failure instead of retrying it.
  const proxy = createProxy(withoutRestarts(config), { logger: silentLogger(), clock });
  const since = (start: number) => Math.round(clock.now() - start);
  const started = clock.now();
  await proxy.start({ listen: false });
  const startedIn = since(started);
  const rows = await Promise.all(
    proxy.backends.list().map(async (entry): Promise<PingRow> => {
      const session = entry.session;
      if (entry.state !== 'running' || !session) {
        return { name: entry.name, state: entry.state, ms: startedIn, detail: entry.reason };
      }
      const t0 = clock.now();
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
        ms: startedIn + since(t0),
      };
    }),
  );
  await proxy.stop();
  return rows;
}
