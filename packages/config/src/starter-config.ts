const STARTER = `# Switchyard configuration: one MCP endpoint in front of many MCP servers.
# Every key is described in docs/configuration.md. Any string may use environment variables:
# \${VAR}, \${VAR:-default} (when unset or empty), \${VAR:?message} (fail when unset or empty); $$ is a literal $.

proxy:
  # Loopback only. To accept other machines set 0.0.0.0, and then proxy.apiKeys (make one with
  # \`switchyard key\`; without keys the proxy refuses to listen beyond loopback) and
  # dashboard.apiKey (without it the admin API stays closed beyond loopback).
  host: 127.0.0.1
  port: 3000
  # How long a request may wait for a server's answer.
  requestTimeoutMs: 60000

naming:
  # Tools and prompts appear to clients as <server>__<name>.
  strategy: prefix
  separator: __

servers:
  # A local server: Switchyard spawns it and speaks MCP over its stdin/stdout.
  # Relative paths (cwd) are resolved against the directory of this file.
  everything:
    command: npx
    args: ["-y", "@modelcontextprotocol/server-everything"]
    # Variables set here reach this server only, next to a few of the proxy's own (PATH, HOME...).
    # env:
    #   API_KEY: \${EVERYTHING_API_KEY}

  # A remote server. transport: streamable-http | sse | websocket | auto (default: websocket for
  # ws:// and wss:// URLs, else auto, which tries Streamable HTTP, then HTTP+SSE).
  # docs:
  #   url: https://example.com/mcp
  #   headers:
  #     Authorization: Bearer \${DOCS_TOKEN}

# Sends every running server "ping": one failed probe marks it degraded (calls to it fail at once),
# failureThreshold failures in a row restart it.
healthCheck:
  enabled: true
  intervalMs: 30000
  timeoutMs: 5000
  failureThreshold: 3

# The dashboard at / and the admin API at /api, on proxy.port.
dashboard:
  enabled: true

# The proxy's own log, on stderr; each server's output goes to its own rotating log file.
logging:
  level: info
  format: pretty
`;

/**
 * A commented starter configuration in Switchyard's own dialect, written by `switchyard init`. It
 * validates as is (a test loads it) and uses only secure defaults.
 */
export function starterConfig(): string {
  return STARTER;
}
