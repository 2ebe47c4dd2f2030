/** Which output a log line came from: a backend's stdout or stderr, or the proxy about it. */
export type LogStream = 'stdout' | 'stderr' | 'proxy';

/** One line of a server log. */
export interface LogLine {
  /** ISO 8601 time at which the line was written. */
  timestamp: string;
  stream: LogStream;
  text: string;
}

/** Which lines a tail or a subscription wants: one backend stream, or (unset) every line. */
export type LogStreamFilter = 'stdout' | 'stderr';
