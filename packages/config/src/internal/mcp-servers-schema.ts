import * as v from 'valibot';
import {
  boolean,
  lenientObject,
  map,
  nameString,
  nonEmptyString,
  type ObjectCheck,
  oneOf,
  string,
  stringList,
  stringMap,
} from './schema-parts.js';
import { isHttpUrl } from './url-checks.js';

/*
 * The `mcpServers` JSON of Claude Desktop, Claude Code and Cursor. These files belong to other
 * tools, which add keys of their own (`globalShortcut`, `preferences`, per-server extensions), so
 * unknown keys are ignored here, unlike in the other two dialects.
 */

const checkEntry: ObjectCheck = (server, report) => {
  const { command, url, type } = server;
  if (command === undefined && url === undefined) {
    report({ message: 'needs either `command` (a local server) or `url` (a remote server)' });
  } else if (command !== undefined && url !== undefined) {
    report({ message: '`command` and `url` exclude each other', keys: ['url'] });
  } else if (command !== undefined && type !== undefined && type !== 'stdio') {
    report({ message: `type \`${String(type)}\` needs \`url\`, not \`command\``, keys: ['type'] });
  } else if (url !== undefined && type === 'stdio') {
    report({ message: 'type `stdio` needs `command`, not `url`', keys: ['type'] });
  } else if (typeof url === 'string' && !isHttpUrl(url)) {
    const received = JSON.stringify(url);
    report({
      message: `expected http:// or https:// URL, received ${received}`,
      keys: ['url'],
      expected: 'http:// or https:// URL',
      received,
    });
  }
};

const mcpServerEntrySchema = lenientObject(
  {
    command: v.optional(nonEmptyString()),
    args: v.optional(stringList()),
    env: v.optional(stringMap()),
    cwd: v.optional(string()),
    url: v.optional(string()),
    type: v.optional(oneOf(['stdio', 'http', 'streamable-http', 'sse'])),
    headers: v.optional(stringMap()),
    disabled: v.optional(boolean()),
  },
  checkEntry,
);

/** A `claude_desktop_config.json`, `.mcp.json` or Cursor `mcp.json`. */
export const mcpServersSchema = lenientObject({
  mcpServers: map(
    nameString('server name'),
    mcpServerEntrySchema,
    'map of server names to servers',
  ),
});

/** A validated file in the `mcpServers` dialect. */
export type McpServersInput = v.InferOutput<typeof mcpServersSchema>;
