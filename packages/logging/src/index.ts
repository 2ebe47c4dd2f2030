export type { LogFields, Logger, LoggerOptions, LogLevel } from './logger.js';
export { createLogger, silentLogger } from './logger.js';
export type { LogLine, ServerLogsOptions } from './server-logs.js';
export { createServerLogs, ServerLogs } from './server-logs.js';
