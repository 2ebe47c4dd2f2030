const STARTER = `# Switchyard configuration: one MCP endpoint in front of many MCP servers.
# Every key is described in docs/configuration.md. Any string may use environment variables:
# \${VAR}, \${VAR:-default} (when unset or empty), \${VAR:?message} (fail when unset); $$ is a literal $.

proxy:
  # Loopback only. Set 0.0.0.0 to accept other machines, and then set dashboard.apiKey.
  host: 127.0.0.1
  port: 3000
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
    env:
      LOG_LEVEL: info

  # A remote server. transport: streamable-http | sse | websocket | auto (default: auto probes
  # Streamable HTTP, then HTTP+SSE).
  # docs:
  #   url: https://example.com/mcp
  #   headers:
  #     Authorization: Bearer \${DOCS_TOKEN}

# Probes every server with "ping"; an unhealthy server is restarted or reconnected.
healthCheck:
  enabled: true
  intervalMs: 30000
  timeoutMs: 5000
  failureThreshold: 3

# The dashboard and admin API, served on proxy.port at /.
dashboard:
  enabled: true

logging:
  level: info
  format: pretty

# Records what each server returned to clients (database under ~/.local/state/switchyard/).
contextTracing:
  enabled: true
  retentionDays: 90
`;

/**
 * A commented starter configuration in Switchyard's own dialect, written by `switchyard init`. It
 * validates as is (a test loads it) and uses only secure defaults.
 */
export function starterConfig(): string {
  return STARTER;
}
