import { isAbsolute, join, relative, resolve } from 'node:path';
import type { SwitchyardConfig } from '../model.js';

/** SQLite's name for a database that lives in memory only: not a path. */
const IN_MEMORY = ':memory:';

function expandHome(path: string, home: string): string {
  if (path === '~') return home;
  return path.startsWith('~/') ? join(home, path.slice(2)) : path;
}

/**
 * Makes every path of a config loaded from a file absolute: relative paths are taken from the
 * file's directory (not the process's cwd, which differs between a terminal and a client that
 * spawns the proxy), `~/` from the home directory. A stdio server without `cwd` runs in the file's
 * directory, so the paths in its `args` mean the same wherever the proxy is started.
 */
export function resolvePaths(
  config: SwitchyardConfig,
  baseDir: string,
  home: string,
): SwitchyardConfig {
  const absolute = (path: string) => resolve(baseDir, expandHome(path, home));
  const { logging, contextTracing, audit } = config;
  return {
    ...config,
    logging: logging.dir === undefined ? logging : { ...logging, dir: absolute(logging.dir) },
    contextTracing:
      contextTracing.sqlitePath === undefined || contextTracing.sqlitePath === IN_MEMORY
        ? contextTracing
        : { ...contextTracing, sqlitePath: absolute(contextTracing.sqlitePath) },
    audit: audit.path === undefined ? audit : { ...audit, path: absolute(audit.path) },
    servers: config.servers.map((server) =>
      server.transport.type === 'stdio'
        ? {
            ...server,
            transport: { ...server.transport, cwd: absolute(server.transport.cwd ?? '.') },
          }
        : server,
    ),
  };
}

/** `path` relative to `cwd` when it lies inside it (shorter error messages), else absolute. */
export function displayPath(path: string, cwd: string): string {
  const shown = relative(cwd, path);
  return shown === '' || shown.startsWith('..') || isAbsolute(shown) ? path : shown;
}
