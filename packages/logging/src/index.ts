export type { LogFields, Logger, LoggerOptions, LogLevel } from './logger.js';
export { createLogger, createRedactor, silentLogger } from './logger.js';
