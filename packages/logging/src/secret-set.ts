/** What a secret is replaced with. */
export const REDACTED = '[redacted]';

/** Values shorter than this are ignored: they would redact ordinary text ("port 1"). */
const MIN_LENGTH = 4;

const WORD = /^[\p{L}\p{N}_]$/u;
const NOT_AFTER_WORD = '(?<![\\p{L}\\p{N}_])';
const NOT_BEFORE_WORD = '(?![\\p{L}\\p{N}_])';

/**
 * The secrets every log line and answer is redacted with, shared by whoever writes (the proxy's
 * logger, the per-server log files) and replaced as a whole when the configuration changes
 * (docs/operations.md, "Secrets").
 */
export interface SecretSet {
  /** Puts `values` in force instead of the current ones; takes effect for the next redaction. */
  replace(values: Iterable<string>): void;
  /**
   * `text` with every secret replaced by `[redacted]` where it stands as a whole token: not
   * inside a longer word (`abcd` is not redacted in `xabcd1`), longest first, so that overlapping
   * secrets are redacted in full.
   */
  redact(text: string): string;
  /**
   * A copy of `value` with every string in it redacted, object keys included (arrays and plain
   * objects, deeply); an `Error` becomes its redacted text. The value itself while there are no
   * secrets.
   */
  redactValue<T>(value: T): T;
  /**
   * Whether `text` (often JSON) may hold a secret: true when any secret, or its form inside a JSON
   * string, occurs in it anywhere, token or not. A cheap test before {@link redactValue} copies a
   * value: where it is false, redacting changes nothing.
   */
  mayHold(text: string): boolean;
  /** How many secrets are in force (those long enough to count). */
  readonly size: number;
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

/** The pattern of one secret, bounded only where it begins or ends with a word character. */
function tokenPattern(secret: string): string {
  const chars = [...secret];
  const before = WORD.test(chars[0] ?? '') ? NOT_AFTER_WORD : '';
  const after = WORD.test(chars.at(-1) ?? '') ? NOT_BEFORE_WORD : '';
  return `${before}${escapeRegExp(secret)}${after}`;
}

interface Patterns {
  /** Each secret as a whole token (what is redacted). */
  pattern: RegExp | undefined;
  /** Each secret anywhere, as written and as JSON writes it inside a string (what may be). */
  anywhere: RegExp | undefined;
  size: number;
}

function patternOf(values: Iterable<string>): Patterns {
  const list = [...new Set(values)]
    .filter((value) => typeof value === 'string' && value.length >= MIN_LENGTH)
    .sort((a, b) => b.length - a.length);
  if (list.length === 0) return { pattern: undefined, anywhere: undefined, size: 0 };
  const forms = new Set(list.flatMap((value) => [value, JSON.stringify(value).slice(1, -1)]));
  return {
    pattern: new RegExp(list.map(tokenPattern).join('|'), 'gu'),
    anywhere: new RegExp([...forms].map(escapeRegExp).join('|'), 'u'),
    size: list.length,
  };
}

const isPlainObject = (value: object): boolean => {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

/** Creates a {@link SecretSet} holding `values`. */
export function createSecretSet(values: Iterable<string> = []): SecretSet {
  let current = patternOf(values);
  const redact = (text: string): string =>
    current.pattern === undefined ? text : text.replace(current.pattern, REDACTED);
  const walk = (value: unknown, seen: WeakSet<object>): unknown => {
    if (typeof value === 'string') return redact(value);
    if (typeof value !== 'object' || value === null) return value;
    if (value instanceof Error) return redact(String(value));
    if (seen.has(value)) return '[circular]';
    if (Array.isArray(value)) {
      seen.add(value);
      return value.map((item) => walk(item, seen));
    }
    if (!isPlainObject(value)) return value;
    seen.add(value);
    // Keys too: a secret can stand as a key (a map of tokens), and a key is shown like a value.
    return Object.fromEntries(
      Object.entries(value).map(([k, item]) => [redact(k), walk(item, seen)]),
    );
  };
  return {
    replace(next) {
      current = patternOf(next);
    },
    redact,
    redactValue<T>(value: T): T {
      return current.pattern === undefined ? value : (walk(value, new WeakSet()) as T);
    },
    mayHold(text) {
      return current.anywhere?.test(text) === true;
    },
    get size() {
      return current.size;
    },
  };
}

/** Whether `secrets` is a {@link SecretSet} rather than a plain list of values. */
export function isSecretSet(secrets: Iterable<string> | SecretSet): secrets is SecretSet {
  return typeof (secrets as Partial<SecretSet>).redact === 'function';
}

/** The set itself, or a fixed set of the listed values. */
export function secretSetOf(secrets: Iterable<string> | SecretSet | undefined): SecretSet {
  if (secrets === undefined) return createSecretSet();
  return isSecretSet(secrets) ? secrets : createSecretSet(secrets);
}
