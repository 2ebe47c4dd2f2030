import type { McpServersInput } from './mcp-servers-schema.js';
import type { SwitchyardInput, SwitchyardServerInput } from './switchyard-schema.js';

const REMOTE_TYPES = {
  http: 'streamable-http',
  'streamable-http': 'streamable-http',
  sse: 'sse',
} as const;

/**
 * Maps an `mcpServers` file onto Switchyard's own dialect. A URL without `type` is probed (`auto`),
 * as Cursor does; `disabled: true` (written by some clients) disables the server.
 */
export function fromMcpServers(file: McpServersInput): SwitchyardInput {
  const servers: Record<string, SwitchyardServerInput> = {};
  for (const [name, entry] of Object.entries(file.mcpServers)) {
    const enabled = entry.disabled === undefined ? undefined : !entry.disabled;
    servers[name] =
      entry.url === undefined
        ? { command: entry.command, args: entry.args, env: entry.env, cwd: entry.cwd, enabled }
        : {
            url: entry.url,
            transport:
              entry.type === undefined || entry.type === 'stdio'
                ? undefined
                : REMOTE_TYPES[entry.type],
            headers: entry.headers,
            enabled,
          };
  }
  return { servers };
}
