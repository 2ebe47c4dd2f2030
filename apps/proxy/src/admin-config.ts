import type { ConfigValidation, ConfigView } from '@switchyard/admin-api';
import { ConfigError, parseConfig, type SwitchyardConfig } from '@switchyard/config';
import type { SecretSet } from '@switchyard/logging';
import { redactConfig } from './config-secrets.js';

/** `GET /api/config`: the configuration in force, every secret replaced (docs/operations.md). */
export function configView(config: SwitchyardConfig): ConfigView {
  return { file: config.file ?? null, config: redactConfig(config) };
}

/**
 * `POST /api/config/validate`: parses and validates a configuration text as a reload would (the
 * same parser, dialect detection and checks), without applying it. Every issue comes back with its
 * line and column; values the text quotes are redacted like everything else the API answers.
 */
export function validateConfigText(
  text: string,
  format: ConfigValidation['format'] | undefined,
  secrets: Pick<SecretSet, 'redactValue'>,
): ConfigValidation {
  const used = format ?? (/^\s*[{[]/.test(text) ? 'json' : 'yaml');
  try {
    const config = parseConfig(text, { format: used });
    return { ok: true, format: used, issues: [], servers: config.servers.map((s) => s.name) };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const issues = error.issues.map(({ path, message, line, column }) => ({
      path,
      message,
      ...(line === undefined ? {} : { line }),
      ...(column === undefined ? {} : { column }),
    }));
    return secrets.redactValue({
      ok: false,
      format: used,
      issues,
      servers: [],
    }) as ConfigValidation;
  }
}
