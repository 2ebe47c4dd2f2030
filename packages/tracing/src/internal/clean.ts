import { canonicalJson } from '@switchyard/protocol';

/**
 * How the tracer keeps secrets out of what it hashes and stores (`TracerOptions.redact` and
 * `secretIn`). With `secretIn`, a value is serialised as it is and redacted only when its text
 * may hold a secret: a redaction copies the whole value, and nearly no message holds one.
 */
export interface Cleaner {
  /** `value` redacted, as JSON text (`null` for what JSON cannot write). */
  text(value: unknown): string;
  /** `value` redacted (the value itself when nothing in it can be a secret). */
  value(value: unknown): unknown;
  /** `value` redacted, and its canonical JSON (`canonicalJson`, `@switchyard/protocol`). */
  canonical(value: unknown): { value: unknown; text: string };
}

/**
 * The {@link Cleaner} of `redact` (none: values are kept as they are) and `secretIn`, which tells
 * whether a JSON text may hold a secret (none: every value is redacted). `secretIn` must answer
 * true for every text in which `redact` would change anything.
 */
export function cleaner(
  redact: ((value: unknown) => unknown) | undefined,
  secretIn: ((text: string) => boolean) | undefined,
): Cleaner {
  const json = (value: unknown) => JSON.stringify(value) ?? 'null';
  if (!redact) {
    return { text: json, value: (value) => value, canonical: (value) => plain(value) };
  }
  if (!secretIn) {
    return {
      text: (value) => json(redact(value)),
      value: redact,
      canonical: (value) => plain(redact(value)),
    };
  }
  return {
    // A value that cannot be serialised as it is (a cycle: `redact` breaks it) is redacted.
    text(value) {
      const text = attempt(() => json(value));
      return text === undefined || secretIn(text) ? json(redact(value)) : text;
    },
    value(value) {
      const text = attempt(() => json(value));
      return text === undefined || secretIn(text) ? redact(value) : value;
    },
    canonical(value) {
      const text = attempt(() => canonicalJson(value));
      return text === undefined || secretIn(text) ? plain(redact(value)) : { value, text };
    },
  };
}

const plain = (value: unknown) => ({ value, text: canonicalJson(value) });

function attempt(make: () => string): string | undefined {
  try {
    return make();
  } catch {
    return undefined;
  }
}
