export type { LogLine } from './log-line.js';
export type { LogFields, Logger, LoggerOptions, LogLevel } from './logger.js';
export { createLogger, redactingLogger, silentLogger } from './logger.js';
export type { SecretSet } from './secret-set.js';
export { createSecretSet, REDACTED } from './secret-set.js';
export type { ServerLogsOptions } from './server-logs.js';
export { createServerLogs, ServerLogs } from './server-logs.js';
