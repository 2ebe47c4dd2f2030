import { isOrdinaryValue, isSecretName } from '../secrets.js';
import type { PathSegment } from './field-path.js';
import { isRecord } from './is-record.js';

/** A substitution that failed, at the path of the string it was in. */
export type SubstitutionIssue = { path: PathSegment[]; message: string };

/** The environment that `${VAR}` reads from. */
export type Environment = Readonly<Record<string, string | undefined>>;

const EXPRESSION = /^(secret:)?([A-Za-z_][A-Za-z0-9_]*)(?:(:-|:\?)(.*))?$/s;

/**
 * Expands one string: `${VAR}`, `${VAR:-default}` (default when unset or empty), `${VAR:?message}`
 * (error when unset or empty) and `$$` for a literal `$`. A `$` followed by anything else stays as
 * written. Defaults and messages end at the first `}`. Each form may be written `${secret:VAR...}`:
 * what it expands to is then pushed to `secrets`, as is the value of a variable whose name looks
 * secret (docs/configuration.md, "Environment variables").
 */
export function substituteString(
  text: string,
  env: Environment,
  secrets: string[] = [],
): { value: string; errors: string[] } {
  const errors: string[] = [];
  let value = '';
  let index = 0;
  while (index < text.length) {
    const dollar = text.indexOf('$', index);
    if (dollar === -1 || dollar === text.length - 1) {
      value += text.slice(index);
      break;
    }
    value += text.slice(index, dollar);
    const next = text.charAt(dollar + 1);
    if (next === '$') {
      value += '$';
      index = dollar + 2;
      continue;
    }
    if (next !== '{') {
      value += '$';
      index = dollar + 1;
      continue;
    }
    const close = text.indexOf('}', dollar + 2);
    if (close === -1) {
      errors.push(`unterminated \`\${\` in "${text}" (write \`$$\` for a literal \`$\`)`);
      value += text.slice(dollar);
      break;
    }
    const expression = text.slice(dollar + 2, close);
    index = close + 1;
    const match = EXPRESSION.exec(expression);
    if (match === null) {
      errors.push(
        `invalid substitution \`\${${expression}}\`: expected \`\${NAME}\`, \`\${NAME:-default}\` or \`\${NAME:?message}\` (each also as \`\${secret:NAME...}\`)`,
      );
      continue;
    }
    const [, marked, name = '', operator, argument = ''] = match;
    const current = env[name];
    const expand = (piece: string) => {
      value += piece;
      if (marked !== undefined || (isSecretName(name) && !isOrdinaryValue(piece)))
        secrets.push(piece);
    };
    if (operator === undefined) {
      if (current === undefined) {
        errors.push(
          `environment variable ${name} is not set (write \`\${${name}:-default}\` to give a default)`,
        );
      } else expand(current);
    } else if (current !== undefined && current !== '') expand(current);
    else if (operator === ':-') expand(argument);
    else
      errors.push(
        `environment variable ${name} ${argument === '' ? 'is not set or empty' : `is required: ${argument}`}`,
      );
  }
  return { value, errors };
}

/**
 * Applies {@link substituteString} to every string value of a parsed document, never to keys,
 * and collects every failure with its path, and every secret it substituted. A string that failed
 * keeps its text as written.
 */
export function substituteEnv(
  data: unknown,
  env: Environment,
): { value: unknown; issues: SubstitutionIssue[]; secrets: string[] } {
  const issues: SubstitutionIssue[] = [];
  const secrets: string[] = [];
  const visit = (node: unknown, path: PathSegment[]): unknown => {
    if (typeof node === 'string') {
      const { value, errors } = substituteString(node, env, secrets);
      for (const message of errors) issues.push({ path, message });
      return errors.length > 0 ? node : value;
    }
    if (Array.isArray(node)) return node.map((item, index) => visit(item, [...path, index]));
    if (isRecord(node)) {
      return Object.fromEntries(
        Object.entries(node).map(([key, item]) => [key, visit(item, [...path, key])]),
      );
    }
    return node;
  };
  return { value: visit(data, []), issues, secrets: [...new Set(secrets)] };
}
