import { type JsonObject, SwitchyardError } from '@switchyard/protocol';

/** Reading tool arguments: every wrong shape is an `invalid_params` error the model can read. */
export const bad = (message: string) => new SwitchyardError('invalid_params', message);

export function text(args: JsonObject, key: string, required: true): string;
export function text(args: JsonObject, key: string, required?: false): string | undefined;
export function text(args: JsonObject, key: string, required = false): string | undefined {
  const v = args[key];
  if (v === undefined || v === null) {
    if (required) throw bad(`${key} is required`);
    return undefined;
  }
  if (typeof v !== 'string' || v.length === 0) throw bad(`${key} must be a non-empty string`);
  return v;
}

export function number(
  args: JsonObject,
  key: string,
  min: number,
  max: number,
): number | undefined {
  const v = args[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw bad(`${key} must be a number from ${min} to ${max}`);
  }
  return v;
}

export function list<T>(
  args: JsonObject,
  key: string,
  check: (v: unknown) => v is T,
): T[] | undefined {
  const v = args[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every(check)) throw bad(`${key} has the wrong shape`);
  return v;
}

export const result = (body: string, structured?: JsonObject): JsonObject =>
  structured
    ? { content: [{ type: 'text', text: body }], structuredContent: structured }
    : { content: [{ type: 'text', text: body }] };

export const json = (value: unknown): string => JSON.stringify(value, null, 2);

export const idSchema = (description: string) => ({ type: 'string', description, minLength: 1 });

export const strOrNum = (v: unknown): v is string | number =>
  typeof v === 'string' || typeof v === 'number';
export const isCitation = (v: unknown): v is { unitId: string; quote?: string; note?: string } =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as { unitId?: unknown }).unitId === 'string' &&
  ['quote', 'note'].every((k) => {
    const f = (v as Record<string, unknown>)[k];
    return f === undefined || typeof f === 'string';
  });
