export type { LogFields, Logger, LoggerOptions, LogLevel } from './logger.js';
export { createLogger, createRedactor, silentLogger } from './logger.js';
export type {
  LogLine,
  LogListener,
  LogStream,
  LogStreamFilter,
  ServerLogsErrorCode,
  ServerLogsOptions,
  SubscribeOptions,
  TailOptions,
} from './server-logs.js';
export {
  createServerLogs,
  isValidServerName,
  ServerLogs,
  ServerLogsError,
} from './server-logs.js';
