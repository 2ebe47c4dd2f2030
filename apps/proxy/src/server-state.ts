import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Run-time choices that outlive the process (docs/operations.md, "Run-time control"): servers
 * enabled or disabled by hand, per config file, in one small JSON file under the state directory.
 * Written whole to a temporary file and renamed over the old one, so a crash never leaves it
 * half-written.
 */
export interface ServerStateStore {
  /** The enabled state chosen at run time for each server that has one. */
  readonly overrides: ReadonlyMap<string, boolean>;
  setEnabled(server: string, enabled: boolean): void;
}

interface StateFile {
  version: 1;
  configs: Record<string, { enabled: Record<string, boolean> }>;
}

function read(file: string): StateFile {
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as StateFile;
    if (value.version === 1 && typeof value.configs === 'object' && value.configs !== null)
      return value;
  } catch {
    // Missing or unreadable: start empty; the next choice rewrites it.
  }
  return { version: 1, configs: {} };
}

/**
 * Opens the store for one config (`key`: its file path). Without a file (no state directory),
 * choices last for the life of the process only.
 */
export function openServerState(
  file: string | undefined,
  key: string,
  onError: (error: Error) => void,
): ServerStateStore {
  const overrides = new Map(Object.entries(file ? (read(file).configs[key]?.enabled ?? {}) : {}));
  return {
    overrides,
    setEnabled(server, enabled) {
      overrides.set(server, enabled);
      if (!file) return;
      try {
        const state = read(file);
        state.configs[key] = { enabled: Object.fromEntries(overrides) };
        mkdirSync(dirname(file), { recursive: true });
        const temporary = `${file}.${process.pid}.tmp`;
        writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`);
        renameSync(temporary, file);
      } catch (error) {
        onError(error instanceof Error ? error : new Error(String(error)));
      }
    },
  };
}
