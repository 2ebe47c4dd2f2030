type UndefinedKeys<T> = { [K in keyof T]-?: undefined extends T[K] ? K : never }[keyof T];

/** `T` with every property that may be `undefined` turned into an optional property without it. */
export type OmitUndefined<T> = { [K in Exclude<keyof T, UndefinedKeys<T>>]: T[K] } & {
  [K in UndefinedKeys<T>]?: Exclude<T[K], undefined>;
};

/**
 * Drops `undefined` properties, so optional values can be passed on under
 * `exactOptionalPropertyTypes` without a conditional spread per field.
 */
export function omitUndefined<T extends object>(value: T): OmitUndefined<T> {
  const result: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) if (entry !== undefined) result[key] = entry;
  return result as OmitUndefined<T>;
}
