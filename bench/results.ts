/**
 * `npm run bench:results`: what the results workbench costs, each figure against a baseline measured in the
 * same run on the same files ("read the files once": readdir + readFile, no parsing).
 *
 *   1. Run index over 10,000 generated results files (both harnesses' layouts): cold (every file parsed,
 *      cache written) and warm (stat walk + cache), in-process; and warm as a whole `lmms-tui results list`
 *      process, against a bare `node -e ''` start.
 *   2. Samples: a BENCH_SAMPLES_MB (default 1024) JSONL file. First open (line index) against reading the
 *      file once; first page after it; a page at the end; a second open (index from disk).
 *   3. Compare of 10 runs × 100 tasks with samples (paired tests), against reading those files once.
 *
 * Needs dist/ (npm run build) for the whole-process figure. Medians of BENCH_RUNS runs (default 5).
 */
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareRuns } from '../src/core/results/compare.js';
import { readMetrics } from '../src/core/results/parse.js';
import { indexRuns } from '../src/core/results/runs.js';
import { SamplesFile } from '../src/core/results/samples.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const FILES = Number(process.env.BENCH_RESULTS_FILES ?? 10_000);
const SAMPLES_MB = Number(process.env.BENCH_SAMPLES_MB ?? 1024);
const REPO = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(path.join(tmpdir(), 'lmms-bench-results-'));
const env = { ...process.env, LMMS_TUI_HOME: path.join(work, 'home') };

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number): string => `${x < 1 ? x.toFixed(3) : x.toFixed(1)} ms`.padStart(12);
function time(fn: () => unknown, runs = RUNS): number {
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    xs.push(performance.now() - t);
  }
  return median(xs);
}
function line(what: string, v: number, base?: number): void {
  console.log(`  ${what.padEnd(58)} ${ms(v)}${base ? `   ${(v / base).toFixed(2)}x baseline` : ''}`);
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

function resultsJson(model: string, tasks: string[], k: number, harness: 'lmms' | 'lme'): string {
  const results: Record<string, unknown> = {};
  for (const t of tasks) results[t] = { alias: t, 'acc,none': ((k * 7 + t.length * 13) % 100) / 100, 'acc_stderr,none': 0.01 + (k % 5) / 1000 };
  return JSON.stringify(
    {
      results,
      group_subtasks: Object.fromEntries(tasks.map((t) => [t, []])),
      'n-shot': Object.fromEntries(tasks.map((t) => [t, 0])),
      'n-samples': Object.fromEntries(tasks.map((t) => [t, { original: 1000, effective: 200 }])),
      higher_is_better: Object.fromEntries(tasks.map((t) => [t, { acc: true }])),
      config: { model: harness === 'lmms' ? 'llava' : 'hf', model_args: `pretrained=${model},api_key=sk-${'x'.repeat(24)}`, limit: 200 },
      git_hash: 'abc1234',
      ...(harness === 'lmms' ? { lmms_eval_version: '0.7.2', date: `202612${String(1 + (k % 28)).padStart(2, '0')}_101010` } : { lm_eval_version: '0.4.13', date: 1796119810 + k }),
      model_name: model,
      total_evaluation_time_seconds: '60.5',
    },
    null,
    2,
  );
}

// ---- 1. the run index -------------------------------------------------------------------------------
const logs = path.join(work, 'logs');
console.log(`results bench · ${FILES} results files, samples ${SAMPLES_MB} MB, ${RUNS} runs each (medians) · ${work}`);
for (let k = 0; k < FILES; k++) {
  const lmms = k % 2 === 0;
  const model = `org/model-${k % 50}`;
  const dir = path.join(logs, `sweep-${Math.floor(k / 500)}`, `run-${k}`, model.replace('/', '__'));
  mkdirSync(dir, { recursive: true });
  const tasks = [`task_${k % 7}`, `task_${(k + 3) % 11}`, 'mme'];
  const name = lmms ? `202612${String(1 + (k % 28)).padStart(2, '0')}_101010_results.json` : `results_2026-12-01T10-10-${String(k % 60).padStart(2, '0')}.123456.json`;
  writeFileSync(path.join(dir, name), resultsJson(model, tasks, k, lmms ? 'lmms' : 'lme'));
}
console.log('\n1. run index');
const baseRead = time(() => readAll(logs));
line(`baseline: read the ${FILES} files once`, baseRead);
const cold = time(() => {
  rmSync(path.join(env.LMMS_TUI_HOME, 'cache'), { recursive: true, force: true });
  indexRuns({ env, folders: [logs], noJobs: true });
});
line('cold index (parse every file, write the cache)', cold, baseRead);
const warm = time(() => indexRuns({ env, folders: [logs], noJobs: true }));
line('warm index (stat walk + cache)', warm, baseRead);
const cli = path.join(REPO, 'dist', 'cli.js');
if (existsSync(cli)) {
  const nodeStart = time(() => execFileSync(process.execPath, ['-e', '']));
  line('baseline: node -e "" (process start)', nodeStart);
  const proc = time(() => execFileSync(process.execPath, [cli, 'results', 'list', '--folder', logs], { env, maxBuffer: 1 << 30, stdio: ['ignore', 'ignore', 'inherit'] }));
  line('warm `lmms-tui results list` (the table), whole process', proc, nodeStart);
} else console.log('  (dist/cli.js missing: run `npm run build` for the whole-process figure)');

// ---- 2. samples --------------------------------------------------------------------------------------
console.log('\n2. samples');
const big = path.join(work, 'samples_big.jsonl');
{
  const fd = openSync(big, 'w');
  const target = SAMPLES_MB * 1024 * 1024;
  let written = 0;
  let doc = 0;
  const pad = 'lorem ipsum dolor sit amet '.repeat(24);
  while (written < target) {
    let chunk = '';
    for (let i = 0; i < 2000; i++, doc++) {
      chunk += `${JSON.stringify({ doc_id: doc, input: `Question ${doc}: ${pad}`, target: 'A', resps: [['A']], filtered_resps: ['A'], acc: doc % 3 === 0 ? 0 : 1 })}\n`;
    }
    written += writeSync(fd, chunk);
  }
  closeSync(fd);
}
const size = statSync(big).size;
const baseScan = time(() => {
  const fd = openSync(big, 'r');
  const buf = Buffer.allocUnsafe(4 << 20);
  let pos = 0;
  for (;;) {
    const n = readSync(fd, buf, 0, buf.length, pos);
    if (n === 0) break;
    pos += n;
  }
  closeSync(fd);
}, 3);
line(`baseline: read the ${(size / 2 ** 20).toFixed(0)} MB file once`, baseScan);
let total = 0;
const firstOpen = time(() => {
  rmSync(path.join(env.LMMS_TUI_HOME, 'cache', 'results', 'samples'), { recursive: true, force: true });
  const sf = SamplesFile.open(big, { env });
  total = sf.total;
  sf.page(0, 20);
  sf.close();
}, 3);
line(`first open + first page (${total} lines indexed)`, firstOpen, baseScan);
const sf = SamplesFile.open(big, { env });
line('a page of 20 at the start, index in memory', time(() => sf.page(0, 20), 50));
line('a page of 20 at the end, index in memory', time(() => sf.page(total - 20, 20), 50));
sf.close();
line('second open (index from disk) + first page', time(() => {
  const s = SamplesFile.open(big, { env });
  s.page(0, 20);
  s.close();
}), baseScan);
rmSync(big, { force: true });

// ---- 3. compare ----------------------------------------------------------------------------------------
console.log('\n3. compare, 10 runs × 100 tasks, samples for every task (200 docs each)');
const cmpDir = path.join(work, 'compare');
const tasks = Array.from({ length: 100 }, (_, i) => `task_${i}`);
for (let r = 0; r < 10; r++) {
  const dir = path.join(cmpDir, `m${r}`);
  mkdirSync(dir, { recursive: true });
  const ts = `20261201_1010${String(r).padStart(2, '0')}`;
  writeFileSync(path.join(dir, `${ts}_results.json`), resultsJson(`org/m${r}`, tasks, r, 'lmms'));
  for (const t of tasks) {
    let text = '';
    for (let d = 0; d < 200; d++) text += `${JSON.stringify({ doc_id: d, input: `q${d}`, target: 'A', filtered_resps: ['A'], acc: (d * (r + 3) + t.length) % 5 < 3 ? 1 : 0 })}\n`;
    writeFileSync(path.join(dir, `${ts}_samples_${t}.jsonl`), text);
  }
}
const baseCmp = time(() => readAll(cmpDir));
line('baseline: read the 10 results + 1,000 samples files once', baseCmp);
const { runs } = indexRuns({ env, folders: [cmpDir], noJobs: true });
const inputs = runs.map((run) => ({ run, summary: readMetrics(run.file) }));
line('compare with paired tests (McNemar on every task × run)', time(() => {
  rmSync(path.join(env.LMMS_TUI_HOME, 'cache', 'results', 'samples'), { recursive: true, force: true });
  compareRuns(inputs, { env });
}), baseCmp);
line('compare from stderrs only (--no-paired)', time(() => compareRuns(inputs, { env, paired: false })), baseCmp);

rmSync(work, { recursive: true, force: true });
