/**
 * `npm run bench:tui`: the TUI against issue #5's speed targets, each beside a baseline measured in the
 * same run. The app runs as shipped (the esbuild bundle, NODE_ENV=production) on a real pseudo-terminal
 * (bench/tui-pty.py), talking to a real server, with the demo harness as the job.
 *
 *   1. time to first frame (`--first-frame-exit`, warm file cache) vs `node -e 0`;
 *   2. bytes/s written to the terminal at 160x50 while a job floods 100k lines/s, vs the rate the log
 *      itself grows (what passing the output straight through would send);
 *   3. key-to-frame latency (median, p99) typing into the output pane's search field while the job floods
 *      100k lines/s, vs the same with no output streaming;
 *   4. heap slope (after GC, MB/h) and peak RSS over a soak while streaming (default 20 s;
 *      --soak-seconds N for longer);
 *   5. task search latency per keystroke over 16,000 names (the lmms-eval corpus plus synthetic lm-eval-like
 *      names) with the picker's TaskSearch, vs a plain substring scan.
 * Options: --soak-seconds N, --runs N (first-frame runs, default 10), --keys N (default 60).
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cliEntry, ROOT } from '../test/e2e/tmux.js';
import { TaskSearch } from '../src/ui/screens/launch/task-search.js';
import type { TaskEntry } from '../src/state/launch.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}
const SOAK_S = arg('soak-seconds', 20);
const RUNS = arg('runs', 10);
const KEYS = arg('keys', 60);
const FLOOD = 100_000;

const work = mkdtempSync(path.join(tmpdir(), 'lmms-bench-tui-'));
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const median = (xs: number[]): number => pct(xs, 50);
const f1 = (x: number): string => x.toFixed(1);

interface PtyResult {
  elapsed_ms: number;
  keys_ms: number[];
  bytes_per_s: number | null;
  exit_status: number | null;
}

function pty(cfg: { argv: string[]; env: Record<string, string>; cols: number; rows: number; steps: unknown[] }): PtyResult {
  const file = path.join(work, `pty-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(cfg));
  const r = spawnSync('python3', [path.join(ROOT, 'bench', 'tui-pty.py'), file], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`bench/tui-pty.py failed (${r.status ?? r.signal}${r.error ? ` ${r.error.message}` : ""}):\n${r.stderr}${r.stdout.slice(-2000)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as PtyResult;
}

async function main(): Promise<void> {
  // Measure the bundle as shipped, built from the current sources.
  const build = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`build failed:\n${build.stderr}`);
  const { entry } = cliEntry();
  const home = path.join(work, 'home');
  const env: Record<string, string> = {
    LMMS_TUI_HOME: home,
    LANG: 'C.UTF-8',
    TERM: 'xterm-256color',
    LMMS_TUI_GPUS: '0,1,2,3',
  };
  const cli = (args: string[], extra: Record<string, string> = {}) =>
    spawnSync(process.execPath, [entry, ...args], { encoding: 'utf8', env: { ...process.env, ...env, ...extra } });
  try {
    await measure(entry, env, cli);
  } finally {
    // Whatever happened, leave no job or server behind.
    const jobs = cli(['jobs', '--json']);
    try {
      for (const j of JSON.parse(jobs.stdout) as { id: string; state: string }[]) if (j.state === 'running' || j.state === 'queued') cli(['stop', j.id]);
    } catch {
      // No server.
    }
    cli(['server', 'stop']);
  }
}

type Cli = (args: string[], extra?: Record<string, string>) => SpawnSyncReturns<string>;

async function measure(entry: string, env: Record<string, string>, cli: Cli): Promise<void> {
  const home = env.LMMS_TUI_HOME!;

  console.log(`lmms-tui TUI benchmark (${new Date().toISOString()}, node ${process.version})\n`);

  // 1. First frame.
  const first = { argv: [process.execPath, entry, '--demo', '--first-frame-exit'], env, cols: 120, rows: 40, steps: [{ exit: { timeout: 20 } }] };
  const base = { argv: [process.execPath, '-e', '0'], env, cols: 120, rows: 40, steps: [{ exit: { timeout: 20 } }] };
  for (let i = 0; i < 2; i++) {
    pty(first);
    pty(base);
  }
  const tFirst: number[] = [];
  const tBase: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    // Interleaved so both see the same machine load.
    tBase.push(pty(base).elapsed_ms);
    const r = pty(first);
    if (r.exit_status !== 0) throw new Error(`--first-frame-exit exited ${r.exit_status}`);
    tFirst.push(r.elapsed_ms);
  }
  const ffRatio = median(tFirst) / median(tBase);
  console.log('1. time to first frame (warm), median of', RUNS);
  console.log(`   lmms-tui --first-frame-exit   ${f1(median(tFirst))} ms   (p95 ${f1(pct(tFirst, 95))} ms)`);
  console.log(`   node -e 0 (baseline)          ${f1(median(tBase))} ms`);
  console.log(`   ratio ${ffRatio.toFixed(2)}x   target <= 250 ms and <= 4x\n`);

  // 2-4. A flooding job, watched in the TUI at 160x50.
  const floodSeconds = SOAK_S + 40;
  const sub = cli(['run', '--demo', '--model', 'demo', '--tasks', 'demo_mme'], {
    LMMS_DEMO_FLOOD: String(FLOOD),
    LMMS_DEMO_FLOOD_SECONDS: String(floodSeconds),
    LMMS_DEMO_PACE: '0.5',
  });
  if (sub.status !== 0) throw new Error(`submit failed: ${sub.stderr}`);
  const jobId = /\b([0-9a-f]{8})\b/.exec(sub.stdout)?.[1];
  if (!jobId) throw new Error(`no job id in: ${sub.stdout}`);
  const logPath = path.join(home, 'jobs', jobId, 'output.log');
  const heapLog = path.join(work, 'heap.jsonl');
  const logSize = (): number => (existsSync(logPath) ? statSync(logPath).size : 0);

  // The log's own growth over the same kind of window, as the pass-through baseline.
  const session = {
    argv: [process.execPath, '--expose-gc', entry, '--demo'],
    env: { ...env, LMMS_TUI_BENCH_HEAP_LOG: heapLog },
    cols: 160,
    rows: 50,
    steps: [
      { wait: 'server up', timeout: 30 },
      { send: '2' },
      { wait: '[flood]', timeout: 30 },
      // Bytes with the output pane focused (the busier case), then the keys.
      { send: '\r' },
      { bytes: { seconds: 5 } },
      { send: '/' },
      { keys: { count: KEYS, interval: 0.083, timeout: 3 } },
      { send: '\x1b' },
      { pause: 0.2 },
      { bytes: { seconds: SOAK_S } },
    ],
  };
  const size0 = logSize();
  const t0 = Date.now();
  const streaming = pty({ ...session, steps: [...session.steps, { pause: 0.2 }, { send: 'q' }, { exit: { timeout: 15 } }] });
  const logRate = (logSize() - size0) / ((Date.now() - t0) / 1000);
  cli(['stop', jobId]);

  // The same keys with nothing streaming: the idle baseline.
  const idle = pty({
    argv: [process.execPath, entry, '--demo'],
    env,
    cols: 160,
    rows: 50,
    steps: [{ wait: 'server up', timeout: 30 }, { send: '2' }, { wait: 'stopped', timeout: 30 }, { send: '\r' }, { send: '/' }, { keys: { count: KEYS, interval: 0.083, timeout: 3 } }, { send: '\x1b' }, { pause: 0.2 }, { send: 'q' }, { exit: { timeout: 15 } }],
  });

  console.log(`2. bytes/s to the terminal at 160x50 while the job writes ${FLOOD / 1000}k lines/s`);
  console.log(`   lmms-tui                      ${f1((streaming.bytes_per_s ?? 0) / 1000)} kB/s`);
  console.log(`   the log itself (pass-through) ${f1(logRate / 1000)} kB/s   (${(logRate / Math.max(1, streaming.bytes_per_s ?? 1)).toFixed(0)}x more)`);
  console.log('   target <= 60 kB/s\n');

  const k = streaming.keys_ms;
  const ki = idle.keys_ms;
  console.log(`3. key-to-frame, ${KEYS} keys at 12/s into the output pane's search field`);
  console.log(`   while streaming ${FLOOD / 1000}k lines/s   median ${f1(median(k))} ms   p99 ${f1(pct(k, 99))} ms`);
  console.log(`   idle (baseline)             median ${f1(median(ki))} ms   p99 ${f1(pct(ki, 99))} ms`);
  console.log('   target <= 16 ms median and <= 50 ms p99 while streaming\n');

  const samples = readFileSync(heapLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { t: number; heapUsed: number; rss: number });
  // Skip the start-up (stores filling, first renders, JIT); fit the rest by least squares.
  const soak = samples.filter((s) => s.t >= 8);
  const n = soak.length;
  const mt = soak.reduce((a, s) => a + s.t, 0) / n;
  const mh = soak.reduce((a, s) => a + s.heapUsed, 0) / n;
  const slope = soak.reduce((a, s) => a + (s.t - mt) * (s.heapUsed - mh), 0) / soak.reduce((a, s) => a + (s.t - mt) ** 2, 0);
  const rssMax = Math.max(...samples.map((s) => s.rss));
  console.log(`4. memory over ${f1(soak.length)} s of streaming (after GC, first 8 s skipped)`);
  console.log(`   heap ${f1(soak[0]!.heapUsed / 1e6)} -> ${f1(soak[n - 1]!.heapUsed / 1e6)} MB, slope ${f1((slope * 3600) / 1e6)} MB/h   peak RSS ${f1(rssMax / 1e6)} MB`);
  console.log('   target <= 5 MB/h (over 10 minutes: --soak-seconds 600), RSS <= 200 MB\n');

  // 5. Search.
  const corpus = path.resolve(ROOT, '..', 'shared', 'corpus', 'ground-truth-lmms-eval.json');
  const real = existsSync(corpus) ? Object.keys(JSON.parse(readFileSync(corpus, 'utf8')) as Record<string, unknown>) : [];
  const subjects = ['abstract_algebra', 'anatomy', 'astronomy', 'business_ethics', 'clinical_knowledge', 'college_biology', 'college_chemistry', 'computer_security', 'econometrics', 'formal_logic', 'global_facts', 'high_school_physics', 'jurisprudence', 'law', 'marketing', 'philosophy', 'prehistory', 'virology'];
  const families = ['mmlu', 'mmlu_pro', 'arc', 'hellaswag', 'gsm8k', 'bbh', 'truthfulqa', 'belebele', 'xnli', 'flores', 'kmmlu', 'cmmlu', 'agieval', 'mgsm', 'global_mmlu', 'afrimmlu', 'bigbench', 'leaderboard'];
  const variants = ['', '_cot', '_generative', '_zeroshot', '_fewshot', '_cot_self_consistency', '_llama', '_continuation'];
  const names = new Set(real);
  for (let i = 0; names.size < 16_000; i++) {
    const fam = families[i % families.length]!;
    const subj = subjects[Math.floor(i / families.length) % subjects.length]!;
    const v = variants[Math.floor(i / (families.length * subjects.length)) % variants.length]!;
    names.add(`${fam}_${subj}${v}${i >= families.length * subjects.length * variants.length ? `_${i}` : ''}`);
  }
  const entries = [...names].map((name) => ({ name, type: 'task' }) as TaskEntry);
  const search = new TaskSearch(entries);
  const queries = ['gsm cot', 'mmlu pro law', 'gsm8k cot self', 'mmmu val', 'mathvista', 'mmmu', 'mme', 'videomme', 'docvqa val', 'chartqa', 'ai2d', 'scienceqa img'];
  const tFuzzy: number[] = [];
  const tSub: number[] = [];
  const lower = entries.map((e) => e.name.toLowerCase());
  for (let rep = 0; rep < 5; rep++) {
    for (const q of queries) {
      for (let i = 1; i <= q.length; i++) {
        const prefix = q.slice(0, i);
        let t = performance.now();
        search.search(prefix);
        tFuzzy.push(performance.now() - t);
        t = performance.now();
        const p = prefix.toLowerCase();
        const hits: string[] = [];
        for (const n2 of lower) if (n2.includes(p)) hits.push(n2);
        tSub.push(performance.now() - t);
      }
    }
  }
  console.log(`5. task search per keystroke over ${entries.length} names (${real.length} real lmms-eval names + synthetic), ${tFuzzy.length} keystrokes`);
  console.log(`   TaskSearch (fuzzysort)        median ${median(tFuzzy).toFixed(3)} ms   p99 ${pct(tFuzzy, 99).toFixed(3)} ms`);
  console.log(`   substring scan (baseline)     median ${median(tSub).toFixed(3)} ms   p99 ${pct(tSub, 99).toFixed(3)} ms`);
  console.log('   target <= 1 ms median and <= 8 ms p99\n');
}

main()
  .catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  })
  .finally(() => rmSync(work, { recursive: true, force: true }));
