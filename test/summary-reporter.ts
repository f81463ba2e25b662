// Prints one plain closing line, `N passed, N failed, N skipped`, after vitest's own summary, so tools
// that read a run's last lines (CI's "ran no test" check) understand the result without knowing vitest.
// Every skipped test is named above that line with its file: a skip is never silent.
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    const skipped: string[] = [];
    for (const m of modules) {
      let failedHere = 0;
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failedHere++;
        else skipped.push(`${m.moduleId.replace(`${process.cwd()}/`, '')} > ${t.fullName}`);
      }
      // A file that failed to load, or whose beforeAll/afterAll threw, failed even when none of its tests did.
      if (m.state() === 'failed' && failedHere === 0) failedHere = 1;
      failed += failedHere;
    }
    const names = skipped.map((s) => `  skipped: ${s}\n`).join('');
    process.stdout.write(`\n${names}${passed} passed, ${failed} failed, ${skipped.length} skipped\n`);
  }
}
