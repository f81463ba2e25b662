/** A throwaway "installed harness": a site directory with the package, its tasks and dist-info. */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Harness } from '../../src/core/spec.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/discovery/', import.meta.url));

export interface FakeSite {
  /** Put this on PYTHONPATH. */
  site: string;
  pkg: string;
  tasks: string;
  cleanup(): void;
}

const MODULE: Record<Harness, string> = { 'lmms-eval': 'lmms_eval', 'lm-eval': 'lm_eval' };

export function tempDir(prefix = 'lmms-tui-discovery-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** Creates `<site>/<module>/` with `tasks/` copied from a fixture tree, and `<module>-<version>.dist-info`. */
export function fakeSite(harness: Harness, tasksFrom: string, options: { version?: string; registry?: string } = {}): FakeSite {
  const site = tempDir();
  const module = MODULE[harness];
  const pkg = path.join(site, module);
  mkdirSync(pkg, { recursive: true });
  writeFileSync(path.join(pkg, '__init__.py'), '');
  cpSync(tasksFrom, path.join(pkg, 'tasks'), { recursive: true });
  if (options.registry) {
    mkdirSync(path.join(pkg, 'models'), { recursive: true });
    cpSync(options.registry, path.join(pkg, 'models', '__init__.py'));
  }
  const version = options.version ?? '9.9.9';
  const dist = path.join(site, `${module}-${version}.dist-info`);
  mkdirSync(dist);
  writeFileSync(path.join(dist, 'METADATA'), `Metadata-Version: 2.1\nName: ${module}\nVersion: ${version}\n`);
  return { site, pkg, tasks: path.join(pkg, 'tasks'), cleanup: () => rmSync(site, { recursive: true, force: true }) };
}

/** The environment of a run that sees only this site (and no virtualenv or conda of the host). */
export function siteEnv(site: string | null): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.VIRTUAL_ENV;
  delete env.CONDA_PREFIX;
  if (site) env.PYTHONPATH = site;
  else delete env.PYTHONPATH;
  return env;
}

/** Waits for a condition, polling; fails after the deadline. */
export async function until(cond: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
