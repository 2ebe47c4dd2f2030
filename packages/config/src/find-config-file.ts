import { statSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The names looked for when no file is given, in order: Switchyard's own, then the seed's, so that
 * a directory set up for mcp-rust-proxy works as it is.
 */
export const CONFIG_FILE_NAMES = [
  'switchyard.yaml',
  'switchyard.yml',
  'switchyard.json',
  'switchyard.toml',
  'mcp-proxy.toml',
  'mcp-proxy.json',
  'mcp-proxy.yaml',
  'mcp-proxy.yml',
] as const;

/** The first configuration file of {@link CONFIG_FILE_NAMES} in `cwd`, as an absolute path. */
export function findConfigFile(cwd: string): string | undefined {
  for (const name of CONFIG_FILE_NAMES) {
    const file = resolve(cwd, name);
    if (statSync(file, { throwIfNoEntry: false })?.isFile()) return file;
  }
  return undefined;
}
