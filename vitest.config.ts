import { defineConfig } from 'vitest/config';

// Test workers see CI=false (below), so whether CI runs this suite is passed on separately: under CI the
// real-harness tier (test/real/) must run, and fails when its venvs are missing instead of skipping.
const ci = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // Builds dist/ once so CLI end-to-end tests run the shipped bundle.
    globalSetup: ['test/global-setup.ts'],
    reporters: ['default', './test/summary-reporter.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    env: { CI: 'false', LMMS_TUI_REAL_REQUIRED: ci || process.env.LMMS_TUI_REAL_REQUIRED === '1' ? '1' : '0', COLUMNS: '120', LINES: '40', FORCE_COLOR: '0' },
  },
});
