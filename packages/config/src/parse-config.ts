import { formatFromFile, parseSource } from './internal/parse-source.js';
import { resolveConfig } from './internal/resolve-config.js';
import type { ParseOptions, SwitchyardConfig } from './model.js';

/**
 * Reads a configuration text in any format (YAML, JSON, TOML) and dialect into the validated model.
 * Throws a `ConfigError` carrying every syntax, substitution and validation issue at once, each
 * with file, line and column (docs/configuration.md, "Errors").
 */
export function parseConfig(text: string, options: ParseOptions = {}): SwitchyardConfig {
  const format = options.format ?? formatFromFile(options.file);
  const document = parseSource(text, format, options.file);
  return resolveConfig(document.data, { file: options.file, locate: document.locate }, options);
}
