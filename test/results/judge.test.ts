import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { snapshotResults } from '../../src/core/results/find.js';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { judgeOutcome, type JudgeInput } from '../../src/core/results/judge.js';
import { tempDir } from '../logs/helpers.js';

const E = '\x1b';
const info = (msg: string) => `${E}[32m2026-11-22 10:06:37${E}[0m | ${E}[1mINFO    ${E}[0m | lmms_eval.__main__:cli_evaluate:700 - ${E}[1m${msg}${E}[0m\n`;
const ERROR_LINE = `${E}[32m2026-11-22 10:06:40${E}[0m | ${E}[31m${E}[1mERROR   ${E}[0m | lmms_eval.__main__:cli_evaluate:596 - Error during evaluation: CUDA out of memory. Please set --verbosity=DEBUG to get more information.\n`;

let tmp: ReturnType<typeof tempDir>;
afterEach(() => tmp?.cleanup());

/** A job directory with a log and an output dir; results files get the given mtime (epoch ms). */
function job(log: string, results: { name: string; mtimeMs: number }[] = []) {
  tmp = tempDir('lmms-tui-judge-');
  const logPath = tmp.file('output.log');
  const outputPath = tmp.file('out');
  writeFileSync(logPath, log);
  for (const r of results) {
    const p = path.join(outputPath, 'lmms-lab__llava', r.name);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, '{"results": {}}');
    utimesSync(p, r.mtimeMs / 1000, r.mtimeMs / 1000);
  }
  return { logPath, outputPath };
}

const START = Date.now() - 60_000;
const fresh = [{ name: '20261122_100637_results.json', mtimeMs: START + 30_000 }];
const input = (p: { logPath: string; outputPath: string }, over: Partial<JudgeInput> = {}): JudgeInput => ({
  exit: { exit_code: 0, signal: null },
  stopped: false,
  startedAt: START,
  ...p,
  ...over,
});

describe('judgeOutcome', () => {
  it('succeeds on exit 0 with a new results file and a clean log', async () => {
    const p = job(info('Selected Tasks: [mme]') + info('done'), fresh);
    const o = await judgeOutcome(input(p));
    expect(o).toEqual({ state: 'succeeded', reason: null, results: [path.join(p.outputPath, 'lmms-lab__llava', fresh[0]!.name)], tail: [] });
  });

  it('fails on exit 0 when lmms-eval logged an ERROR, even with results', async () => {
    const p = job(info('start') + ERROR_LINE, fresh);
    const o = await judgeOutcome(input(p));
    expect(o.state).toBe('failed');
    expect(o.reason).toBe('exited 0 but logged an error: Error during evaluation: CUDA out of memory. Please set --verbosity=DEBUG to get more information.');
    expect(o.tail.at(-1)).toMatch(/\| ERROR +\| .*Error during evaluation/);
  });

  it('fails on exit 0 when no results file was written', async () => {
    const p = job(info('start'));
    const o = await judgeOutcome(input(p));
    expect(o).toMatchObject({ state: 'failed', reason: `exited 0 but wrote no results file under ${p.outputPath}`, results: [] });
  });

  it('fails when the only results file predates the run, but allows for coarse timestamps', async () => {
    const old = job(info('start'), [{ name: '20261121_090000_results.json', mtimeMs: START - 3_600_000 }]);
    const o = await judgeOutcome(input(old));
    expect(o.state).toBe('failed');
    expect(o.reason).toMatch(/wrote no new results file under .*predate this run/);
    // Written in the same second the job started, on a filesystem with 1 s timestamps.
    const sameSecond = job(info('start'), [{ name: '20261122_100637_results.json', mtimeMs: START - 900 }]);
    expect((await judgeOutcome(input(sameSecond))).state).toBe('succeeded');
  });

  it('with a snapshot of the output path, judges "new" by identity, not by clock (NFS skew)', async () => {
    const p = job(info('start'), [{ name: '20261121_090000_results.json', mtimeMs: START - 3_600_000 }]);
    const before = snapshotResults(p.outputPath);
    // This run's file, stamped 5 s before the start by a file server whose clock is behind ours.
    const skewed = path.join(p.outputPath, 'lmms-lab__llava', '20261122_100637_results.json');
    writeFileSync(skewed, '{"results": {}}');
    utimesSync(skewed, (START - 5000) / 1000, (START - 5000) / 1000);
    expect((await judgeOutcome(input(p))).state).toBe('failed'); // the clock rule gets it wrong
    const o = await judgeOutcome(input(p, { before }));
    expect(o).toMatchObject({ state: 'succeeded', results: [skewed] });
    // A file that was there before and is untouched is not this run's; one rewritten in place is.
    const old = path.join(p.outputPath, 'lmms-lab__llava', '20261121_090000_results.json');
    rmSync(skewed);
    expect((await judgeOutcome(input(p, { before }))).state).toBe('failed');
    writeFileSync(old, '{"results": {"rewritten": {}}}');
    utimesSync(old, (START - 3_600_000) / 1000, (START - 3_600_000) / 1000);
    expect(await judgeOutcome(input(p, { before }))).toMatchObject({ state: 'succeeded', results: [old] });
  });

  it('fails on exit 0 when the results file is empty (a harness that hit a full disk)', async () => {
    const p = job(info('start'));
    const file = path.join(p.outputPath, '20261122_100637_results.json');
    mkdirSync(p.outputPath, { recursive: true });
    writeFileSync(file, '');
    const o = await judgeOutcome(input(p));
    expect(o).toMatchObject({ state: 'failed', reason: `exited 0 but its results file ${file} is empty or not valid JSON (was the disk full?)` });
  });

  it('names the signal that ended a stop when it had to escalate', async () => {
    const p = job(info('start'));
    const o = await judgeOutcome(input(p, { stopped: true, stopSignal: 'SIGKILL', exit: { exit_code: null, signal: 'SIGTERM' } }));
    expect(o.reason).toBe('stopped by user (SIGKILL)');
  });

  it('fails on a non-zero exit or a signal, naming it', async () => {
    const p = job(info('start'), fresh);
    expect((await judgeOutcome(input(p, { exit: { exit_code: 1, signal: null } }))).reason).toBe('exited with code 1');
    expect((await judgeOutcome(input(p, { exit: { exit_code: null, signal: 'SIGKILL' } }))).reason).toBe('killed by SIGKILL');
    expect((await judgeOutcome(input(p, { exit: { exit_code: 137, signal: null } }))).reason).toBe('exited with code 137 (killed by SIGKILL)');
  });

  it('reports a stop as stopped, naming the signal, whatever the exit looks like', async () => {
    const p = job(info('start') + ERROR_LINE);
    const o = await judgeOutcome(input(p, { stopped: true, exit: { exit_code: null, signal: 'SIGTERM' } }));
    expect(o).toEqual({ state: 'stopped', reason: 'stopped by user (SIGTERM)', results: [], tail: [] });
  });

  it('returns the last 50 log lines of a failed job, cleaned and with secrets masked', async () => {
    let log = info("Evaluation tracker args: {'token': 'hf_AbCdEfGhIjKlMnOpQrStUvWx12'}");
    for (let i = 0; i < 80; i++) log += info(`line ${i}`);
    log += '\rModel Responding:  50%|█████     | 2/4 [00:01<00:01,  2.00it/s]\rModel Responding: 100%|██████████| 4/4 [00:02<00:00,  2.00it/s]\n';
    log += `secret value in print: my-own-secret-123\nlast words without newline`;
    const p = job(log);
    const o = await judgeOutcome(input(p, { exit: { exit_code: 2, signal: null }, secretValues: ['my-own-secret-123'] }));
    expect(o.tail).toHaveLength(50);
    expect(o.tail.at(-1)).toBe('last words without newline');
    expect(o.tail.at(-2)).toBe('secret value in print: ••••••');
    expect(o.tail.at(-3)).toBe('Model Responding: 100%|██████████| 4/4 [00:02<00:00,  2.00it/s]');
    expect(o.tail.join('\n')).not.toContain('\x1b');
  });
});

/** Runs a real python3 with stdout and stderr appended to one log, as the runner does. */
async function runPython(code: string, logPath: string, outDir: string): Promise<{ exit_code: number | null; signal: string | null }> {
  const fd = openSync(logPath, 'a');
  try {
    const child = spawn('python3', ['-c', code, outDir], { stdio: ['ignore', fd, fd] });
    return await new Promise((resolve) => child.on('exit', (c, s) => resolve({ exit_code: c, signal: s })));
  } finally {
    closeSync(fd);
  }
}

describe('judgeOutcome on real python runs', () => {
  const HEAD = `import sys, os, time, json\nout = sys.argv[1]\ndef log(level, msg): print(time.strftime('%Y-%m-%d %H:%M:%S') + ' | ' + level.ljust(8) + ' | lmms_eval.__main__:cli:1 - ' + msg, flush=True)\n`;

  it('judges a run that writes results as succeeded', async () => {
    const p = job('');
    const startedAt = Date.now();
    const exit = await runPython(`${HEAD}log('INFO', 'evaluating')\nos.makedirs(out + '/m', exist_ok=True)\njson.dump({'results': {}}, open(out + '/m/20261122_100637_results.json', 'w'))\n`, p.logPath, p.outputPath);
    const o = await judgeOutcome({ exit, stopped: false, startedAt, ...p });
    expect(o.state).toBe('succeeded');
    expect(o.results).toHaveLength(1);
  });

  it("judges lmms-eval's caught error (traceback on stderr, ERROR record, exit 0) as failed", async () => {
    const p = job('');
    const code = `${HEAD}import traceback\ntry:\n    raise RuntimeError('CUDA out of memory')\nexcept Exception as e:\n    traceback.print_exc()\n    sys.stderr.flush()\n    log('ERROR', f'Error during evaluation: {e}. Please set --verbosity=DEBUG to get more information.')\nsys.exit(0)\n`;
    const exit = await runPython(code, p.logPath, p.outputPath);
    expect(exit.exit_code).toBe(0);
    const o = await judgeOutcome({ exit, stopped: false, startedAt: Date.now() - 10_000, ...p });
    expect(o.state).toBe('failed');
    expect(o.reason).toMatch(/^exited 0 but logged an error: Error during evaluation: CUDA out of memory/);
  });

  it("judges an uncaught exception (lm-eval style) by its exit code and exception line", async () => {
    const p = job('');
    const exit = await runPython(`${HEAD}def run():\n    raise ValueError("Tasks not found: ['nope']")\nrun()\n`, p.logPath, p.outputPath);
    const o = await judgeOutcome({ exit, stopped: false, startedAt: Date.now() - 10_000, ...p });
    expect(o.state).toBe('failed');
    expect(o.reason).toBe("exited with code 1: ValueError: Tasks not found: ['nope']");
    expect(o.tail.at(-1)).toBe("ValueError: Tasks not found: ['nope']");
  });
});
