/**
 * `npm run bench:discovery`: what task discovery costs, against simply reading every file of the tree.
 *
 * On lmms-eval's real task tree (../shared/corpus, when present) and on a generated lm-eval-sized tree
 * (15,000 names from ~14,000 files):
 *   - baseline: read every file under the tree (readdir + readFile, no parsing);
 *   - cold index in a fresh process (what `lmms-tui tasks --refresh` pays), and in-process once the JIT is warm;
 *   - warm load: loadTaskIndex served from the on-disk cache (pointer + index file; no Python);
 *   - revalidation: the background check (Python probe + stat fingerprint).
 * Medians of BENCH_RUNS runs (default 5). The harness's own TaskManager time comes from the corpus meta.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { buildIndex, clearProbeCache, loadTaskIndex } from '../src/core/discovery/index.js';
import { fingerprintTree } from '../src/core/discovery/fingerprint.js';
import type { Harness } from '../src/core/spec.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const REPO = fileURLToPath(new URL('..', import.meta.url));
const CORPUS = path.resolve(REPO, '..', 'shared', 'corpus');
const work = mkdtempSync(path.join(tmpdir(), 'lmms-bench-discovery-'));

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number): string => `${x.toFixed(1)} ms`.padStart(10);

async function time(fn: () => unknown, runs = RUNS): Promise<{ median: number; min: number; first: number }> {
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    xs.push(performance.now() - t);
  }
  return { median: median(xs), min: Math.min(...xs), first: xs[0]! };
}

function readAll(dir: string): number {
  let bytes = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) bytes += readAll(p);
    else bytes += readFileSync(p).length;
  }
  return bytes;
}

/** A child script that times one cold build in a fresh Node process (bundled like the CLI). */
async function freshProcessScript(): Promise<string> {
  const entry = path.join(work, 'cold-entry.ts');
  writeFileSync(
    entry,
    `import { buildIndex } from ${JSON.stringify(path.join(REPO, 'src/core/discovery/build.ts'))};
const t = performance.now();
const idx = await buildIndex(process.argv.slice(3), process.argv[2]);
process.stdout.write(JSON.stringify({ ms: performance.now() - t, names: idx.entries.length }));\n`,
  );
  const out = path.join(work, 'cold.mjs');
  await build({ entryPoints: [entry], outfile: out, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning' });
  return out;
}

function freshCold(script: string, harness: Harness, roots: string[]): { median: number; min: number } {
  const xs = Array.from({ length: RUNS }, () => JSON.parse(execFileSync(process.execPath, [script, harness, ...roots]).toString()).ms as number);
  return { median: median(xs), min: Math.min(...xs) };
}

/** A site directory whose package's tasks/ is the tree, so loadTaskIndex finds it through Python. */
function siteFor(harness: Harness, tree: string): NodeJS.ProcessEnv {
  const module = harness === 'lmms-eval' ? 'lmms_eval' : 'lm_eval';
  const site = path.join(work, `site-${module}`);
  mkdirSync(path.join(site, module), { recursive: true });
  writeFileSync(path.join(site, module, '__init__.py'), '');
  if (!existsSync(path.join(site, module, 'tasks'))) symlinkSync(tree, path.join(site, module, 'tasks'));
  mkdirSync(path.join(site, `${module}-0.0.0.dist-info`), { recursive: true });
  writeFileSync(path.join(site, `${module}-0.0.0.dist-info`, 'METADATA'), `Metadata-Version: 2.1\nName: ${module}\nVersion: 0.0.0\n`);
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONPATH: site };
  delete env.VIRTUAL_ENV;
  delete env.CONDA_PREFIX;
  return env;
}

/** An lm-eval-sized tree: 600 folders of ~23 tasks sharing a template, tags, and a group per folder. */
function syntheticTree(): string {
  const root = path.join(work, 'synthetic');
  for (let d = 0; d < 600; d++) {
    const dir = path.join(root, `suite_${d}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, '_default_template_yaml'),
      `dataset_path: org/suite_${d}\noutput_type: multiple_choice\ntest_split: test\nvalidation_split: validation\n` +
        `doc_to_text: !function utils.doc_to_text\ndoc_to_target: "{{answer}}"\nmetric_list:\n  - metric: acc\n    aggregation: mean\n    higher_is_better: true\n` +
        `  - metric: acc_norm\n    aggregation: mean\n    higher_is_better: true\nmetadata:\n  version: 1.0\n`,
    );
    const tasks: string[] = [];
    for (let t = 0; t < 22; t++) {
      const name = `suite_${d}_task_${t}`;
      tasks.push(name);
      writeFileSync(
        path.join(dir, `${name}.yaml`),
        `include: _default_template_yaml\ntask: ${name}\ndataset_name: subset_${t}\ntag:\n  - suite_${d}_tag\n` +
          `description: "The following are questions about subject ${t} of suite ${d}.\\n\\n"\n`,
      );
    }
    writeFileSync(path.join(dir, `_suite_${d}.yaml`), `group: suite_${d}\ntask:\n${tasks.map((t) => `  - ${t}`).join('\n')}\naggregate_metric_list:\n  - metric: acc\n    weight_by_size: true\n`);
    if (d % 6 === 0) writeFileSync(path.join(dir, 'extra_tag.yaml'), `include: _default_template_yaml\ntask: suite_${d}_extra\ntag: [suite_${d}_tag, family_${d % 97}]\n`);
  }
  return root;
}

async function benchTree(label: string, harness: Harness, tree: string, script: string, harnessMs?: number): Promise<void> {
  const names = (await buildIndex([tree], harness)).entries.length;
  const files = readdirSync(tree, { recursive: true }).length;
  console.log(`\n${label}: ${names} names, ${files} files and folders`);
  const baseline = await time(() => readAll(tree));
  const fresh = freshCold(script, harness, [tree]);
  const inproc = await time(() => buildIndex([tree], harness));
  const env = siteFor(harness, tree);
  const cacheDir = path.join(work, `cache-${harness}`);
  clearProbeCache();
  await loadTaskIndex({ harness, python: 'python3', env, cacheDir, refresh: true });
  const warm = await time(async () => {
    const loaded = await loadTaskIndex({ harness, python: 'python3', env, cacheDir });
    if (!loaded.fromCache) throw new Error('expected a cache hit');
    void loaded.revalidate;
  });
  const fingerprint = await time(() => fingerprintTree([tree]));
  const revalidate = await time(async () => {
    clearProbeCache();
    const loaded = await loadTaskIndex({ harness, python: 'python3', env, cacheDir, probeMaxAgeMs: 0 });
    if ((await loaded.revalidate) !== null) throw new Error('tree changed during the bench');
  });
  const row = (what: string, r: { median: number; min: number }, note = ''): void => console.log(`  ${what.padEnd(44)}${ms(r.median)}${ms(r.min)}  ${note}`);
  console.log(`  ${''.padEnd(44)}${'median'.padStart(10)}${'min'.padStart(10)}`);
  row('baseline: read every file (no parsing)', baseline);
  row('cold index, fresh process', fresh, `${(fresh.median / baseline.median).toFixed(1)}× baseline`);
  row('cold index, in process (JIT warm)', inproc, `first run ${inproc.first.toFixed(1)} ms`);
  row('warm load from cache (served at once)', warm);
  row('  fingerprint (stat walk)', fingerprint);
  row('  full revalidation (Python probe + fingerprint)', revalidate, 'in the background');
  if (harnessMs) console.log(`  ${'harness TaskManager (corpus meta, median)'.padEnd(44)}${ms(harnessMs)}${''.padStart(10)}  cold index is ${(harnessMs / fresh.median).toFixed(0)}× faster`);
}

try {
  console.log(`discovery bench · node ${process.version} · ${cpus().length} CPUs · ${RUNS} runs each`);
  const script = await freshProcessScript();
  const tree = path.join(CORPUS, 'lmms-eval-tasks');
  if (existsSync(tree)) {
    const meta = JSON.parse(readFileSync(path.join(CORPUS, 'ground-truth-lmms-eval.meta.json'), 'utf8'));
    await benchTree('lmms-eval corpus', 'lmms-eval', tree, script, meta.index_seconds_median * 1000);
  } else console.log(`\n(no corpus at ${CORPUS}: skipping the lmms-eval tree)`);
  await benchTree('synthetic lm-eval-sized tree', 'lm-eval', syntheticTree(), script);
} finally {
  rmSync(work, { recursive: true, force: true });
}
