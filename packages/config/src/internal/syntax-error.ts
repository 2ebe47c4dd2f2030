import { ConfigError, type ConfigIssue } from '../config-error.js';
import type { Position } from './source-document.js';

/** Builds the error for a file that does not parse: one issue per syntax error found. */
export function syntaxError(
  file: string | undefined,
  errors: readonly (Partial<Position> & { message: string })[],
): ConfigError {
  const issues = errors.map(({ line, column, message }): ConfigIssue => {
    const issue: ConfigIssue = { path: '', message };
    if (file !== undefined) issue.file = file;
    if (line !== undefined) issue.line = line;
    if (column !== undefined) issue.column = column;
    return issue;
  });
  return new ConfigError('config_invalid', issues);
}
