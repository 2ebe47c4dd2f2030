#!/usr/bin/env node
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, type SwitchyardConfig, starterConfig } from '@switchyard/config';
import { loadConfigFile, watchConfigFile } from '@switchyard/config/node';
import { createLogger, createSecretSet, type LogLevel } from '@switchyard/logging';
import { systemClock } from '@switchyard/protocol';
import { StdioFrontTransport } from '@switchyard/transports';
import { newKey } from './keys.js';
import { MANAGEMENT_SERVER } from './management-server.js';
import { modernDropObserver, modernSharedObserver } from './observers.js';
import {
  describeBackend,
  describeConfig,
  loggerOptionsOf,
  secretsOf,
  settingsOf,
} from './options.js';
import { pingBackends } from './ping.js';
import { createProxy, type SwitchyardProxy } from './proxy.js';
import { countTools, dashboardUrlOf, httpOrigin, readyLine, runningServers } from './ready-line.js';
import { openToolPins, pinsFileBeside } from './tool-pins.js';
import { traceCommand } from './trace-cli.js';
import { PROXY_VERSION } from './version.js';

const USAGE = `Usage:
  switchyard [--config FILE] [--host HOST] [--port PORT] [--log-level LEVEL]   run over HTTP (/mcp, /health)
             [--no-watch]                                                     (the file is watched and reloaded)
  switchyard --stdio [--config FILE] [--log-level LEVEL]                      run as an MCP server on stdio
  switchyard check [--config FILE] [--ping]                                   validate a config, probe backends
  switchyard init [FILE] [--force]                                            write a commented starter config
  switchyard key                                                              make a client key and its hash
  switchyard approve SERVER TOOL [--config FILE]                              approve a changed tool definition
  switchyard trace sessions|export --session ID [--out FILE]|replay FILE      recorded sessions (docs/tracing.md)

Without --config, the first of switchyard.{yaml,yml,json,toml}, mcp-proxy.{toml,json,yaml,yml} is used.`;

const LEVELS = new Set(['error', 'warn', 'info', 'debug']);

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const parsed = parseArguments(argv);
  if (typeof parsed === 'string') {
    process.stderr.write(`switchyard: ${parsed}; see switchyard --help\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`switchyard ${PROXY_VERSION}\n`);
    return 0;
  }
  const command = positionals[0];
  if (command === 'init') return init(positionals[1] ?? 'switchyard.yaml', values.force === true);
  if (command === 'key') {
    const { key, hash } = newKey();
    process.stdout.write(`key:  ${key}\nhash: ${hash}\n`);
    process.stderr.write(
      'Give the key to the client (Authorization: Bearer <key>); put the hash in proxy.apiKeys.\n',
    );
    return 0;
  }
  if (command !== undefined && !['check', 'approve', 'trace'].includes(command)) {
    process.stderr.write(`switchyard: unknown command "${command}"\n\n${USAGE}\n`);
    return 2;
  }
  const level = values['log-level'];
  if (level !== undefined && !LEVELS.has(level)) {
    process.stderr.write(`switchyard: --log-level must be one of error, warn, info, debug\n`);
    return 2;
  }
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    process.stderr.write(`switchyard: --port must be an integer from 0 to 65535\n`);
    return 2;
  }
  let config: SwitchyardConfig;
  try {
    config = await loadConfigFile(values.config, { cwd: process.cwd() });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
  if (command === 'check') return check(config, values.ping === true);
  if (command === 'trace') {
    const { session, out } = values;
    return traceCommand(
      config,
      {
        sub: positionals[1],
        file: positionals[2],
        ...(session ? { session } : {}),
        ...(out ? { out } : {}),
      },
      { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) },
    );
  }
  if (command === 'approve')
    return approve(pinsFileBeside(settingsOf(config).state.file), positionals[1], positionals[2]);

  const format = values['log-format'];
  // One set of secrets for the CLI's logger and the proxy, which keeps it current on reload.
  const secrets = createSecretSet(secretsOf(config));
  const logger = createLogger({
    ...loggerOptionsOf(config, {
      ...(level === undefined ? {} : { level: level as LogLevel }),
      ...(format === 'pretty' || format === 'json' ? { format } : {}),
    }),
    secrets,
  });
  const proxy = createProxy(config, {
    logger,
    secrets,
    ...(values.host === undefined ? {} : { host: values.host }),
    ...(port === undefined ? {} : { port }),
  });
  // Hot reload (docs/operations.md, "Hot reload"): a valid edit is applied as a difference, an invalid one is reported.
  const watcher =
    config.file && values['no-watch'] !== true
      ? watchConfigFile(
          config.file,
          (change) => {
            if (change.ok) void proxy.reload(change.config);
            else
              logger.error('configuration edit rejected; the running configuration stays', {
                errors: change.error.message,
              });
          },
          { cwd: process.cwd() },
        )
      : undefined;
  let stopping: Promise<void> | undefined;
  const stop = () => {
    watcher?.close();
    stopping ??= proxy.stop();
    return stopping;
  };
  // `process.on`, not `once`: Ctrl-C reaches the proxy from the terminal and again through
  // `npm start`, and a second signal must not cut the graceful stop short and orphan backends.
  const onSignal = () => void stop().then(() => process.exit(0));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  if (values.stdio) {
    const front = new StdioFrontTransport({
      openSession: (sink, info) => proxy.router.openSession(sink, info),
      input: process.stdin,
      output: process.stdout,
      maxMessageBytes: settingsOf(config).fronts.maxMessageBytes,
      onModernDropped: modernDropObserver(proxy.metrics, logger),
      onModernShared: modernSharedObserver(logger),
    });
    front.start();
    await proxy.start({ listen: false });
    await front.closed;
    front.close();
    await stop();
    return 0;
  }
  await proxy.start();
  if (stopping === undefined) await announceReady(proxy, values.host ?? config.proxy.host);
  await new Promise<never>(() => {});
  return 0;
}

/**
 * The command line as parsed, or why it cannot be: an unknown option or a missing value is
 * answered in one line instead of Node's paragraph about positionals.
 */
function parseArguments(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c' },
        stdio: { type: 'boolean' },
        host: { type: 'string' },
        port: { type: 'string' },
        'log-level': { type: 'string' },
        'log-format': { type: 'string' },
        ping: { type: 'boolean' },
        'no-watch': { type: 'boolean' },
        force: { type: 'boolean' },
        session: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    const unknown = /^Unknown option '([^']+)'/.exec(error.message);
    return unknown
      ? `unknown option ${unknown[1]}`
      : (error.message.split('. ')[0] ?? error.message);
  }
}

/** Says on stdout, in one line, what runs and where: what a newcomer looks for after starting. */
async function announceReady(proxy: SwitchyardProxy, host: string): Promise<void> {
  const port = proxy.address?.port;
  if (port === undefined) return;
  const tools = await countTools(proxy.router);
  const line = readyLine({
    ...runningServers(proxy.backends.list(), proxy.config),
    tools,
    mcpUrl: `${httpOrigin(host, port)}/mcp`,
    dashboardUrl: dashboardUrlOf(proxy.config, { host, port }),
  });
  process.stdout.write(`${line}\n`);
}

function init(file: string, force: boolean): number {
  const path = resolve(file);
  if (existsSync(path) && !force) {
    process.stderr.write(`switchyard: ${file} exists; use --force to overwrite it\n`);
    return 1;
  }
  writeFileSync(path, starterConfig());
  // The next command as the user can type it: through the root script when run by `npm run`.
  const cli =
    process.env.npm_lifecycle_event === 'switchyard' ? 'npm run switchyard --' : 'switchyard';
  process.stderr.write(`wrote ${file}: edit its servers, then run \`${cli} --config ${file}\`\n`);
  return 0;
}

/**
 * Pins the changed definition of one tool (docs/operations.md, "Tool pinning"): the pins file is
 * edited in place, and a running proxy reads it again before its next decision.
 */
function approve(file: string | undefined, server?: string, tool?: string): number {
  if (server === undefined || tool === undefined) {
    process.stderr.write(`switchyard: approve needs a server and a tool\n\n${USAGE}\n`);
    return 2;
  }
  if (file === undefined) {
    process.stderr.write('switchyard: no state directory, so no pinned tools to approve\n');
    return 1;
  }
  let failure: Error | undefined;
  const pin = openToolPins(file, systemClock.now, (error) => {
    failure = error;
  }).approve(server, tool);
  if (failure) throw failure;
  if (!pin) {
    process.stderr.write(`switchyard: no pinned tool "${tool}" of server "${server}" in ${file}\n`);
    return 1;
  }
  process.stdout.write(`${server} ${tool}: pinned ${pin.hash}\n`);
  return 0;
}

async function check(config: SwitchyardConfig, ping: boolean): Promise<number> {
  const out = process.stdout;
  // The built-in servers are named in the summary and listed like the configured ones, so that
  // the count and the rows below it agree (the `--ping` table has a row for each).
  const configured = new Set(config.servers.map((server) => server.name));
  if (!ping) {
    const builtIns = builtInServers(config).filter((name) => !configured.has(name));
    out.write(`${describeConfig(config)}${builtInNote(builtIns)}\n`);
    for (const backend of settingsOf(config).backends) out.write(`  ${describeBackend(backend)}\n`);
    for (const name of builtIns) out.write(`  ${name}  built-in\n`);
    return 0;
  }
  const rows = await pingBackends(config);
  const builtIns = rows.map((row) => row.name).filter((name) => !configured.has(name));
  out.write(`${describeConfig(config)}${builtInNote(builtIns)}\n`);
  out.write(
    `${formatTable(
      ['server', 'state', 'revision', 'tools', 'time', 'detail'],
      rows.map((r) => [
        r.name,
        r.state,
        r.revision ?? '-',
        r.tools === undefined ? '-' : String(r.tools),
        `${r.ms} ms`,
        r.detail ?? '',
      ]),
    )}\n`,
  );
  return rows.every((r) => r.state === 'running' || r.state === 'stopped') ? 0 : 1;
}

function builtInNote(names: readonly string[]): string {
  return names.length === 0 ? '' : `, plus built-in: ${names.join(', ')}`;
}

/**
 * The in-process servers the proxy mounts next to the configured ones: the management server
 * (docs/operations.md, "The management server") and, with context tracing on, the tracing server
 * (`@switchyard/tracing`). A configured server of the same name takes its place.
 */
function builtInServers(config: SwitchyardConfig): string[] {
  const settings = settingsOf(config);
  return [
    ...(settings.management ? [MANAGEMENT_SERVER] : []),
    ...(settings.tracing ? ['tracing'] : []),
  ];
}

function formatTable(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // A refusal (port in use, unsafe bind) reads best as one line; the stack only helps a bug report.
    const detail =
      error instanceof Error
        ? process.env.SWITCHYARD_DEBUG
          ? error.stack
          : error.message
        : String(error);
    process.stderr.write(`switchyard: ${detail}\n`);
    process.exit(1);
  },
);
