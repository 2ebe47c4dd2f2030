// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${secret:VAR}` is the config's syntax
import { readFileSync } from 'node:fs';
import { normalizeConfig } from '@switchyard/config';
import { ManualClock } from '@switchyard/protocol/testing';
import { describe, expect, it } from 'vitest';
import { hashKey } from './keys.js';
import {
  configOf,
  describeBackend,
  redactConfig,
  reloadedConfig,
  secretsOf,
  settingsOf,
  withoutRestarts,
} from './options.js';
import { PROXY_VERSION } from './version.js';

const config = normalizeConfig({
  proxy: {
    port: 4100,
    apiKeys: [hashKey('client-key')],
    maxMessageBytes: 1024,
    requestTimeoutMs: 5000,
    maxRequestTimeoutMs: 50_000,
    maxConcurrentRequests: 7,
    maxQueuedRequests: 70,
    queueTimeoutMs: 700,
    connectionPoolSize: 3,
    streamResponses: true,
  },
  naming: { strategy: 'prefix', separator: '.', globalPrefix: 'sy_' },
  logging: { level: 'debug', format: 'pretty', dir: '/tmp/switchyard-options-test' },
  dashboard: { apiKey: 'admin-key-1234' },
  servers: {
    local: {
      command: 'node',
      args: ['server.js'],
      env: { TOKEN: 'env-secret-1' },
      prefix: 'l',
      sessions: 'per-client',
      requestTimeoutMs: 900,
      restartDelayMs: 90_000,
    },
    remote: {
      url: 'http://127.0.0.1:9/mcp',
      transport: 'streamable-http',
      headers: { Authorization: 'Bearer header-secret-2' },
      enabled: false,
      lazy: true,
      idleStopMs: 60_000,
    },
  },
});

describe('settingsOf', () => {
  it('maps the proxy section to the router, front and pool options', () => {
    const clock = new ManualClock();
    const settings = settingsOf(config, { clock });
    expect(settings.router).toEqual({
      naming: { strategy: 'prefix', separator: '.', globalPrefix: 'sy_', maxLength: 128 },
      serverInfo: { name: 'switchyard', version: PROXY_VERSION },
      requestTimeoutMs: 5000,
      maxConcurrentRequests: 7,
      maxQueuedRequests: 70,
      queueTimeoutMs: 700,
      maxRequestTimeoutMs: 50_000,
      clock,
    });
    expect(settings.fronts).toEqual({ maxMessageBytes: 1024, streamResponses: true, clock });
    expect(settings.pool).toEqual({ connections: 3, headersTimeoutMs: 5000 });
  });

  it('reaches the name-length limit, log rotation and metric names from the file; run options still override', () => {
    const clock = new ManualClock();
    const tuned = normalizeConfig({
      naming: { maxLength: 64 },
      logging: { dir: '/tmp/switchyard-options-test', maxSizeBytes: 2048, maxAgeDays: 7 },
      metrics: { names: 'both' },
      servers: {},
    });
    const settings = settingsOf(tuned, { clock });
    expect(settings.router.naming.maxLength).toBe(64);
    expect(settings.serverLogs).toEqual({
      dir: '/tmp/switchyard-options-test',
      maxSizeBytes: 2048,
      maxAgeMs: 7 * 24 * 60 * 60 * 1000,
      clock,
    });
    expect(settings.metrics).toEqual({ prefix: 'both' });
    expect(settingsOf(tuned, { metricNames: 'seed' }).metrics).toEqual({ prefix: 'seed' });

    const defaults = settingsOf(normalizeConfig({ logging: { dir: '/tmp/x' }, servers: {} }));
    expect(defaults.router.naming.maxLength).toBe(128);
    expect(defaults.serverLogs).toMatchObject({
      maxSizeBytes: 10 * 1024 * 1024,
      maxAgeMs: 2 * 86_400_000,
    });
    expect(defaults.metrics).toEqual({ prefix: 'switchyard' });
  });

  it('passes one clock to every part that takes one', () => {
    const clock = new ManualClock();
    const settings = settingsOf(config, { clock });
    expect(settings.clock).toBe(clock);
    expect(settings.router.clock).toBe(clock);
    expect(settings.fronts.clock).toBe(clock);
    expect(settings.connections.clock).toBe(clock);
    expect(settings.serverLogs?.clock).toBe(clock);
    expect(settings.logger.clock).toBe(clock);
  });

  it('reports the version of package.json, to clients and to backends alike', () => {
    const { version } = JSON.parse(
      readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    const settings = settingsOf(config);
    expect(PROXY_VERSION).toBe(version);
    expect(settings.router.serverInfo).toEqual({ name: 'switchyard', version });
    expect(settings.connections.clientInfo).toEqual({ name: 'switchyard', version });
  });

  it('maps each server to its backend options, with defaults and restart limits applied', () => {
    const [local, remote] = settingsOf(config).backends;
    expect(local).toMatchObject({
      name: 'local',
      enabled: true,
      prefix: 'l',
      perClient: true,
      requestTimeoutMs: 900,
      target: {
        type: 'stdio',
        command: 'node',
        args: ['server.js'],
        env: { TOKEN: 'env-secret-1' },
      },
      lazy: false,
      idleStopMs: undefined,
    });
    expect(local?.restart).toMatchObject({ baseDelayMs: 90_000, maxDelayMs: 90_000 });
    expect(remote).toMatchObject({
      name: 'remote',
      enabled: false,
      prefix: 'remote',
      perClient: false,
      target: { type: 'streamable-http', url: 'http://127.0.0.1:9/mcp' },
      lazy: true,
      idleStopMs: 60_000,
    });
    expect(remote?.restart.maxDelayMs).toBe(60_000);
    expect(describeBackend(remote!)).toBe(
      'remote  streamable-http  (disabled)  http://127.0.0.1:9/mcp',
    );
  });

  it('maps the keys: MCP keys as configured, the admin key as its hash', () => {
    const settings = settingsOf(config);
    expect(settings.mcpKeys).toEqual({ hashes: [hashKey('client-key')] });
    expect(settings.adminKeys).toEqual({ hashes: [hashKey('admin-key-1234')] });
  });

  it('closes the admin API beyond loopback without a key, and refuses to listen without MCP keys', () => {
    const open = normalizeConfig({ proxy: { host: '0.0.0.0' }, servers: {} });
    const settings = settingsOf(open);
    expect(settings.listen).toMatchObject({ host: '0.0.0.0', loopbackOnly: false });
    expect(settings.listen.refusal).toMatch(
      /^refusing to listen on 0\.0\.0\.0 without proxy\.apiKeys/,
    );
    expect(settings.adminKeys.hashes).toEqual([]);
    expect(settings.adminKeys.closed).toMatch(/needs dashboard\.apiKey/);
    const onLoopback = settingsOf(open, { host: '127.0.0.1', port: 0 });
    expect(onLoopback.listen).toEqual({
      host: '127.0.0.1',
      port: 0,
      loopbackOnly: true,
      refusal: undefined,
      headersTimeoutMs: 10_000,
      requestBodyTimeoutMs: 30_000,
      maxConnections: 10_000,
    });
    expect(onLoopback.adminKeys).toEqual({ hashes: [] });
  });

  it('maps logging: level, format, every secret, and per-server files unless turned off', () => {
    const settings = settingsOf(config);
    expect(settings.logger).toMatchObject({ level: 'debug', format: 'pretty' });
    expect(settings.secrets).toEqual(
      expect.arrayContaining([
        'env-secret-1',
        'Bearer header-secret-2',
        'header-secret-2',
        'admin-key-1234',
      ]),
    );
    expect(settings.serverLogs).toMatchObject({ dir: '/tmp/switchyard-options-test' });
    expect(settingsOf(config, { logFiles: false }).serverLogs).toBeUndefined();
  });

  it('takes run options over the config: address, state file, metric names, deadline', () => {
    const settings = settingsOf(config, {
      host: 'localhost',
      port: 0,
      stateFile: '/tmp/state.json',
      metricNames: 'both',
      shutdownDeadlineMs: 5,
    });
    expect(settings.listen).toMatchObject({ host: 'localhost', port: 0 });
    expect(settings.state).toEqual({ file: '/tmp/state.json', key: '(inline)' });
    expect(settings.metrics).toEqual({ prefix: 'both' });
    expect(settings.shutdownDeadlineMs).toBe(5);
  });
});

describe('reading the config', () => {
  it('validates a plain object in any dialect, and takes a normalized one as it is', () => {
    expect(configOf(config)).toBe(config);
    expect(configOf({ mcpServers: { a: { command: 'a' } } }).dialect).toBe('mcpServers');
  });

  it('redacts every secret it knows of', () => {
    const text = JSON.stringify(redactConfig(config));
    for (const secret of secretsOf(config)) expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
  });

  it('hides every env and header value in the config resource, and secrets anywhere else', () => {
    const marked = normalizeConfig(
      {
        servers: {
          a: {
            command: 'node',
            args: ['--api-key', 'arg-secret-9', '--x=${secret:PLAIN}'],
            env: { LOG_LEVEL: 'info' },
          },
        },
      },
      { env: { PLAIN: 'marked-secret-9' } },
    );
    const shown = redactConfig(marked);
    const text = JSON.stringify(shown);
    expect(text).not.toMatch(/arg-secret-9|marked-secret-9/);
    expect(text).toContain('"env":{"LOG_LEVEL":"[redacted]"}');
    expect(shown).not.toHaveProperty('secretValues');
    expect(text).toContain('"--x=[redacted]"');
  });

  it('keeps restart-only sections on reload and says which changed', () => {
    const next = normalizeConfig({
      logging: { level: 'warn' },
      servers: { other: { command: 'x' } },
    });
    const { config: applied, needsRestart } = reloadedConfig(config, next);
    expect(needsRestart).toEqual(['proxy', 'naming', 'logging', 'dashboard']);
    expect(applied.logging).toEqual(config.logging);
    expect(applied.servers.map((s) => s.name)).toEqual(['other']);
  });

  it('turns restarts off for a one-shot probe', () => {
    expect(withoutRestarts(config).servers.every((s) => !s.restartOnFailure)).toBe(true);
  });
});
