import { defineConfig } from 'vitest/config';
import { TEST_STATE_HOME } from './scripts/test-state.js';

/**
 * One package's unit tests alone (each package's `test` script, run from the package folder):
 * sources of sibling packages resolve through the `@switchyard/source` condition, as in the root run.
 */
export default defineConfig({
  resolve: { conditions: ['@switchyard/source'] },
  ssr: { resolve: { conditions: ['@switchyard/source'] } },
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 30_000,
    // As in the root run (vitest.config.ts): state in a temp dir, the user's left untouched.
    env: { XDG_STATE_HOME: TEST_STATE_HOME },
    globalSetup: ['../../scripts/test-state.ts'],
  },
});
