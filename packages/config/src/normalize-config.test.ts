// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` is the substitution syntax under test
import { describe, expect, it } from 'vitest';
import { issuesOf } from './__fixtures__/helpers.js';
import { normalizeConfig } from './normalize-config.js';

describe('normalizeConfig (a config object, e.g. given to createProxy)', () => {
  it('validates and fills in defaults the same way as a file', () => {
    const config = normalizeConfig(
      {
        servers: { echo: { command: 'node', args: ['echo.js'], cwd: '/srv' } },
        proxy: { port: 0 },
      },
      { stateDir: '/state' },
    );
    expect(config.proxy).toMatchObject({ host: '127.0.0.1', port: 0 });
    expect(config.servers[0]?.transport).toEqual({
      type: 'stdio',
      command: 'node',
      args: ['echo.js'],
      env: {},
      cwd: '/srv',
    });
    expect(config.contextTracing.sqlitePath).toBe('/state/switchyard/tracing/inline.db');
    expect(config.logging.dir).toBe('/state/switchyard/logs/inline');
  });

  it('accepts every dialect', () => {
    expect(normalizeConfig({ mcpServers: { a: { command: 'a' } } }).dialect).toBe('mcpServers');
    expect(normalizeConfig({ webUi: {}, servers: { a: { command: 'a', args: [] } } }).dialect).toBe(
      'seed',
    );
  });

  it('treats undefined properties as absent', () => {
    const config = normalizeConfig({
      servers: { a: { command: 'a', cwd: undefined } },
      logging: undefined,
    });
    expect(config.servers[0]?.transport).toEqual({
      type: 'stdio',
      command: 'a',
      args: [],
      env: {},
    });
  });

  it('substitutes the given environment', () => {
    const config = normalizeConfig(
      { servers: { a: { url: '${BASE}/mcp' } } },
      { env: { BASE: 'https://x' } },
    );
    expect(config.servers[0]?.transport).toMatchObject({ type: 'auto', url: 'https://x/mcp' });
  });

  it('reports issues with paths but without positions', () => {
    expect(issuesOf(() => normalizeConfig({ servers: { a: { command: 1 } } }))).toEqual([
      {
        path: 'servers.a.command',
        message: 'expected non-empty string, received number',
        expected: 'non-empty string',
        received: 'number',
      },
    ]);
  });

  it('rejects a value that is not an object', () => {
    expect(issuesOf(() => normalizeConfig('servers'))).toEqual([
      expect.objectContaining({ path: '', message: 'expected object, received string' }),
    ]);
  });
});

describe('cross-field rules of a server', () => {
  const issues = (server: Record<string, unknown>) =>
    issuesOf(() => normalizeConfig({ servers: { s: server } })).map(
      (issue) => `${issue.path}: ${issue.message}`,
    );

  it('wants command or url, not both', () => {
    expect(issues({ command: 'a', url: 'http://x' })).toEqual([
      'servers.s.url: `command` and `url` exclude each other: a server is local (`command`) or remote (`url`)',
    ]);
  });

  it('keeps stdio settings on local servers and remote settings on remote ones', () => {
    expect(issues({ url: 'http://x', args: [], env: {}, cwd: '.' })).toEqual([
      'servers.s.args: `args` applies only to local servers (with `command`)',
      'servers.s.env: `env` applies only to local servers (with `command`)',
      'servers.s.cwd: `cwd` applies only to local servers (with `command`)',
    ]);
    expect(issues({ command: 'a', headers: {}, transport: 'sse' })).toEqual([
      'servers.s.transport: transport `sse` needs `url`, not `command`',
      'servers.s.headers: `headers` applies only to remote servers (with `url`)',
    ]);
    expect(issues({ url: 'https://x', protocols: ['mcp'] })).toEqual([
      'servers.s.protocols: `protocols` applies only to the `websocket` transport',
    ]);
    expect(issues({ url: 'https://x', transport: 'stdio' })).toEqual([
      'servers.s.transport: transport `stdio` needs `command`, not `url`',
    ]);
  });

  it('accepts workingDirectory as an alias of cwd, but not both', () => {
    expect(
      normalizeConfig({ servers: { s: { command: 'a', workingDirectory: '/w' } } }).servers[0]
        ?.transport,
    ).toMatchObject({
      cwd: '/w',
    });
    expect(issues({ command: 'a', cwd: '/a', workingDirectory: '/w' })).toEqual([
      'servers.s.workingDirectory: `workingDirectory` is an alias of `cwd`: set only one of them',
    ]);
  });

  it('checks URL schemes against the transport', () => {
    expect(issues({ url: 'not a url' })).toEqual([
      'servers.s.url: expected http(s):// or ws(s):// URL, received "not a url"',
    ]);
    expect(issues({ url: 'ws://x', transport: 'sse' })).toEqual([
      'servers.s.url: expected http:// or https:// URL for transport `sse`, received "ws://x"',
    ]);
  });
});

describe('proxy.allowedOrigins', () => {
  it('defaults to none (CORS off) and keeps exact origins as written', () => {
    expect(normalizeConfig({ servers: {} }).proxy.allowedOrigins).toEqual([]);
    const origins = ['https://app.example.com', 'http://localhost:5173', 'http://[::1]:8080'];
    expect(
      normalizeConfig({ servers: {}, proxy: { allowedOrigins: origins } }).proxy.allowedOrigins,
    ).toEqual(origins);
  });

  it('rejects wildcards, paths and anything a browser never sends as an Origin', () => {
    for (const origin of [
      '*',
      'https://*.example.com',
      'https://app.example.com/',
      'app.example.com',
      'https://App.example.com',
      'null',
    ]) {
      const issues = issuesOf(() =>
        normalizeConfig({ servers: {}, proxy: { allowedOrigins: [origin] } }),
      );
      expect(
        issues.map((issue) => issue.path),
        origin,
      ).toEqual(['proxy.allowedOrigins[0]']);
    }
  });
});
