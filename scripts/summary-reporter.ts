import type { Reporter, TestModule } from 'vitest/node';

/**
 * Ends the test run with one plain line, `N passed, N failed`, that a reader (and CI) can grep.
 * A file that fails outside any test (an import error, a failing `beforeAll`) counts as one
 * failure, so the line never reads `0 failed` when the run failed.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<unknown>,
  ): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of testModules) {
      let moduleFailed = 0;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') moduleFailed++;
        else skipped++;
      }
      if (moduleFailed === 0 && module.state() === 'failed') moduleFailed = 1;
      failed += moduleFailed;
    }
    failed += unhandledErrors.length;
    const tail = skipped > 0 ? `, ${skipped} skipped` : '';
    process.stdout.write(`\n${passed} passed, ${failed} failed${tail}\n`);
  }
}
