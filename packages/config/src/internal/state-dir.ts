import type { ParseOptions } from '../model.js';

/**
 * The user's state directory (XDG base directories): `stateDir` if given, else `$XDG_STATE_HOME`,
 * else `$HOME/.local/state`, read from the `env` option, never from the process (libraries take
 * options; docs/configuration.md, "Paths and defaults", for what lives there).
 */
export function stateDirectory(options: ParseOptions): string | undefined {
  if (options.stateDir !== undefined) return options.stateDir;
  const env = options.env ?? {};
  if (env.XDG_STATE_HOME) return env.XDG_STATE_HOME;
  if (env.HOME) return `${env.HOME}/.local/state`;
  return undefined;
}

/** A path under Switchyard's folder of the state directory, e.g. `<state>/switchyard/tracing.db`. */
export function statePath(stateDir: string | undefined, name: string): string | undefined {
  return stateDir === undefined
    ? undefined
    : `${stateDir.replace(/[\\/]+$/, '')}/switchyard/${name}`;
}
