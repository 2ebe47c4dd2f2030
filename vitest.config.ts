import { defineConfig } from 'vitest/config';

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
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', './scripts/summary-reporter.ts'],
  },
});
