import * as v from 'valibot';
import { unknownKeyMessage } from './did-you-mean.js';
import { isRecord } from './is-record.js';

/*
 * Building blocks of the dialect schemas. Each schema's message is the description of what it
 * expects ("array of strings"), which `to-config-issues` turns into "expected X, received Y";
 * raw checks instead carry whole sentences.
 */

export const string = () => v.string('string');

export const nonEmptyString = () =>
  v.pipe(v.string('non-empty string'), v.nonEmpty('non-empty string'));

export const boolean = () => v.boolean('boolean');

/** An integer, optionally bounded; the bounds are part of the expectation shown to the user. */
export function integer(min?: number, max?: number) {
  const expected =
    min === undefined
      ? 'integer'
      : max === undefined
        ? `integer >= ${min}`
        : `integer from ${min} to ${max}`;
  const whole = v.pipe(v.number(expected), v.integer(expected));
  if (min === undefined) return whole;
  if (max === undefined) return v.pipe(whole, v.minValue(min, expected));
  return v.pipe(whole, v.minValue(min, expected), v.maxValue(max, expected));
}

/** A number above zero, fractions allowed (a rate). */
export const positiveNumber = () => v.pipe(v.number('number > 0'), v.gtValue(0, 'number > 0'));

/** A TCP port; 0 asks the system for a free one (useful for tests and embedding). */
export const port = () => integer(0, 65535);

export const stringList = () => v.array(v.string('string'), 'array of strings');

/** A list of key hashes (see {@link keyHash}). */
export const keyHashList = () => v.array(keyHash(), 'array of key hashes');

/**
 * valibot's object and record schemas accept arrays (an array is an object in JavaScript), which
 * would turn a YAML list written where a map belongs (`env: [A=1]`, docker-compose style) into
 * keys "0", "1". This reports such a list as a type error instead.
 */
function rejectArrays<const TSchema extends v.GenericSchema>(
  schema: TSchema,
  expected: string,
): TSchema {
  const arrayError = v.custom<never>(() => false, expected);
  return {
    ...schema,
    '~run'(dataset, config) {
      if (!Array.isArray(dataset.value)) return schema['~run'](dataset, config);
      return arrayError['~run'](dataset, config) as ReturnType<TSchema['~run']>;
    },
  };
}

/** A map from names (checked by `key`) to values, e.g. `servers` or `env`. */
export function map<
  const TKey extends v.GenericSchema<string, string>,
  const TValue extends v.GenericSchema,
>(key: TKey, value: TValue, expected: string) {
  return rejectArrays(v.record(key, value, expected), expected);
}

export const stringMap = () => map(v.string(), v.string('string'), 'map of strings');

/** One of a fixed set of strings, e.g. `one of "json", "pretty"`. */
export function oneOf<const T extends readonly [string, ...string[]]>(options: T) {
  return v.picklist(
    options,
    `one of ${options.map((option) => JSON.stringify(option)).join(', ')}`,
  );
}

/** A string made only of MCP tool-name characters, which routing by name relies on. */
export function nameString(what: string, allowEmpty = false) {
  const expected = `${what} made of letters, digits, "_", "." or "-"`;
  return v.pipe(
    v.string(expected),
    v.regex(allowEmpty ? /^[A-Za-z0-9_.-]*$/ : /^[A-Za-z0-9_.-]+$/, expected),
  );
}

/** A client key as stored in a config file: its SHA-256, never the key itself. */
export const keyHash = () => {
  const expected = '"sha256:" followed by 64 hex digits (see `switchyard key`)';
  return v.pipe(v.string(expected), v.regex(/^sha256:[0-9a-f]{64}$/, expected));
};

/**
 * A list of web origins as a browser sends them in `Origin`: scheme, lower-case host and optional
 * port, nothing else (no path, no trailing slash, no wildcard), so they compare exactly.
 */
export const originList = () => {
  const expected = 'origin such as "https://app.example.com" (scheme, host, optional port)';
  return v.array(
    v.pipe(
      v.string(expected),
      v.regex(/^https?:\/\/(?:\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::[0-9]{1,5})?$/, expected),
    ),
    'array of origins',
  );
};

/**
 * An optional field with a description, which the JSON Schema export shows in editors. Defaults
 * are applied by normalisation, not here, because several depend on other fields or options.
 */
export function field<const TSchema extends v.GenericSchema>(schema: TSchema, description: string) {
  return v.optional(v.pipe(schema, v.description(description)));
}

/** A field that must be there, with a description (see {@link field}). */
export function requiredField<const TSchema extends v.GenericSchema>(
  schema: TSchema,
  description: string,
) {
  return v.pipe(schema, v.description(description));
}

/** A problem found by an {@link ObjectCheck}, at `keys` below the object (the object itself if empty). */
export type ObjectProblem = {
  message: string;
  keys?: readonly string[];
  expected?: string;
  received?: string;
};

/** A rule across the fields of one object; it sees the input even when some fields are invalid. */
export type ObjectCheck = (
  input: Record<string, unknown>,
  report: (problem: ObjectProblem) => void,
) => void;

/** The valibot path from `input` down `keys`, and the value found there. */
function objectPath(input: Record<string, unknown>, keys: readonly string[]) {
  const path: v.ObjectPathItem[] = [];
  let value: unknown = input;
  for (const key of keys) {
    const parent = isRecord(value) ? value : {};
    value = parent[key];
    path.push({ type: 'object', origin: 'value', input: parent, key, value });
  }
  return { path, value };
}

function checkedObject<const TEntries extends v.ObjectEntries>(
  entries: TEntries,
  rejectUnknownKeys: boolean,
  checks: readonly ObjectCheck[],
) {
  const allowed = Object.keys(entries);
  const object = v.pipe(
    v.looseObject(entries, 'object'),
    v.rawCheck(({ dataset, addIssue }) => {
      const input = dataset.value;
      if (!isRecord(input)) return;
      for (const key of rejectUnknownKeys ? Object.keys(input) : []) {
        if (allowed.includes(key)) continue;
        addIssue({
          message: unknownKeyMessage(key, allowed),
          path: [{ type: 'object', origin: 'key', input, key, value: input[key] }],
        });
      }
      for (const check of checks) {
        check(input, ({ message, keys = [], expected, received }) => {
          const { path, value } = objectPath(input, keys);
          addIssue({
            message,
            input: value,
            ...(expected === undefined ? {} : { expected }),
            ...(received === undefined ? {} : { received }),
            ...(path.length === 0
              ? {}
              : { path: path as [v.ObjectPathItem, ...v.ObjectPathItem[]] }),
          });
        });
      }
    }),
  );
  return rejectArrays(object, 'object');
}

/**
 * An object that rejects keys it does not declare, every one of them with a "did you mean"
 * suggestion, plus optional cross-field `checks`. `v.strictObject` stops at the first unknown key
 * and skips later checks once a field is invalid, so this is a loose object plus one raw check that
 * always runs.
 */
export function strictObject<const TEntries extends v.ObjectEntries>(
  entries: TEntries,
  ...checks: ObjectCheck[]
) {
  return checkedObject(entries, true, checks);
}

/** An object that ignores keys it does not declare (files written for other tools), with `checks`. */
export function lenientObject<const TEntries extends v.ObjectEntries>(
  entries: TEntries,
  ...checks: ObjectCheck[]
) {
  return checkedObject(entries, false, checks);
}

/** Accepted as written and passed on untouched (the seed's `plugins`). */
export const opaqueObject = () => map(v.string(), v.unknown(), 'object');
