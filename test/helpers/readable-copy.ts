/**
 * Tests that run lmms-tui as another uid (65534, `nobody`) need files that user can read. A checkout can sit
 * under a directory only its owner may enter (`mktemp -d` makes 0700 ones, and CI clones into a fresh folder
 * we do not choose), so those tests run a copy: the shipped bundle (bin/ and dist/, self-contained: esbuild
 * bundles every dependency) and the demo harness, in a world-readable temp dir. Made once per test process.
 */
import { build } from 'esbuild';
import { chmodSync, cpSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let copy: string | null = null;

/** Every directory 0755 and every file readable by all (executables keep their x bits). */
function openUp(p: string): void {
  const st = statSync(p);
  if (st.isDirectory()) {
    chmodSync(p, 0o755);
    for (const name of readdirSync(p)) openUp(path.join(p, name));
  } else {
    chmodSync(p, (st.mode & 0o111 ? 0o755 : 0o644));
  }
}

/** The copy's root: bin/lmms-tui.js, dist/, demo/, package.json and test/fixtures/, readable by any uid. */
export function readableCopy(): string {
  if (copy) return copy;
  const dir = mkdtempSync(path.join(tmpdir(), 'lmms-readable-'));
  for (const part of ['bin', 'dist', 'demo', 'package.json', 'test/fixtures']) {
    cpSync(path.join(ROOT, part), path.join(dir, part), { recursive: true });
  }
  openUp(dir);
  copy = dir;
  return dir;
}

/** The CLI entry in the readable copy (what LMMS_TUI_SERVER_ENTRY points at for another uid). */
export function readableEntry(): string {
  return path.join(readableCopy(), 'bin', 'lmms-tui.js');
}

/** A test-side TypeScript entry bundled (with its dependencies) into one ESM file in the readable copy. */
export async function readableScript(entry: string): Promise<string> {
  const out = path.join(readableCopy(), 'scripts', `${path.basename(entry, path.extname(entry))}.mjs`);
  await build({
    absWorkingDir: ROOT,
    entryPoints: [entry],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    // Bundled CommonJS dependencies call require(); give the ESM bundle one (as scripts/build.mjs does).
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  openUp(path.dirname(out));
  return out;
}
