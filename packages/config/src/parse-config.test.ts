// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` is the substitution syntax under test
import { describe, expect, it } from 'vitest';
import { fixture, issuesOf } from './__fixtures__/helpers.js';
import { parseConfig } from './parse-config.js';
import { configSecrets } from './secrets.js';

const SEED_ENV = {
  ML_API_KEY: 'ml-key',
  PINECONE_API_KEY: 'pc-key',
  API_KEY: 'api-key',
  ADMIN_API_KEY: 'admin-key',
  PWD: '/work/project',
  WEB_UI_API_KEY: 'ui-key',
};

describe('parseConfig: the seed dialect (mcp-rust-proxy files load unchanged)', () => {
  it('loads the README quick start and keeps an explicit 0.0.0.0 host', () => {
    const config = parseConfig(fixture('seed-quick-start.yaml'), { file: 'mcp-proxy.yaml' });
    expect(config.dialect).toBe('seed');
    expect(config.proxy).toMatchObject({ host: '0.0.0.0', port: 3000 });
    expect(config.dashboard).toEqual({ enabled: true, port: 3001 });
    expect(config.servers).toEqual([
      expect.objectContaining({
        name: 'example-server',
        restartOnFailure: true,
        transport: {
          type: 'stdio',
          command: 'mcp-server-example',
          args: ['--port', '8080'],
          env: {},
        },
      }),
    ]);
  });

  it('loads the README production example: webSocket, httpSse, healthChecks, logging, ${VAR:-default} in a URL', () => {
    const config = parseConfig(fixture('seed-production.yaml'), {
      file: 'mcp-proxy.yaml',
      env: SEED_ENV,
    });
    expect(config.dialect).toBe('seed');
    const [gateway, ml, vector, api] = config.servers;
    expect(gateway).toMatchObject({
      name: 'api-gateway',
      maxRestarts: 5,
      restartDelayMs: 10000,
      transport: {
        type: 'websocket',
        url: 'ws://api-gateway:8080/mcp',
        headers: {},
        protocols: [],
      },
      healthCheck: { enabled: true, intervalMs: 10000, timeoutMs: 3000, failureThreshold: 2 },
    });
    expect(ml).toMatchObject({
      transport: {
        type: 'sse',
        url: 'http://ml-server:9000/sse',
        headers: { Authorization: 'Bearer ml-key' },
      },
      healthCheck: { intervalMs: 30000, timeoutMs: 10000, failureThreshold: 3 },
    });
    expect(vector?.transport).toEqual({
      type: 'stdio',
      command: 'mcp-vector-server',
      args: ['--collection', 'production'],
      env: { PINECONE_API_KEY: 'pc-key', PINECONE_ENV: 'production' },
    });
    expect(api?.transport).toEqual({ type: 'sse', url: 'http://localhost:8080/sse', headers: {} });
    expect(config.proxy).toMatchObject({
      host: '0.0.0.0',
      connectionPoolSize: 50,
      requestTimeoutMs: 30000,
    });
    expect(config.dashboard).toEqual({
      enabled: true,
      port: 3001,
      host: '0.0.0.0',
      apiKey: 'admin-key',
    });
    expect(config.logging).toMatchObject({ level: 'info', format: 'json' });
  });

  it('uses the URL from the environment when API_URL is set', () => {
    const config = parseConfig(fixture('seed-production.yaml'), {
      env: { ...SEED_ENV, API_URL: 'https://api.internal' },
    });
    expect(config.servers[3]?.transport).toMatchObject({ url: 'https://api.internal/sse' });
  });

  it('loads the README development example with `webUI` and with `webUi` alike', () => {
    for (const spelling of ['webUI', 'webUi']) {
      const text = fixture('seed-development.yaml').replace('webUI:', `${spelling}:`);
      const config = parseConfig(text, { env: SEED_ENV });
      expect(config.dialect).toBe('seed');
      expect(config.dashboard).toEqual({ enabled: true, port: 3001, apiKey: 'ui-key' });
      expect(config.proxy.host).toBe('127.0.0.1');
      expect(config.proxy.connectionPoolSize).toBe(10);
      expect(config.servers.map((server) => server.name)).toEqual([
        'code-intel',
        'db-tools',
        'project-server',
      ]);
      expect(config.servers[0]?.healthCheck).toMatchObject({
        intervalMs: 30000,
        timeoutMs: 5000,
        failureThreshold: 3,
      });
      expect(config.servers[2]?.transport).toMatchObject({
        env: { PROJECT_ROOT: '/work/project', DEBUG: 'true' },
      });
    }
  });

  it('loads a seed TOML file with `webUi`, a global healthCheck, contextTracing and plugins', () => {
    const config = parseConfig(fixture('mcp-proxy.toml'), { file: 'mcp-proxy.toml' });
    expect(config.dialect).toBe('seed');
    expect(config.proxy).toMatchObject({ port: 3100, connectionPoolSize: 20, host: '127.0.0.1' });
    expect(config.dashboard).toEqual({ enabled: true, port: 3101 });
    expect(config.healthCheck).toEqual({
      enabled: true,
      intervalMs: 45000,
      timeoutMs: 10000,
      failureThreshold: 4,
      method: 'ping',
    });
    const [filesystem, remote] = config.servers;
    expect(filesystem?.transport).toMatchObject({ type: 'stdio', cwd: '/srv' });
    expect(filesystem?.healthCheck).toMatchObject({
      intervalMs: 60000,
      timeoutMs: 10000,
      failureThreshold: 5,
    });
    expect(remote).toMatchObject({
      transport: { type: 'sse', url: 'https://mcp.example.com/sse', headers: {} },
      requestTimeoutMs: 15000,
    });
    expect(config.contextTracing).toMatchObject({
      enabled: true,
      sqlitePath: '~/.mcp-proxy/context-tracing.db',
      cacheSize: 5000,
      retentionDays: 30,
      idleGapMs: 120_000,
    });
    expect(config.plugins).toEqual({ pluginDir: './plugins', nodeExecutable: 'node' });
  });
});

describe('parseConfig: the mcpServers dialect', () => {
  it('loads a claude_desktop_config.json and ignores the keys Claude Desktop adds', () => {
    const config = parseConfig(fixture('claude_desktop_config.json'), {
      file: 'claude_desktop_config.json',
      env: { GITHUB_TOKEN: 'gh' },
    });
    expect(config.dialect).toBe('mcpServers');
    expect(config.servers.map((server) => [server.name, server.transport.type])).toEqual([
      ['filesystem', 'stdio'],
      ['github', 'stdio'],
      ['linear', 'streamable-http'],
      ['legacy', 'sse'],
      ['cursor-style', 'auto'],
    ]);
    expect(config.servers[1]?.transport).toMatchObject({
      env: { GITHUB_PERSONAL_ACCESS_TOKEN: 'gh' },
    });
    expect(config.servers[2]?.transport).toMatchObject({
      headers: { Authorization: 'Bearer none' },
    });
  });

  it('reads `disabled: true` as a disabled server', () => {
    const config = parseConfig('{"mcpServers": {"a": {"command": "a", "disabled": true}}}', {
      format: 'json',
    });
    expect(config.servers[0]?.enabled).toBe(false);
  });
});

describe('parseConfig: Switchyard dialect', () => {
  it('loads a YAML file with every section', () => {
    const config = parseConfig(fixture('switchyard.yaml'), {
      file: 'switchyard.yaml',
      env: { TOKEN: 't0k' },
      stateDir: '/state',
    });
    expect(config).toMatchObject({
      dialect: 'switchyard',
      file: 'switchyard.yaml',
      proxy: { host: '127.0.0.1', port: 4000, maxMessageBytes: 1048576, requestTimeoutMs: 60000 },
      naming: { strategy: 'prefix', separator: '.', globalPrefix: 'mcp__proxy__' },
      logging: { level: 'debug', format: 'pretty', dir: './logs' },
      dashboard: { enabled: true, port: 4001, apiKey: 'dev-key' },
      healthCheck: {
        enabled: true,
        intervalMs: 10000,
        timeoutMs: 5000,
        failureThreshold: 3,
        method: 'ping',
      },
      contextTracing: {
        enabled: true,
        sqlitePath: expect.stringMatching(
          /^\/state\/switchyard\/tracing\/switchyard-[0-9a-f]{8}\.db$/,
        ),
      },
    });
    const [everything, remote, socket] = config.servers;
    expect(everything).toEqual({
      name: 'everything',
      enabled: true,
      transport: {
        type: 'stdio',
        command: 'npx',
        args: ['-y', '@modelcontextprotocol/server-everything'],
        env: { LOG_LEVEL: 'info' },
        cwd: './work',
      },
      restartOnFailure: true,
      maxRestarts: 3,
      restartDelayMs: 5000,
      requestTimeoutMs: 120000,
      healthCheck: {
        enabled: true,
        intervalMs: 10000,
        timeoutMs: 5000,
        failureThreshold: 5,
        method: 'ping',
      },
      prefix: 'everything',
      priority: 0,
      lazy: false,
      sessions: 'shared',
      era: 'auto',
      eraRecheckMs: 3_600_000,
      pinning: 'warn',
    });
    expect(remote).toMatchObject({
      transport: { type: 'streamable-http', headers: { Authorization: 'Bearer t0k' } },
      era: 'modern',
      eraRecheckMs: 60_000,
      prefix: 'rem',
      priority: 10,
    });
    expect(socket).toMatchObject({
      enabled: false,
      transport: { type: 'websocket', url: 'wss://mcp.example.com/ws', protocols: ['mcp'] },
    });
  });

  it('loads a JSON file', () => {
    const config = parseConfig(fixture('switchyard.json'), { file: 'switchyard.json' });
    expect(config.dialect).toBe('switchyard');
    expect(config.servers.map((server) => server.transport.type)).toEqual(['stdio', 'sse']);
  });

  it('loads a TOML file', () => {
    const config = parseConfig(fixture('switchyard.toml'), { file: 'switchyard.toml' });
    expect(config.naming.strategy).toBe('none');
    expect(
      config.servers.map((server) => [server.name, server.transport.type, server.priority]),
    ).toEqual([
      ['everything', 'stdio', 2],
      ['remote', 'auto', 0],
    ]);
  });

  it('applies the secure defaults to an empty server list', () => {
    const config = parseConfig('servers: {}', {
      env: { XDG_STATE_HOME: '/xdg', HOME: '/home/me' },
    });
    expect(config).toEqual({
      dialect: 'switchyard',
      proxy: {
        host: '127.0.0.1',
        port: 3000,
        maxMessageBytes: 4 * 1024 * 1024,
        requestTimeoutMs: 60000,
        maxConcurrentRequests: 100,
        maxQueuedRequests: 1000,
        queueTimeoutMs: 30000,
        headersTimeoutMs: 10000,
        requestBodyTimeoutMs: 30000,
        maxConnections: 10000,
        connectionPoolSize: 100,
        maxRequestTimeoutMs: 600000,
        apiKeys: [],
        allowedOrigins: [],
        allowUnauthenticated: false,
        streamResponses: false,
        rateLimit: {},
      },
      naming: { strategy: 'prefix', separator: '__', globalPrefix: '', maxLength: 128 },
      logging: {
        level: 'info',
        format: 'json',
        dir: '/xdg/switchyard/logs/inline',
        maxSizeBytes: 10 * 1024 * 1024,
        maxAgeDays: 2,
      },
      metrics: { names: 'switchyard' },
      dashboard: { enabled: true },
      management: { enabled: true },
      healthCheck: {
        enabled: true,
        intervalMs: 30000,
        timeoutMs: 5000,
        failureThreshold: 3,
        method: 'ping',
      },
      contextTracing: {
        enabled: true,
        sqlitePath: '/xdg/switchyard/tracing/inline.db',
        retentionDays: 90,
        maxSizeMb: 1024,
        cacheSize: 10000,
        idleGapMs: 120_000,
        weights: { retrieval: 0.4, recency: 0.3, type: 0.2, length: 0.1 },
      },
      openTelemetry: {
        enabled: false,
        endpoint: 'http://127.0.0.1:4318/v1/traces',
        headers: {},
        serviceName: 'switchyard',
      },
      stateFile: '/xdg/switchyard/server-state.json',
      pinning: 'warn',
      audit: {
        enabled: true,
        path: '/xdg/switchyard/audit.jsonl',
        arguments: 'shape',
        maxSizeBytes: 10 * 1024 * 1024,
        maxFiles: 5,
      },
      servers: [],
    });
  });

  it('falls back to ~/.local/state without XDG_STATE_HOME, and to no path without a home', () => {
    expect(parseConfig('{}', { env: { HOME: '/home/me' } }).contextTracing.sqlitePath).toBe(
      '/home/me/.local/state/switchyard/tracing/inline.db',
    );
    expect(parseConfig('{}').contextTracing.sqlitePath).toBeUndefined();
  });

  it('infers websocket for a ws:// URL without transport', () => {
    const config = parseConfig('servers: {s: {url: "ws://localhost:9000"}}');
    expect(config.servers[0]?.transport).toEqual({
      type: 'websocket',
      url: 'ws://localhost:9000',
      headers: {},
      protocols: [],
    });
  });

  it('keeps servers in file order', () => {
    const config = parseConfig(
      'servers:\n  zeta: {command: z}\n  alpha: {command: a}\n  mid: {command: m}\n',
    );
    expect(config.servers.map((server) => server.name)).toEqual(['zeta', 'alpha', 'mid']);
  });
});

describe('parseConfig: every mistake is reported with file, line and column', () => {
  it('reports a YAML syntax error', () => {
    expect(
      issuesOf(() => parseConfig('servers:\n  a: [1, 2\n  b: 3\n', { file: 'switchyard.yaml' })),
    ).toEqual([expect.objectContaining({ file: 'switchyard.yaml', line: 3, column: 3, path: '' })]);
  });

  it('reports a JSON syntax error', () => {
    const [issue, ...rest] = issuesOf(() =>
      parseConfig('{\n  "servers": {\n    "a": {"command": "x",}\n  }\n}', {
        file: 'switchyard.json',
      }),
    );
    expect(rest).toEqual([]);
    expect(issue).toEqual({
      file: 'switchyard.json',
      line: 3,
      column: 25,
      path: '',
      message: 'JSON syntax error: trailing comma (not allowed in JSON)',
    });
  });

  it('reports a TOML syntax error', () => {
    const [issue] = issuesOf(() =>
      parseConfig('[proxy]\nport = = 3000\n', { file: 'switchyard.toml' }),
    );
    expect(issue).toMatchObject({ file: 'switchyard.toml', line: 2, column: 8 });
    expect(issue?.message).toMatch(/^TOML syntax error: /);
  });

  it('reports a wrong type with what was expected and received', () => {
    const issues = issuesOf(() =>
      parseConfig('servers:\n  everything:\n    command: npx\n    args: [-y, 8080]\n', {
        file: 'switchyard.yaml',
      }),
    );
    expect(issues).toEqual([
      {
        file: 'switchyard.yaml',
        line: 4,
        column: 16,
        path: 'servers.everything.args[1]',
        message: 'expected string, received number',
        expected: 'string',
        received: 'number',
      },
    ]);
  });

  it('reports an unknown key with a did-you-mean suggestion', () => {
    const issues = issuesOf(() =>
      parseConfig('servers:\n  a:\n    comand: npx\n', { file: 'switchyard.yaml' }),
    );
    expect(issues).toContainEqual({
      file: 'switchyard.yaml',
      line: 3,
      column: 5,
      path: 'servers.a.comand',
      message: 'unknown key `comand`; did you mean `command`?',
    });
  });

  it('reports an unknown key in the seed dialect too', () => {
    const issues = issuesOf(() =>
      parseConfig('webUI:\n  enabled: true\n  prot: 3001\n', { file: 'mcp-proxy.yaml' }),
    );
    expect(issues).toEqual([
      expect.objectContaining({
        line: 3,
        column: 3,
        path: 'webUI.prot',
        message: 'unknown key `prot`; did you mean `port`?',
      }),
    ]);
  });

  it('reports a server with neither command nor url, at the server name', () => {
    const issues = issuesOf(() =>
      parseConfig('servers:\n  empty:\n    enabled: true\n', { file: 'switchyard.yaml' }),
    );
    expect(issues).toEqual([
      expect.objectContaining({
        line: 2,
        column: 3,
        path: 'servers.empty',
        message: 'needs either `command` (a local server over stdio) or `url` (a remote server)',
      }),
    ]);
  });

  it('reports a seed stdio server without command', () => {
    const issues = issuesOf(() =>
      parseConfig('webUi: {}\nservers:\n  s:\n    args: []\n', { file: 'mcp-proxy.yaml' }),
    );
    expect(issues).toEqual([
      expect.objectContaining({
        line: 3,
        column: 3,
        message: 'needs `command` for the stdio transport',
      }),
    ]);
  });

  it('reports a URL whose scheme does not fit the transport', () => {
    const issues = issuesOf(() =>
      parseConfig('servers:\n  s:\n    url: http://host/ws\n    transport: websocket\n', {
        file: 'switchyard.yaml',
      }),
    );
    expect(issues).toEqual([
      expect.objectContaining({
        line: 3,
        column: 10,
        path: 'servers.s.url',
        message:
          'expected ws:// or wss:// URL for transport `websocket`, received "http://host/ws"',
        expected: 'ws:// or wss:// URL',
      }),
    ]);
  });

  it('reports a bad seed httpSse URL', () => {
    const issues = issuesOf(() =>
      parseConfig('servers:\n  s:\n    transport: {type: httpSse, url: "ws://x"}\n', {
        file: 'mcp-proxy.yaml',
      }),
    );
    expect(issues).toEqual([
      expect.objectContaining({
        line: 3,
        column: 37,
        path: 'servers.s.transport.url',
        message: 'expected http:// or https:// URL, received "ws://x"',
      }),
    ]);
  });

  it('reports a list written where a map belongs (docker-compose style env)', () => {
    const issues = issuesOf(() =>
      parseConfig('servers:\n  a:\n    command: x\n    env:\n      - A=1\n', {
        file: 'switchyard.yaml',
      }),
    );
    expect(issues).toEqual([
      expect.objectContaining({
        line: 4,
        column: 5,
        path: 'servers.a.env',
        message: 'expected map of strings, received array',
      }),
    ]);
  });

  it('reports a missing required key of a seed transport', () => {
    const issues = issuesOf(() =>
      parseConfig('servers:\n  s:\n    command: x\n    transport: {type: httpSse}\n', {
        file: 'mcp-proxy.yaml',
      }),
    );
    expect(issues).toEqual([
      expect.objectContaining({
        line: 4,
        column: 5,
        path: 'servers.s.transport.url',
        message: 'missing required key `url`',
      }),
    ]);
  });

  it('reports an empty file at its start', () => {
    expect(issuesOf(() => parseConfig('', { file: 'switchyard.yaml' }))).toEqual([
      {
        file: 'switchyard.yaml',
        line: 1,
        column: 1,
        path: '',
        message: 'expected object, received null',
        expected: 'object',
        received: 'null',
      },
    ]);
  });

  it('reports a port out of range', () => {
    const issues = issuesOf(() =>
      parseConfig('proxy:\n  port: 70000\n', { file: 'switchyard.yaml' }),
    );
    expect(issues).toEqual([
      expect.objectContaining({
        line: 2,
        column: 9,
        path: 'proxy.port',
        message: 'expected integer from 0 to 65535, received 70000',
      }),
    ]);
  });

  it('reports a dashboard port equal to the proxy port', () => {
    const issues = issuesOf(() => parseConfig('proxy: {port: 4000}\ndashboard: {port: 4000}\n'));
    expect(issues).toEqual([
      expect.objectContaining({ path: 'dashboard.port', line: 2, column: 19 }),
    ]);
  });

  it('reports server names and separators outside the MCP name characters', () => {
    const issues = issuesOf(() =>
      parseConfig('naming: {separator: "::"}\nservers:\n  "my server": {command: x}\n'),
    );
    expect(issues.map((issue) => [issue.path, issue.line, issue.column])).toEqual([
      ['naming.separator', 1, 21],
      ['servers["my server"]', 3, 3],
    ]);
  });

  it('reports an unset variable without default, naming it and where it is used', () => {
    const issues = issuesOf(() =>
      parseConfig('servers:\n  gh:\n    command: x\n    env:\n      TOKEN: ${GITHUB_TOKEN}\n', {
        file: 'switchyard.yaml',
      }),
    );
    expect(issues).toEqual([
      {
        file: 'switchyard.yaml',
        line: 5,
        column: 14,
        path: 'servers.gh.env.TOKEN',
        message:
          'environment variable GITHUB_TOKEN is not set (write `${GITHUB_TOKEN:-default}` to give a default)',
      },
    ]);
  });

  it('reports ${VAR:?message} with its message', () => {
    const issues = issuesOf(() =>
      parseConfig('{"servers": {"a": {"url": "${API:?set API to the backend URL}"}}}', {
        file: 'switchyard.json',
      }),
    );
    expect(issues).toEqual([
      expect.objectContaining({
        line: 1,
        column: 27,
        path: 'servers.a.url',
        message: 'environment variable API is required: set API to the backend URL',
      }),
    ]);
  });

  it('locates issues in TOML by key line within its table', () => {
    const text = '[proxy]\nport = 3000\n\n[servers.a]\ncommand = "x"\nargs = ["a", 1]\n';
    expect(issuesOf(() => parseConfig(text, { file: 'switchyard.toml' }))).toEqual([
      expect.objectContaining({ line: 6, column: 1, path: 'servers.a.args[1]' }),
    ]);
  });

  it('reports every issue at once, in source order', () => {
    const text = [
      'proxy:',
      '  port: "3000"',
      '  hots: localhost',
      'servers:',
      '  a:',
      '    command: npx',
      '    args: [1]',
      '    env: {KEY: "${MISSING}"}',
      '  b:',
      '    url: ftp://example.com',
      'logging:',
      '  level: verbose',
    ].join('\n');
    const issues = issuesOf(() => parseConfig(text, { file: 'switchyard.yaml' }));
    expect(issues.map((issue) => `${issue.line}:${issue.column} ${issue.path}`)).toEqual([
      '2:9 proxy.port',
      '3:3 proxy.hots',
      '7:12 servers.a.args[0]',
      '8:16 servers.a.env.KEY',
      '10:10 servers.b.url',
      '12:10 logging.level',
    ]);
  });
});

describe('parseConfig: tracing and telemetry', () => {
  it('reports factor weights that do not sum to 1, at their line', () => {
    const issues = issuesOf(() =>
      parseConfig('contextTracing:\n  weights:\n    retrieval: 0.5\n    recency: 0.5\n'),
    );
    expect(issues).toEqual([
      expect.objectContaining({
        path: 'contextTracing.weights',
        line: 2,
        column: 3,
        message: expect.stringContaining('must sum to 1'),
      }),
    ]);
  });

  it('takes weights that sum to 1 with the defaults of those left out, and keeps exporter headers secret', () => {
    const config = parseConfig(
      'contextTracing:\n  weights: {retrieval: 0.5, recency: 0.2}\nopenTelemetry:\n  enabled: true\n  headers: {x-honeycomb-team: abc123secret}\n',
    );
    expect(config.contextTracing.weights).toEqual({
      retrieval: 0.5,
      recency: 0.2,
      type: 0.2,
      length: 0.1,
    });
    expect(config.openTelemetry.enabled).toBe(true);
    expect(configSecrets(config)).toContain('abc123secret');
  });
});
