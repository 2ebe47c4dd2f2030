import { Writable } from 'node:stream';
import { type Clock, systemClock } from '@switchyard/protocol';
import winston from 'winston';
import { type SecretSet, secretSetOf } from './secret-set.js';

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
  /**
   * Values that must never appear in a log line (docs/operations.md, "Secrets"): a fixed list, or
   * a {@link SecretSet} whose values may be replaced while the logger runs.
   */
  secrets?: Iterable<string> | SecretSet;
  /** Source of each line's timestamp. */
  clock?: Clock;
}

/** A winston format that redacts every field of a line (its level and time excepted) in place. */
function redactInfo(secrets: SecretSet): winston.Logform.Format {
  return winston.format((info) => {
    if (secrets.size === 0) return info;
    const fields = info as Record<string, unknown>;
    for (const key of Object.keys(fields)) {
      if (key !== 'level' && key !== 'timestamp') fields[key] = secrets.redactValue(fields[key]);
    }
    return info;
  })();
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
 * message and from every field before the line is rendered, so a secret can leak through neither,
 * and JSON escaping cannot hide one from the redaction.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const secrets = secretSetOf(options.secrets);
  const target = options.stream ?? process.stderr;
  const clock = options.clock ?? systemClock;
  let pending = 0;
  const sink = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      pending++;
      target.write(chunk.toString(), () => {
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
      redactInfo(secrets),
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

/**
 * A logger that hands `logger` only redacted messages and fields: for a logger the proxy did not
 * create, so that its secrets are redacted all the same (docs/operations.md, "Secrets").
 */
export function redactingLogger(logger: Logger, secrets: SecretSet): Logger {
  const level =
    (method: 'error' | 'warn' | 'info' | 'debug') => (message: string, fields?: LogFields) =>
      fields === undefined
        ? logger[method](secrets.redact(message))
        : logger[method](secrets.redact(message), secrets.redactValue(fields));
  return {
    error: level('error'),
    warn: level('warn'),
    info: level('info'),
    debug: level('debug'),
    child: (fields) => redactingLogger(logger.child(secrets.redactValue(fields)), secrets),
    flush: () => logger.flush(),
  };
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
