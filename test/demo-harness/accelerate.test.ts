/**
 * The demo's stand-in for `accelerate launch` (demo/harness/accelerate), driven with the command line the engine
 * builds for num_gpus > 1. Real python3 processes, each launcher in its own process group. Linux only (/proc).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { barSegments, demoEnv, type Finished, listFiles, removeTempDirs, stripAnsi, tempDir, waitFor } from './helpers.js';

const LAUNCH = ['-m', 'accelerate.commands.launch'];
/** The launcher flags src/core/command/build.ts writes for two GPUs. */
const FLAGS = (n: number, port = 29517): string[] => [
  '--num_processes', String(n), '--num_machines', '1', '--mixed_precision', 'no', '--dynamo_backend', 'no',
  '--multi_gpu', '--main_process_port', String(port),
];

interface Launched {
  proc: ChildProcess;
  pid: number;
  stdout: () => string;
  stderr: () => string;
  done: Promise<Finished>;
}

const groups: number[] = [];

afterEach(() => {
  for (const pgid of groups.splice(0)) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  removeTempDirs();
});

function launch(args: string[], opts: { env?: Record<string, string | undefined>; cwd?: string } = {}): Launched {
  const proc = spawn('python3', [...LAUNCH, ...args], {
    cwd: opts.cwd ?? tmpdir(),
    env: demoEnv(opts.env),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own group, as the engine runs jobs
  });
  if (proc.pid === undefined) throw new Error('python3 did not start');
  groups.push(proc.pid);
  let out = '';
  let err = '';
  proc.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  proc.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
  const done = new Promise<Finished>((resolve) => {
    proc.on('close', (code, signal) => resolve({ code, signal, stdout: out, stderr: err }));
  });
  return { proc, pid: proc.pid, stdout: () => out, stderr: () => err, done };
}

/** Live (non-zombie) members of a process group, from /proc. */
function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] !== 'Z' && Number(fields[2]) === pgid) out.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return out;
}

/** A worker module that reports its launcher environment as one JSON line and exits with a chosen code. */
function probeDir(): string {
  const dir = tempDir();
  writeFileSync(
    path.join(dir, 'probe_rank.py'),
    [
      'import json, os, sys',
      'keys = ["RANK", "LOCAL_RANK", "WORLD_SIZE", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"]',
      // One write per line: ranks share the pipe, and print() may write the text and its newline separately.
      'line = json.dumps({"env": {k: os.environ.get(k) for k in keys}, "argv": sys.argv[1:]}) + "\\n"',
      'os.write(1, line.encode())',
      'fail = os.environ.get("PROBE_FAIL_RANK")',
      'sys.exit(int(os.environ.get("PROBE_CODE", "1")) if fail == os.environ["RANK"] else 0)',
      '',
    ].join('\n'),
  );
  return dir;
}

function probeLines(stdout: string): { env: Record<string, string>; argv: string[] }[] {
  return stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

const count = (text: string, re: RegExp): number => (text.match(new RegExp(re.source, 'gm')) ?? []).length;

describe.skipIf(process.platform !== 'linux')('demo accelerate launcher', () => {
  it('a 2-process lmms_eval run: both ranks log, only rank 0 draws bars, prints tables and writes results', async () => {
    const out = tempDir();
    const run = await launch([...FLAGS(2), '-m', 'lmms_eval', '--model', 'demo', '--model_args', 'pretrained=org/m', '--tasks', 'demo_vqa', '--output_path', out]).done;
    expect(run.code, run.stderr).toBe(0);
    expect(listFiles(out).filter((f) => f.endsWith('_results.json'))).toHaveLength(1);
    const stdout = stripAnsi(run.stdout);
    expect(stdout).toContain('Running on rank 0 (local rank 0)');
    expect(stdout).toContain('Running on rank 1 (local rank 1)');
    expect(count(stdout, /DEMO HARNESS: results are simulated/)).toBe(2); // every rank logs
    expect(count(stdout, /^\|\s*Tasks\s*\|/)).toBe(1);
    expect(barSegments(run.stderr).filter((s) => s.startsWith('Model Responding: 100%'))).toHaveLength(1);
    expect(count(run.stderr, /DEMO LAUNCHER/)).toBe(1);
    expect(run.stderr).not.toContain('defaults used instead'); // every launcher flag was given
  });

  it('a 2-process lm_eval run writes exactly one results file and logs from both ranks', async () => {
    const out = tempDir();
    const run = await launch([...FLAGS(2), '-m', 'lm_eval', 'run', '--model', 'hf', '--model_args', 'pretrained=org/m', '--tasks', 'demo_hellaswag', '--output_path', out]).done;
    expect(run.code, run.stderr).toBe(0);
    expect(listFiles(out).filter((f) => /results_.*\.json$/.test(f))).toHaveLength(1);
    expect(run.stderr).toContain('Building contexts for demo_hellaswag on rank 0...');
    expect(run.stderr).toContain('Building contexts for demo_hellaswag on rank 1...');
    expect(count(run.stdout, /^\|\s*Tasks\s*\|/)).toBe(1);
  });

  it('gives each rank its environment and the arguments verbatim; --num_processes defaults to CUDA_VISIBLE_DEVICES', async () => {
    const cwd = probeDir();
    const run = await launch(['--main_process_port', '29533', '-m', 'probe_rank', '--tasks', 'a b', '--x=1'], { cwd, env: { CUDA_VISIBLE_DEVICES: '0,1,3' } }).done;
    expect(run.code, run.stderr).toBe(0);
    const lines = probeLines(run.stdout).sort((a, b) => Number(a.env.RANK) - Number(b.env.RANK));
    expect(lines.map((l) => l.env)).toEqual([0, 1, 2].map((r) => ({
      RANK: String(r), LOCAL_RANK: String(r), WORLD_SIZE: '3', LOCAL_WORLD_SIZE: '3', MASTER_ADDR: '127.0.0.1', MASTER_PORT: '29533',
    })));
    for (const l of lines) expect(l.argv).toEqual(['--tasks', 'a b', '--x=1']);
    expect(run.stderr).toContain('defaults used instead'); // like the real launcher when flags are left out

    const single = await launch(['-m', 'probe_rank'], { cwd }).done;
    expect(probeLines(single.stdout).map((l) => l.env.WORLD_SIZE)).toEqual(['1']);
  });

  it("exits with a failing rank's exit code, after the other ranks finished", async () => {
    const cwd = probeDir();
    const run = await launch([...FLAGS(3), '-m', 'probe_rank'], { cwd, env: { PROBE_FAIL_RANK: '1', PROBE_CODE: '3' } }).done;
    expect(run.code).toBe(3);
    expect(probeLines(run.stdout)).toHaveLength(3);
    expect(run.stderr).toMatch(/rank 1 \(pid \d+\) exited with code 3/);

    const oom = await launch([...FLAGS(2), '-m', 'lmms_eval', '--model', 'demo', '--tasks', 'demo_vqa'], { env: { LMMS_DEMO_FAIL: 'exit1' } }).done;
    expect(oom.code).toBe(1);
  });

  it('an unknown launcher flag before -m is a usage error (exit 2) and starts no worker', async () => {
    const cwd = probeDir();
    const run = await launch(['--num_processes', '2', '--no_such_flag', '-m', 'probe_rank'], { cwd }).done;
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unrecognized arguments: --no_such_flag');
    expect(run.stdout).toBe('');
    // After the module name, flags belong to the worker.
    const passed = await launch(['--num_processes', '1', '-m', 'probe_rank', '--no_such_flag'], { cwd }).done;
    expect(passed.code).toBe(0);
    expect(probeLines(passed.stdout)[0]!.argv).toEqual(['--no_such_flag']);
  });

  async function hungRun(children: number, env: Record<string, string> = {}): Promise<Launched> {
    const run = launch([...FLAGS(2), '-m', 'lmms_eval', '--model', 'demo', '--tasks', 'demo_vqa'], {
      env: { LMMS_DEMO_HANG: '1', LMMS_DEMO_CHILDREN: String(children), LMMS_DEMO_CHILD_LIFETIME: '60', ...env },
    });
    await waitFor(() => count(stripAnsi(run.stdout()), /simulated: no weights are loaded/) === 2, 'both ranks to reach the model-loading line');
    // launcher + 2 ranks + their workers, all in the launcher's group
    await waitFor(() => groupMembers(run.pid).length === 3 + 2 * children, `${3 + 2 * children} processes in the group`);
    return run;
  }

  it('SIGTERM to the process group ends the launcher, both ranks and their workers', async () => {
    const pidfile = path.join(tempDir(), 'pids');
    const run = await hungRun(1, { LMMS_DEMO_PIDFILE: pidfile });
    // Each rank lists itself and its worker; rank 1 in its own file, so neither overwrites the other.
    const listed = [pidfile, `${pidfile}.rank1`].flatMap((f) => readFileSync(f, 'utf8').trim().split('\n').map(Number));
    expect(listed.sort()).toEqual(groupMembers(run.pid).filter((p) => p !== run.pid).sort());
    process.kill(-run.pid, 'SIGTERM');
    const done = await run.done; // resolves only once every holder of the pipes is gone
    expect(done.signal).toBe('SIGTERM');
    await waitFor(() => groupMembers(run.pid).length === 0, 'an empty process group');
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('%s to the launcher alone is forwarded to the ranks, then it dies of it', async (sig) => {
    const run = await hungRun(0);
    process.kill(run.pid, sig);
    const done = await run.done;
    expect(done.signal).toBe(sig);
    await waitFor(() => groupMembers(run.pid).length === 0, 'an empty process group');
  });
});
