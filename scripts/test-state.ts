import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The state directory (`XDG_STATE_HOME`) of one test run: a fresh folder under the system's temp
 * dir, set for every test process by the vitest configs. Whatever a test starts that keeps state
 * (log files, the server-state file) writes there, never under the user's home.
 */
export const TEST_STATE_HOME = join(tmpdir(), `switchyard-test-state-${process.pid}`);

/** Where Switchyard keeps state for the user running the tests, which no test may touch. */
const userState = (): string => join(homedir(), '.local', 'state', 'switchyard');

/** Every file and folder under `dir`, with its size and modification time; empty if absent. */
function snapshot(dir: string): Map<string, string> {
  const entries = new Map<string, string>();
  const visit = (path: string) => {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) return;
    entries.set(path, stat.isDirectory() ? 'dir' : `${stat.size}@${stat.mtimeMs}`);
    if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
  };
  if (existsSync(dir)) visit(dir);
  return entries;
}

/**
 * Vitest global setup: creates the run's state directory, and at the end of the run removes it and
 * fails the run if anything under the user's `~/.local/state/switchyard` appeared or changed
 * meanwhile (a spawned CLI that lost `XDG_STATE_HOME`, say; tests/integration/helpers.ts
 * `stdioProxy` shows how to pass it on).
 */
export default function setup(): () => void {
  mkdirSync(TEST_STATE_HOME, { recursive: true });
  const watched = userState();
  const before = snapshot(watched);
  return () => {
    rmSync(TEST_STATE_HOME, { recursive: true, force: true });
    const after = snapshot(watched);
    const changed = [...after].filter(([path, seen]) => before.get(path) !== seen);
    if (changed.length > 0) {
      // An error thrown here is printed but does not change vitest's exit code by itself.
      process.exitCode = 1;
      throw new Error(
        `the test run wrote outside its temp dirs, under ${watched}:\n` +
          changed.map(([path]) => `  ${path}`).join('\n'),
      );
    }
  };
}
