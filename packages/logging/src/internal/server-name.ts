import { SwitchyardError } from '@switchyard/protocol';

/**
 * Whether a name may be used as a server's log directory: letters, digits, `_`, `-` and `.`,
 * never `.` or anything containing `..`, so that no name can reach outside the log root.
 */
export function isValidServerName(name: string): boolean {
  return /^[A-Za-z0-9_.-]+$/.test(name) && name !== '.' && !name.includes('..');
}

/** Throws `invalid_params` for a name that {@link isValidServerName} refuses. */
export function checkName(server: string): void {
  if (!isValidServerName(server)) {
    throw new SwitchyardError(
      'invalid_params',
      `invalid server name ${JSON.stringify(server)}: use letters, digits, '_', '-' and '.', without '..'`,
      { server },
    );
  }
}
