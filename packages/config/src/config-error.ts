import { SwitchyardError } from '@switchyard/protocol';

/** One problem found in a configuration, located as precisely as the source allows. */
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
 * The codes of `@switchyard/protocol`'s error table that a configuration fails with:
 * - `config_invalid`: syntax, substitution or validation errors (all of them, in `issues`);
 * - `config_not_found`: no file given and none found, or the given file does not exist;
 * - `config_unreadable`: the file exists but could not be read.
 */
export type ConfigErrorCode = 'config_invalid' | 'config_not_found' | 'config_unreadable';

/**
 * The one error type of this package: a `SwitchyardError` (so a boundary that answers it, such as a
 * reload requested over the network, maps it through the one error table) that also carries every
 * issue at once, so a user fixes a file in one pass instead of one error per run
 * (docs/configuration.md, "Errors"). The issues are its wire `data` as well.
 */
export class ConfigError extends SwitchyardError {
  declare readonly code: ConfigErrorCode;
  readonly issues: readonly ConfigIssue[];

  constructor(
    code: ConfigErrorCode,
    issues: readonly ConfigIssue[],
    options?: { cause?: unknown },
  ) {
    super(code, issues.map(formatConfigIssue).join('\n'), { issues }, options);
    this.name = 'ConfigError';
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
