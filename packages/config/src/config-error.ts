/** One problem found in a configuration, located as precisely as the source allows (spec C4). */
export type ConfigIssue = {
  file?: string;
  /** 1-based. */
  line?: number;
  /** 1-based. */
  column?: number;
  /** Field path such as `servers.everything.args[1]`; empty for the document as a whole. */
  path: string;
  message: string;
  expected?: string;
  received?: string;
};

/**
 * - `CONFIG_INVALID`: syntax, substitution or validation errors (all of them, in `issues`);
 * - `CONFIG_NOT_FOUND`: no file given and none found, or the given file does not exist;
 * - `CONFIG_UNREADABLE`: the file exists but could not be read.
 */
export type ConfigErrorCode = 'CONFIG_INVALID' | 'CONFIG_NOT_FOUND' | 'CONFIG_UNREADABLE';

/**
 * The one error type of this package. It carries every issue at once, so a user fixes a file in
 * one pass instead of one error per run (spec C4).
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code: ConfigErrorCode;
  readonly issues: readonly ConfigIssue[];

  constructor(
    code: ConfigErrorCode,
    issues: readonly ConfigIssue[],
    options?: { cause?: unknown },
  ) {
    super(issues.map(formatConfigIssue).join('\n'), options);
    this.code = code;
    this.issues = issues;
  }

  /** One line per issue: `switchyard.yaml:12:7 servers.everything.args: expected ...`. */
  format(): string {
    return this.message;
  }
}

/** Formats one issue as `file:line:column path: message`, leaving out the parts it lacks. */
export function formatConfigIssue(issue: ConfigIssue): string {
  const position =
    issue.line === undefined
      ? ''
      : `:${issue.line}${issue.column === undefined ? '' : `:${issue.column}`}`;
  const location = issue.file === undefined ? position.slice(1) : `${issue.file}${position}`;
  const subject = issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`;
  return location === '' ? subject : `${location} ${subject}`;
}
