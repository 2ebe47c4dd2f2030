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

/**
 * The default folder of a configuration's server logs under `logs/`: the file's name and a hash
 * of its absolute path (`switchyard-1a2b3c4d`), readable and distinct for two files of the same
 * name; `inline` for a configuration that was not read from a file.
 */
export function logFolderOf(path: string | undefined): string {
  if (path === undefined) return 'inline';
  const base = path.split(/[\\/]/).pop() ?? '';
  const name = base.replace(/\.[^.]*$/, '').replace(/[^A-Za-z0-9._-]+/g, '_') || 'config';
  return `${name}-${fnv1a(path)}`;
}

/** FNV-1a, 32 bits, as 8 hex digits: a short stable name, not a security measure. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/** A path under Switchyard's folder of the state directory, e.g. `<state>/switchyard/server-state.json`. */
export function statePath(stateDir: string | undefined, name: string): string | undefined {
  return stateDir === undefined
    ? undefined
    : `${stateDir.replace(/[\\/]+$/, '')}/switchyard/${name}`;
}
