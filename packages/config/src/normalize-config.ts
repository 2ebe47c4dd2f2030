import { resolveConfig } from './internal/resolve-config.js';
import type { ParseOptions, SwitchyardConfig } from './model.js';

/**
 * Validates a configuration given as an object (e.g. to `createProxy`) in any dialect (C2), with
 * the same substitution (C3), checks (C4) and defaults (C6) as a file, but without positions.
 */
export function normalizeConfig(input: unknown, options: ParseOptions = {}): SwitchyardConfig {
  return resolveConfig(input, { file: options.file }, options);
}
