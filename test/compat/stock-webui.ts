/**
 * lmms-eval's own built web front end (`lmms_eval/tui/web/dist` in the 0.7.3 wheel), for driving in
 * Chromium. Fetched once with pip from PyPI and only that folder extracted, into a cache outside the
 * repository (the front end is lmms-eval's, not ours to commit): `$LMMS_TUI_TEST_CACHE` or
 * `~/.cache/lmms-tui-test`.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';

export const STOCK_VERSION = '0.7.3';

export function stockFrontEnd(): string {
  const cache = process.env.LMMS_TUI_TEST_CACHE ?? path.join(homedir(), '.cache', 'lmms-tui-test');
  const dist = path.join(cache, `lmms-eval-${STOCK_VERSION}-webui`, 'dist');
  if (existsSync(path.join(dist, 'index.html'))) return dist;
  const tmp = mkdtempSync(path.join(tmpdir(), 'lmms-webui-wheel-'));
  try {
    execFileSync('python3', ['-m', 'pip', 'download', '--quiet', '--no-deps', '--only-binary=:all:', `lmms-eval==${STOCK_VERSION}`, '-d', tmp], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000 });
    const wheel = readdirSync(tmp).find((f) => f.endsWith('.whl'));
    if (!wheel) throw new Error(`pip downloaded no wheel of lmms-eval ${STOCK_VERSION}`);
    const out = path.join(tmp, 'x');
    // Only the built front end; a wheel is a zip, which python's stdlib reads.
    const script = [
      'import sys, zipfile',
      'z = zipfile.ZipFile(sys.argv[1])',
      "names = [n for n in z.namelist() if n.startswith('lmms_eval/tui/web/dist/')]",
      "assert names, 'no lmms_eval/tui/web/dist in the wheel'",
      'z.extractall(sys.argv[2], names)',
    ].join('\n');
    execFileSync('python3', ['-c', script, path.join(tmp, wheel), out]);
    mkdirSync(path.dirname(dist), { recursive: true });
    rmSync(dist, { recursive: true, force: true });
    // A copy, not a rename: the temp dir may be on another file system.
    cpSync(path.join(out, 'lmms_eval', 'tui', 'web', 'dist'), dist, { recursive: true });
    return dist;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Debian's chromium (`apt-get install chromium`; .ci/run installs it). */
export const CHROMIUM = process.env.LMMS_TUI_CHROMIUM ?? '/usr/bin/chromium';
