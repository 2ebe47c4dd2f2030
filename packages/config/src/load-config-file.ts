import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from './config-error.js';
import { CONFIG_FILE_NAMES, findConfigFile } from './find-config-file.js';
import { displayPath, resolvePaths } from './internal/resolve-paths.js';
import type { SwitchyardConfig } from './model.js';
import { parseConfig } from './parse-config.js';

/** Where to look and what environment to substitute from. */
export interface LoadConfigOptions {
  /** Directory that relative `file` names and the search start from; `process.cwd()` by default. */
  cwd?: string;
  /** Variables for `${VAR}` substitution and the state directory; `process.env` by default. */
  env?: Record<string, string | undefined>;
}

function failure(
  code: 'config_not_found' | 'config_unreadable',
  file: string,
  message: string,
  cause?: unknown,
) {
  return new ConfigError(code, [{ file, path: '', message }], { cause });
}

/**
 * Loads a configuration file: the given one, or the first of {@link CONFIG_FILE_NAMES} found in
 * `cwd`. Its paths come back absolute (see `resolvePaths`); the tracing database and logs default
 * to `$XDG_STATE_HOME/switchyard/` or `~/.local/state/switchyard/` (docs/configuration.md, "Paths
 * and defaults"). Throws a `ConfigError`: `config_not_found`, `config_unreadable`, or
 * `config_invalid` with every issue.
 */
export async function loadConfigFile(
  file?: string,
  options: LoadConfigOptions = {},
): Promise<SwitchyardConfig> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const env = options.env ?? process.env;
  const path = file === undefined ? findConfigFile(cwd) : resolve(cwd, file);
  if (path === undefined) {
    throw failure(
      'config_not_found',
      cwd,
      `no configuration file found (looked for ${CONFIG_FILE_NAMES.join(', ')})`,
    );
  }
  const shown = displayPath(path, cwd);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const missing = error instanceof Error && 'code' in error && error.code === 'ENOENT';
    throw missing
      ? failure('config_not_found', shown, 'file not found', error)
      : failure(
          'config_unreadable',
          shown,
          `cannot read the file: ${error instanceof Error ? error.message : String(error)}`,
          error,
        );
  }
  const home = env.HOME || homedir();
  const stateDir = env.XDG_STATE_HOME || join(home, '.local', 'state');
  const config = parseConfig(text, { file: shown, env, stateDir, path });
  return resolvePaths({ ...config, file: path }, dirname(path), home);
}
