import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
  // The real-harness tier (test/real/): under CI its venvs must exist (.ci/run creates them); say so
  // before any test runs rather than as one failure per file. Elsewhere each file prints why it skips.
  const ci = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';
  if (ci || process.env.LMMS_TUI_REAL_REQUIRED === '1') {
    const check = spawnSync('bash', ['scripts/real-harnesses.sh', '--check'], { cwd: root, encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`the real-harness tier needs its venvs under CI:\n${check.stderr}`);
  }
}
