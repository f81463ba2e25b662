// The UI tests without the global bundle build, so other areas' in-progress code cannot block them:
//   npx vitest run -c test/ui/vitest.ui.config.ts test/ui
// Same settings as vitest.config.ts otherwise. The e2e tests (test/e2e) need the bundle: use the main config.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['test/ui/**/*.test.ts', 'test/ui/**/*.test.tsx'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    env: { CI: 'false', COLUMNS: '120', LINES: '40', FORCE_COLOR: '0' },
  },
});
