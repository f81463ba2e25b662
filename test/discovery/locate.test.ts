import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import { demoHarnessDir } from '../../src/core/paths.js';
import { clearProbeCache, defaultPython, demoEnv, locateHarness, probePython } from '../../src/core/discovery/index.js';
import { fakeSite, FIXTURES, siteEnv } from './helpers.js';

const lmms = fakeSite('lmms-eval', path.join(FIXTURES, 'lmms', 'tasks'), { version: '0.7.2' });
afterAll(() => lmms.cleanup());

describe('locateHarness', () => {
  it('finds the package dir, tasks dir and version the interpreter sees on PYTHONPATH', async () => {
    const loc = await locateHarness({ harness: 'lmms-eval', python: 'python3', env: siteEnv(lmms.site), maxAgeMs: 0 });
    expect(loc).toMatchObject({ module: 'lmms_eval', packageDir: lmms.pkg, tasksDir: lmms.tasks, version: '0.7.2', editable: false, python: 'python3' });
    expect(loc.executable).toMatch(/python/);
    expect(loc.sysPath).toContain(lmms.site);
  });

  it('says which interpreter lacks the package and what to install', async () => {
    const err = await locateHarness({ harness: 'lm-eval', python: 'python3', env: siteEnv(lmms.site), maxAgeMs: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toMatch(/^lm_eval is not installed for \/\S*python\S* \(asked via `python3`\)/);
    expect((err as UserError).hint).toContain('pip install lm-eval');
    expect((err as UserError).hint).toContain('--python / --setup');
  });

  it('runs the set-up line first, in the same shell', async () => {
    const loc = await locateHarness({ harness: 'lmms-eval', python: 'python3', setup: `export PYTHONPATH='${lmms.site}'`, env: siteEnv(null), maxAgeMs: 0 });
    expect(loc.packageDir).toBe(lmms.pkg);
    expect(loc.setup).toBe(`export PYTHONPATH='${lmms.site}'`);
    const failed = await locateHarness({ harness: 'lmms-eval', python: 'python3', setup: 'false', env: siteEnv(lmms.site), maxAgeMs: 0 }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(UserError);
    expect((failed as Error).message).toMatch(/set-up line failed/);
  });

  it('reports an interpreter that does not exist', async () => {
    const err = await locateHarness({ harness: 'lmms-eval', python: '/nonexistent/python9', env: siteEnv(lmms.site), maxAgeMs: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/\/nonexistent\/python9 was not found/);
  });

  it('reuses a recent probe and asks again once it is older than maxAgeMs', async () => {
    clearProbeCache();
    const target = { python: 'python3', env: siteEnv(lmms.site) };
    const a = probePython(target, 60_000);
    expect(probePython(target, 60_000)).toBe(a);
    const b = probePython(target, 0);
    expect(b).not.toBe(a);
    expect((await a).packages.lmms_eval?.dir).toBe((await b).packages.lmms_eval?.dir);
  });

  it.skipIf(!existsSync(path.join(demoHarnessDir(), 'lmms_eval')))('finds the demo harness the same way', async () => {
    const loc = await locateHarness({ harness: 'lmms-eval', python: 'python3', env: demoEnv(siteEnv(null)), maxAgeMs: 0 });
    expect(loc.packageDir).toBe(path.join(demoHarnessDir(), 'lmms_eval'));
    expect(loc.version).toMatch(/demo/);
  });
});

describe('defaultPython', () => {
  it('prefers the active virtualenv, then conda, then python3; `python` after a set-up line', () => {
    expect(defaultPython({ VIRTUAL_ENV: '/v', CONDA_PREFIX: '/c' })).toBe('/v/bin/python');
    expect(defaultPython({ CONDA_PREFIX: '/c' })).toBe('/c/bin/python');
    expect(defaultPython({})).toBe('python3');
    expect(defaultPython({ VIRTUAL_ENV: '/v' }, 'source .venv/bin/activate')).toBe('python');
  });
});
