import type { Dialect } from '../model.js';
import { isRecord } from './is-record.js';

const SEED_ONLY_KEYS = ['webUI', 'webUi', 'healthChecks', 'plugins'];

/**
 * Tells the three dialects (docs/configuration.md, "Dialects") apart by keys only one of them uses:
 * `mcpServers` is the Claude Desktop / Claude Code / Cursor shape; the seed's sections or an object
 * `transport` with a `type` mark an mcp-rust-proxy file; anything else is Switchyard's own.
 */
export function detectDialect(data: unknown): Dialect {
  if (!isRecord(data)) return 'switchyard';
  if ('mcpServers' in data) return 'mcpServers';
  if (SEED_ONLY_KEYS.some((key) => key in data)) return 'seed';
  const servers = data.servers;
  if (isRecord(servers)) {
    for (const server of Object.values(servers)) {
      if (isRecord(server) && isRecord(server.transport) && 'type' in server.transport)
        return 'seed';
    }
  }
  return 'switchyard';
}
