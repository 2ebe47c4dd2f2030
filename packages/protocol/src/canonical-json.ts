/**
 * JSON with object keys sorted at every level, so that two equal values always give the same
 * text (and hash) whatever order their keys were built in: the digests and keys of tool pins,
 * request state, the modern bridge's capability profiles and context tracing's unit ids.
 * `undefined` members are left out as `JSON.stringify` does; non-finite numbers become `null`.
 *
 * Most values (what `JSON.parse` made of a backend's answer) already have their keys in order:
 * for those, `JSON.stringify` gives the same text at a third of the cost of building it here.
 */
export function canonicalJson(value: unknown): string {
  return inOrder(value, 0) ? JSON.stringify(value) : builtJson(value);
}

/**
 * Whether `JSON.stringify(value)` is already canonical: plain objects whose keys come in sorted
 * order, arrays, strings, finite numbers, booleans and null, nothing else (no `undefined`,
 * function, bigint, `toJSON`, class instance), nested at most 64 deep.
 */
function inOrder(value: unknown, depth: number): boolean {
  if (value === null) return true;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object':
      break;
    default:
      return false;
  }
  if (depth > 64) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!inOrder(value[i], depth + 1)) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  const record = value as Record<string, unknown>;
  let previous: string | undefined;
  // `for…in` visits keys in the order `JSON.stringify` writes them (integer-like keys first).
  for (const key in record) {
    if (!Object.hasOwn(record, key)) return false;
    if (previous !== undefined && previous > key) return false;
    previous = key;
    if (!inOrder(record[key], depth + 1)) return false;
  }
  return true;
}

/** {@link canonicalJson} built member by member, sorting keys where they are out of order. */
export function builtJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') {
      return 'null';
    }
    if (typeof value === 'bigint') return JSON.stringify(value.toString());
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out += builtJson(value[i]);
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  // Most objects arrive with their keys in order already; sorting is then skipped.
  for (let i = 1; i < keys.length; i++) {
    if ((keys[i - 1] as string) > (keys[i] as string)) {
      keys.sort();
      break;
    }
  }
  let out = '{';
  let first = true;
  for (const key of keys) {
    const member = record[key];
    if (member === undefined || typeof member === 'function') continue;
    if (!first) out += ',';
    first = false;
    out += `${JSON.stringify(key)}:${builtJson(member)}`;
  }
  return `${out}}`;
}
