/** True for a plain key/value object (what YAML maps, JSON objects and TOML tables parse to). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
