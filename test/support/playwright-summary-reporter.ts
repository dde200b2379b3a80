/** Prints `playwright: N passed, N failed, N skipped` for scripts/test.mjs to sum. */
import type { FullResult, Reporter, TestCase, TestResult } from '@playwright/test/reporter';

export default class SummaryReporter implements Reporter {
  private readonly outcomes = new Map<string, string>();

  onTestEnd(test: TestCase, result: TestResult): void {
    if (result.status === 'skipped') {
      const reason = test.annotations.find((a) => a.type === 'skip')?.description ?? 'no reason given';
      process.stdout.write(`skipped: ${test.title} — ${reason}\n`);
    }
    // The last attempt decides (no retries configured, but stay correct if they are).
    this.outcomes.set(test.id, result.status === 'skipped' ? 'skipped' : test.outcome() === 'expected' || test.outcome() === 'flaky' ? 'passed' : 'failed');
  }

  onEnd(result: FullResult): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const outcome of this.outcomes.values()) {
      if (outcome === 'passed') passed++;
      else if (outcome === 'failed') failed++;
      else skipped++;
    }
    // A run that broke before any test (config error, global setup) must not read as green.
    if (result.status !== 'passed' && failed === 0) failed = 1;
    process.stdout.write(`\nplaywright: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
