import { Writable } from 'node:stream';
import { type Clock, systemClock } from '@switchyard/protocol';
import winston from 'winston';

/** Log levels, most to least severe. */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/** Structured fields attached to a log line. */
export type LogFields = Record<string, unknown>;

/** The logging surface every package takes as an option; `child` adds fixed fields. */
export interface Logger {
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
  /** Resolves once everything written so far has reached the destination. */
  flush(): Promise<void>;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** `json`: one JSON object per line; `pretty`: a readable line for a terminal. */
  format?: 'json' | 'pretty';
  /**
   * Where lines go. Defaults to stderr: stdout may be the MCP channel (`--stdio`), so the logger
   * never writes to stdout unless a stream is passed explicitly.
   */
  stream?: NodeJS.WritableStream;
  /** Values that must never appear in a log line (env values, header values, keys). */
  secrets?: Iterable<string>;
  /** Source of each line's timestamp. */
  clock?: Clock;
}

const REDACTED = '[redacted]';

/** Replaces every occurrence of every secret (longest first, so overlaps redact fully). */
export function createRedactor(secrets: Iterable<string>): (text: string) => string {
  const list = [...new Set(secrets)]
    .filter((s) => s.length >= 4)
    .sort((a, b) => b.length - a.length);
  if (list.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const secret of list) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    return out;
  };
}

function wrap(inner: winston.Logger, streamDone: () => Promise<void>): Logger {
  return {
    error: (message, fields) => inner.error(message, fields),
    warn: (message, fields) => inner.warn(message, fields),
    info: (message, fields) => inner.info(message, fields),
    debug: (message, fields) => inner.debug(message, fields),
    child: (fields) => wrap(inner.child(fields), streamDone),
    flush: streamDone,
  };
}

/**
 * Creates the proxy's structured logger (docs/operations.md, "Logs"). Secrets are redacted from the
 * rendered line, so a secret can leak neither through the message nor through a field.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const redact = createRedactor(options.secrets ?? []);
  const target = options.stream ?? process.stderr;
  const clock = options.clock ?? systemClock;
  let pending = 0;
  const sink = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      pending++;
      target.write(redact(chunk.toString()), () => {
        pending--;
        callback();
      });
    },
  });
  const render =
    options.format === 'pretty'
      ? winston.format.printf(({ level, message, timestamp, ...rest }) => {
          const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
          return `${String(timestamp)} ${level.padEnd(5)} ${String(message)}${extra}`;
        })
      : winston.format.json();
  const inner = winston.createLogger({
    level: options.level ?? 'info',
    format: winston.format.combine(
      winston.format.timestamp({ format: () => new Date(clock.now()).toISOString() }),
      winston.format.errors({ stack: true }),
      render,
    ),
    transports: [new winston.transports.Stream({ stream: sink })],
  });
  // winston hands lines through its own stream pipeline on later ticks: wait until both the
  // pipeline and the destination have nothing pending.
  const flush = async () => {
    do {
      await new Promise<void>((resolve) => setImmediate(resolve));
    } while (pending > 0 || inner.writableLength > 0 || sink.writableLength > 0);
  };
  return wrap(inner, flush);
}

/** A logger that discards everything, for embedding and tests that do not look at logs. */
export function silentLogger(): Logger {
  const logger: Logger = {
    error: () => {},
    warn: () => {},
    info: () => {},
    debug: () => {},
    child: () => logger,
    flush: async () => {},
  };
  return logger;
}
