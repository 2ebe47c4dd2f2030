import type * as v from 'valibot';
import type { ConfigIssue } from '../config-error.js';
import { formatPath, type PathSegment } from './field-path.js';
import { isRecord } from './is-record.js';
import type { Locator } from './source-document.js';

/** Where the issues of one document come from. */
export type IssueSource = { file?: string | undefined; locate?: Locator | undefined };

/** Schemas whose mismatch is best shown with the value received, not just its type. */
const VALUE_SCHEMAS = new Set(['picklist', 'literal', 'variant', 'enum']);
const OBJECT_SCHEMAS = new Set(['loose_object', 'strict_object', 'object']);
/** Where an issue about a whole document that has no node (an empty file) is shown. */
const START = { line: 1, column: 1 };

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function show(value: unknown): string {
  if (typeof value === 'object' && value !== null) return typeName(value);
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Builds one located issue from a path and its message parts. */
export function locatedIssue(
  source: IssueSource,
  path: readonly PathSegment[],
  parts: { message: string; expected?: string | undefined; received?: string | undefined },
  pointAtKey: boolean,
): ConfigIssue {
  const issue: ConfigIssue = { path: formatPath(path), message: parts.message };
  if (source.file !== undefined) issue.file = source.file;
  const found = source.locate?.(path, pointAtKey ? 'key' : 'value');
  const position = found ?? (source.locate !== undefined && path.length === 0 ? START : undefined);
  if (position !== undefined) {
    issue.line = position.line;
    issue.column = position.column;
  }
  if (parts.expected !== undefined) issue.expected = parts.expected;
  if (parts.received !== undefined) issue.received = parts.received;
  return issue;
}

/**
 * Turns a valibot issue into a {@link ConfigIssue}. Schema messages in this package are
 * descriptions of what was expected, so most issues read "expected X, received Y"; raw checks carry
 * whole sentences. Issues about a key, or about a whole object, point at the key.
 */
export function toConfigIssue(issue: v.BaseIssue<unknown>, source: IssueSource): ConfigIssue {
  const items = issue.path ?? [];
  const path = items.map((item) => item.key as PathSegment);
  const last = items.at(-1);
  const aboutKey = last?.origin === 'key';
  const pointAtKey = aboutKey || isRecord(issue.input) || Array.isArray(issue.input);
  if (issue.type === 'raw_check') {
    const expected = issue.expected ?? undefined;
    return locatedIssue(
      source,
      path,
      { message: issue.message, expected, received: expected && issue.received },
      pointAtKey,
    );
  }
  if (aboutKey && issue.input === undefined && OBJECT_SCHEMAS.has(issue.type)) {
    return locatedIssue(
      source,
      path,
      { message: `missing required key \`${String(last?.key)}\`` },
      true,
    );
  }
  const expected = issue.message;
  const received =
    issue.kind === 'schema' && !VALUE_SCHEMAS.has(issue.type)
      ? typeName(issue.input)
      : show(issue.input);
  return locatedIssue(
    source,
    path,
    { message: `expected ${expected}, received ${received}`, expected, received },
    pointAtKey,
  );
}
