import { defineConfig } from 'vitest/config';

/**
 * One package's unit tests alone (each package's `test` script, run from the package folder):
 * sources of sibling packages resolve through the `@switchyard/source` condition, as in the root run.
 */
export default defineConfig({
  resolve: { conditions: ['@switchyard/source'] },
  ssr: { resolve: { conditions: ['@switchyard/source'] } },
  test: { include: ['src/**/*.test.ts'], testTimeout: 30_000 },
});
