import { defineConfig } from 'vitest/config';
import { TEST_STATE_HOME } from './scripts/test-state.js';

/**
 * One run over every package's unit tests and the cross-package tests. The `@switchyard/source` condition
 * resolves `@switchyard/*` imports to their TypeScript sources, so tests never run stale builds.
 */
export default defineConfig({
  resolve: { conditions: ['@switchyard/source'] },
  ssr: { resolve: { conditions: ['@switchyard/source'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'tests/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    // Processes started by tests keep their state (logs) out of the user's home directory; the
    // global setup removes it after the run and fails the run if the user's state changed.
    env: { XDG_STATE_HOME: TEST_STATE_HOME },
    globalSetup: ['./scripts/test-state.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', './scripts/summary-reporter.ts'],
  },
});
