import { readFileSync, writeFileSync } from 'node:fs';
import type { SwitchyardConfig } from '@switchyard/config';
import { createLogger } from '@switchyard/logging';
import { systemClock } from '@switchyard/protocol';
import { openSqliteStore, type RecordedMessage } from '@switchyard/tracing';
import { createAdminRpc } from './admin-rpc.js';
import { createProxy } from './proxy.js';

/** Where a command writes: stdout for results, stderr for what went wrong. */
export interface TraceIo {
  out(text: string): void;
  err(text: string): void;
}

const TRACE_USAGE = `Usage:
  switchyard trace sessions [--config FILE]                         recorded sessions, newest first
  switchyard trace export --session ID [--out FILE] [--config FILE] a session's messages on both hops, as JSONL
  switchyard trace replay FILE [--config FILE]                      replay its client requests, print what differs`;

/**
 * `switchyard trace …` (docs/tracing.md, "Export and replay"): reads the tracing database of the
 * config (its `contextTracing.sqlitePath`), never the running proxy, so it works while the proxy
 * runs (SQLite WAL allows a reader next to the writer) and after it stopped.
 */
export async function traceCommand(
  config: SwitchyardConfig,
  args: { sub: string | undefined; file: string | undefined; session?: string; out?: string },
  io: TraceIo,
): Promise<number> {
  const path = config.contextTracing.sqlitePath;
  if (args.sub === 'replay') {
    if (!args.file) return usage(io, 'replay needs the file an export wrote');
    return replay(config, args.file, io);
  }
  if (args.sub !== 'sessions' && args.sub !== 'export') return usage(io, 'unknown trace command');
  if (path === undefined || path === ':memory:') {
    io.err('switchyard: this config keeps no tracing database (contextTracing.sqlitePath)\n');
    return 1;
  }
  const problems: string[] = [];
  const store = openSqliteStore({ file: path, onError: (error) => problems.push(error.message) });
  try {
    if (args.sub === 'sessions') {
      for (const s of store.sessions(100)) {
        io.out(
          `${s.sessionId}  ${new Date(s.lastAt).toISOString()}  ${s.captures} captures  ${s.responses} responses\n`,
        );
      }
      return problems.length > 0 ? fail(io, problems) : 0;
    }
    if (!args.session)
      return usage(io, 'export needs --session ID (see `switchyard trace sessions`)');
    const messages = store.messages(args.session);
    if (messages.length === 0) {
      io.err(`switchyard: no recorded messages of session "${args.session}" in ${path}\n`);
      return 1;
    }
    const text = messages.map((m) => `${JSON.stringify(m)}\n`).join('');
    if (args.out) writeFileSync(args.out, text);
    else io.out(text);
    return 0;
  } finally {
    store.close();
  }
}

function usage(io: TraceIo, why: string): number {
  io.err(`switchyard: ${why}\n\n${TRACE_USAGE}\n`);
  return 2;
}

function fail(io: TraceIo, problems: string[]): number {
  io.err(`switchyard: the tracing database could not be read: ${problems[0]}\n`);
  return 1;
}

/** A result without the `_meta` the proxy and the backend add (ids, timings), for comparing. */
function comparable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(comparable);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    if (key === '_meta') continue;
    out[key] = comparable((value as Record<string, unknown>)[key]);
  }
  return out;
}

/** The first path at which two values differ, for a one-line report. */
function firstDifference(a: unknown, b: unknown, path = '$'): string | undefined {
  if (JSON.stringify(a) === JSON.stringify(b)) return undefined;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return path;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    const found = firstDifference(
      (a as Record<string, unknown>)[key],
      (b as Record<string, unknown>)[key],
      Array.isArray(a) ? `${path}[${key}]` : `${path}.${key}`,
    );
    if (found) return found;
  }
  return path;
}

interface Exchange {
  id: unknown;
  method: string;
  params: Record<string, unknown>;
  recorded: unknown;
}

/** The client-side requests of an export, each with the answer the client got then. */
function exchangesOf(file: string): Exchange[] {
  const records = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as RecordedMessage);
  const client = records.filter((r) => r.hop === 'client');
  const exchanges: Exchange[] = [];
  for (const record of client) {
    const message = record.message as Record<string, unknown>;
    if (record.direction !== 'in' || typeof message.method !== 'string') continue;
    const answer = client.find(
      (r) =>
        r.direction === 'out' &&
        r.seq > record.seq &&
        (r.message as { id?: unknown }).id === message.id,
    )?.message as Record<string, unknown> | undefined;
    exchanges.push({
      id: message.id,
      method: message.method,
      params: (message.params ?? {}) as Record<string, unknown>,
      recorded: answer && ('result' in answer ? answer.result : { error: answer.error }),
    });
  }
  return exchanges;
}

/**
 * Replays the client side of an export against the current backends (the config's servers,
 * started here without listening and without tracing), comparing each answer with the recorded
 * one, `_meta` left out. Exit code 0 when every answer is the same, 1 when one differs.
 */
async function replay(config: SwitchyardConfig, file: string, io: TraceIo): Promise<number> {
  const exchanges = exchangesOf(file);
  if (exchanges.length === 0) {
    io.err(`switchyard: ${file} holds no client request to replay\n`);
    return 1;
  }
  const quiet: SwitchyardConfig = {
    ...config,
    contextTracing: { ...config.contextTracing, enabled: false },
  };
  const proxy = createProxy(quiet, {
    logger: createLogger({ level: 'error' }),
    logFiles: false,
    dashboardDir: false,
  });
  await proxy.start({ listen: false });
  const rpc = createAdminRpc(proxy.router, systemClock);
  let differing = 0;
  try {
    for (const exchange of exchanges) {
      const label =
        `${exchange.method} ${String(exchange.params.name ?? exchange.params.uri ?? '')}`.trim();
      const { response } = await rpc(
        { method: exchange.method, params: exchange.params },
        'replay',
      );
      const now = response.result ?? { error: response.error };
      const where = firstDifference(comparable(exchange.recorded), comparable(now));
      if (where) differing++;
      io.out(where ? `differs  ${label}  at ${where}\n` : `same     ${label}\n`);
    }
  } finally {
    await proxy.stop();
  }
  io.out(`${exchanges.length - differing} same, ${differing} different\n`);
  return differing === 0 ? 0 : 1;
}
