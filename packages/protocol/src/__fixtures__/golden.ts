import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Whether this run rewrites golden files: only when asked, with `UPDATE_GOLDEN=1`, and never in
 * CI (`CI` set). Nothing else writes them (not `vitest -u`, not a first run), so a deleted or
 * renamed golden file fails the test instead of being silently recreated from whatever the code
 * does now.
 */
export function updatingGolden(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
  return env.UPDATE_GOLDEN === '1' && !ci;
}

/**
 * The golden text stored at `file`, to compare with `actual`. When `update` is set, `actual` is
 * written there first. A missing file throws, naming the command that writes it.
 */
export function readGolden(file: string, actual: string, update = updatingGolden()): string {
  if (update) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
  }
  if (!existsSync(file)) {
    throw new Error(
      `golden file ${file} is missing; if the change is intended, write it with ` +
        '`UPDATE_GOLDEN=1 npx vitest run packages/protocol/src/translate/translate.test.ts` ' +
        'and review the diff',
    );
  }
  return readFileSync(file, 'utf8');
}
