import { resolveConfig } from './internal/resolve-config.js';
import type { ParseOptions, SwitchyardConfig } from './model.js';

/**
 * Validates a configuration given as an object (e.g. to `createProxy`) in any dialect, with the
 * same `${VAR}` substitution, checks and defaults as a file, but without positions.
 */
export function normalizeConfig(input: unknown, options: ParseOptions = {}): SwitchyardConfig {
  return resolveConfig(input, { file: options.file }, options);
}
