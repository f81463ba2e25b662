import { mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import { loadTaskIndex, type LoadTaskIndexOptions, type TaskIndex } from '../../src/core/discovery/index.js';
import { fakeSite, siteEnv, tempDir, type FakeSite } from './helpers.js';

let tree: string;
let site: FakeSite;
let cacheDir: string;
let opts: LoadTaskIndexOptions;
let clock = Date.now() / 1000;

/** Writes a file and moves its mtime forward, as a later edit by a person would. */
function write(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  clock += 5;
  utimesSync(file, clock, clock);
  utimesSync(path.dirname(file), clock, clock);
}

const entry = (index: TaskIndex, name: string) => index.entries.find((e) => e.name === name);

beforeEach(() => {
  tree = tempDir();
  write(path.join(tree, 'a', '_tpl_yaml'), 'output_type: generate_until\ndataset_path: org/a\n');
  write(path.join(tree, 'a', 'task_a.yaml'), 'include: _tpl_yaml\ntask: task_a\ntag: letters\n');
  write(path.join(tree, 'b', 'task_b.yaml'), 'task: task_b\noutput_type: loglikelihood\ntag: letters\n');
  site = fakeSite('lmms-eval', tree);
  cacheDir = tempDir();
  opts = { harness: 'lmms-eval', python: 'python3', env: siteEnv(site.site), cacheDir, probeMaxAgeMs: 0 };
});

afterEach(() => {
  site.cleanup();
  rmSync(tree, { recursive: true, force: true });
  rmSync(cacheDir, { recursive: true, force: true });
});

describe('loadTaskIndex', () => {
  it('builds cold with progress, then serves warm from the cache', async () => {
    const progress: number[] = [];
    const cold = await loadTaskIndex({ ...opts, onProgress: (p) => progress.push(p.done) });
    expect(cold.fromCache).toBe(false);
    expect(cold.index.entries.map((e) => e.name)).toEqual(['letters', 'task_a', 'task_b']);
    expect(progress.at(-1)).toBe(2);
    expect(cold.location.version).toBe('9.9.9');
    expect(await cold.revalidate).toBeNull();
    expect(readdirSync(cacheDir).filter((f) => f.startsWith('idx-'))).toHaveLength(1);

    const warm = await loadTaskIndex(opts);
    expect(warm.fromCache).toBe(true);
    expect(warm.index.entries).toEqual(cold.index.entries);
    expect(warm.location.packageDir).toBe(site.pkg);
    expect(await warm.revalidate).toBeNull();
  });

  it('notices an edited task, an edited template and an added file in the background', async () => {
    await loadTaskIndex(opts);
    write(path.join(site.tasks, 'b', 'task_b.yaml'), 'task: task_b\noutput_type: generate_until\n');
    const stale = await loadTaskIndex(opts);
    expect(stale.fromCache).toBe(true);
    expect(entry(stale.index, 'task_b')?.output_type).toBe('loglikelihood'); // served at once, as cached
    const fresh = await stale.revalidate;
    expect(entry(fresh!, 'task_b')?.output_type).toBe('generate_until');
    expect((await loadTaskIndex(opts)).index.entries).toEqual(fresh!.entries); // and cached for next time

    write(path.join(site.tasks, 'a', '_tpl_yaml'), 'output_type: multiple_choice\n');
    const afterTemplate = await (await loadTaskIndex(opts)).revalidate;
    expect(entry(afterTemplate!, 'task_a')?.output_type).toBe('multiple_choice');

    write(path.join(site.tasks, 'c', 'task_c.yaml'), 'task: task_c\n');
    const afterAdd = await (await loadTaskIndex(opts)).revalidate;
    expect(entry(afterAdd!, 'task_c')?.type).toBe('task');
  });

  it('follows includes outside the task roots', async () => {
    const outside = tempDir();
    write(path.join(outside, 'shared_yaml'), 'dataset_path: org/shared\n');
    write(path.join(site.tasks, 'd', 'task_d.yaml'), `include: ${path.join(outside, 'shared_yaml')}\ntask: task_d\n`);
    expect(entry((await loadTaskIndex(opts)).index, 'task_d')?.dataset_path).toBe('org/shared');
    write(path.join(outside, 'shared_yaml'), 'dataset_path: org/changed\n');
    const fresh = await (await loadTaskIndex(opts)).revalidate;
    expect(entry(fresh!, 'task_d')?.dataset_path).toBe('org/changed');
    rmSync(outside, { recursive: true, force: true });
  });

  it('rebuilds on --refresh, keeps include paths apart, and survives a corrupt cache file', async () => {
    await loadTaskIndex(opts);
    expect((await loadTaskIndex({ ...opts, refresh: true })).fromCache).toBe(false);

    const inc = tempDir();
    write(path.join(inc, 'extra.yaml'), 'task: extra\n');
    const withInc = await loadTaskIndex({ ...opts, includePaths: [inc] });
    expect(withInc.fromCache).toBe(false);
    expect(entry(withInc.index, 'extra')).toMatchObject({ root: inc, yaml_path: 'extra.yaml' });
    expect(entry((await loadTaskIndex(opts)).index, 'extra')).toBeUndefined();
    rmSync(inc, { recursive: true, force: true });

    for (const f of readdirSync(cacheDir)) writeFileSync(path.join(cacheDir, f), '{"schema": 1, "key": "trunc');
    const again = await loadTaskIndex(opts);
    expect(again.fromCache).toBe(false);
    expect(again.index.entries).toHaveLength(3);
  });

  it('serves the cache without waiting for Python, and reports a failed revalidation', async () => {
    await loadTaskIndex(opts);
    site.cleanup(); // the harness is uninstalled behind our back
    const errors: unknown[] = [];
    const warm = await loadTaskIndex({ ...opts, onRevalidateError: (e) => errors.push(e) });
    expect(warm.fromCache).toBe(true);
    expect(await warm.revalidate).toBeNull();
    expect(errors[0]).toBeInstanceOf(UserError);
  });

  it('fails with the locate error when nothing is cached and the harness is missing', async () => {
    await expect(loadTaskIndex({ ...opts, harness: 'lm-eval' })).rejects.toThrow(/lm_eval is not installed/);
  });
});
