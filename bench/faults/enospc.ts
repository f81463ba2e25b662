/**
 * Disk full: the state dir on a 2 MiB tmpfs, one finished job on it, then a demo job flooding 100k log
 * lines/s until the disk is full. Promised: the server is up afterwards, `jobs` works, no record written
 * before the fault is lost or changed, no stray temp file, a submission during the fault is refused with
 * a clear "disk full" error, and the flooding job's outcome reaches the disk once space returns.
 * Needs root (mount); the real CLI and server run (dist/ is rebuilt first).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statfsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENTRY = path.join(ROOT, 'bin', 'lmms-tui.js');
const TRIALS = Number(process.env.BENCH_ENOSPC_TRIALS) || 5;
const FINISHED = new Set(['succeeded', 'failed', 'stopped', 'cancelled']);

interface Res {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<Res> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [ENTRY, ...args], { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function until<T>(fn: () => Promise<T | null> | T | null, timeoutMs: number): Promise<T | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) return null;
    await new Promise((r) => setTimeout(r, 50));
  }
}

function files(dir: string, re: RegExp, out: string[] = []): string[] {
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const n of names) {
    const full = path.join(dir, n);
    try {
      if (statSync(full).isDirectory()) files(full, re, out);
      else if (re.test(n)) out.push(full);
    } catch {
      /* vanished */
    }
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

interface Trial {
  serverUp: boolean;
  jobsOk: boolean;
  recordsLost: number;
  strayTemp: number;
  diskFilled: boolean;
  refusedClearly: boolean;
  outcomeKnown: boolean;
  outcomeSaved: boolean;
  floodState: string;
  floodError: string;
  ms: number;
}

async function trial(): Promise<Trial> {
  const home = mkdtempSync(path.join(tmpdir(), 'lmms-bench-enospc-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m,mode=0700', 'tmpfs', home]);
  const env: NodeJS.ProcessEnv = { ...process.env, LMMS_TUI_HOME: home, LMMS_TUI_GPUS: 'none', LMMS_TUI_GRACE_MS: '300', LMMS_DEMO_PACE: '0', LMMS_TUI_SERVER_ENTRY: ENTRY };
  delete env.LMMS_TUI_URL;
  const t0 = Date.now();
  let serverPid = 0;
  try {
    // Two finished jobs first: the records that must survive.
    const before = new Map<string, string>();
    for (let i = 0; i < 2; i++) {
      const r = await cli(['run', '--demo', '-t', 'demo_mme', '--limit', '2', '--wait'], env);
      if (r.code !== 0) throw new Error(`setup job failed: ${r.stderr}`);
    }
    for (const j of JSON.parse((await cli(['jobs', '--json'], env)).stdout) as { id: string }[]) {
      before.set(j.id, readFileSync(path.join(home, 'jobs', j.id, 'job.json'), 'utf8'));
    }
    serverPid = (JSON.parse(readFileSync(path.join(home, 'run', 'server.pid'), 'utf8')) as { pid: number }).pid;

    const sub = await cli(['run', '--demo', '-t', 'demo_mme', '--limit', '2'], { ...env, LMMS_DEMO_FLOOD: '100000', LMMS_DEMO_FLOOD_SECONDS: '2' });
    const flood = sub.stdout.trim();
    const shown = await until(async () => {
      const r = await cli(['show', flood, '--json'], env);
      if (r.code !== 0) return null;
      const j = JSON.parse(r.stdout) as { state: string; exit_code: number | null; signal: string | null; error: string | null };
      return FINISHED.has(j.state) ? j : null;
    }, 60_000);
    const fs = statfsSync(home);
    const diskFilled = fs.bavail * fs.bsize < 64 * 1024;

    const jobs = await cli(['jobs'], env);
    let recordsLost = 0;
    for (const [id, text] of before) {
      try {
        if (readFileSync(path.join(home, 'jobs', id, 'job.json'), 'utf8') !== text) recordsLost++;
      } catch {
        recordsLost++;
      }
      if (!jobs.stdout.includes(id)) recordsLost++;
    }
    const strayTemp = files(home, /\.tmp$/).length;
    const refused = await cli(['run', '--demo', '-t', 'demo_mme'], env);
    const refusedClearly = refused.code !== 0 && /disk full: cannot write \//.test(refused.stderr) && !/looks like a bug/.test(refused.stderr);

    // Space comes back: the flooding job's record must reach the disk with the outcome the server kept.
    rmSync(path.join(home, 'jobs', flood, 'output.log'), { force: true });
    rmSync(path.join(home, 'server.log'), { force: true });
    const saved = await until(() => {
      try {
        const r = JSON.parse(readFileSync(path.join(home, 'jobs', flood, 'job.json'), 'utf8')) as { state: string; exit_code: number | null; signal: string | null };
        return FINISHED.has(r.state) ? r : null;
      } catch {
        return null;
      }
    }, 10_000);
    return {
      serverUp: alive(serverPid),
      jobsOk: jobs.code === 0,
      recordsLost,
      strayTemp: strayTemp + files(home, /\.tmp$/).length,
      diskFilled,
      refusedClearly,
      outcomeKnown: !!shown && (shown.exit_code !== null || shown.signal !== null),
      outcomeSaved: !!saved && !!shown && saved.state === shown.state && saved.exit_code === shown.exit_code && saved.signal === shown.signal,
      floodState: shown?.state ?? 'unfinished',
      floodError: shown?.error ?? '',
      ms: Date.now() - t0,
    };
  } finally {
    if (serverPid && alive(serverPid)) process.kill(serverPid, 'SIGKILL');
    for (const f of files(path.join(home, 'jobs'), /^job\.json$/)) {
      try {
        const pid = (JSON.parse(readFileSync(f, 'utf8')) as { pid: number | null }).pid;
        if (pid) process.kill(-pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    try {
      execFileSync('umount', ['-l', home]);
    } catch {
      /* not mounted */
    }
    rmSync(home, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  if (process.getuid?.() !== 0) {
    console.log('enospc: needs root to mount a tmpfs; not run');
    process.exitCode = 1;
    return;
  }
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'ignore' });
  const results: Trial[] = [];
  for (let i = 0; i < TRIALS; i++) results.push(await trial());
  const count = (f: (t: Trial) => boolean) => results.filter(f).length;
  const sum = (f: (t: Trial) => number) => results.reduce((n, t) => n + f(t), 0);
  console.log(`trials                       ${TRIALS} (2 MiB tmpfs state dir, demo job flooding 100k lines/s for 2 s)`);
  console.log(`disk actually filled         ${count((t) => t.diskFilled)}/${TRIALS}`);
  console.log(`server up afterwards         ${count((t) => t.serverUp)}/${TRIALS}`);
  console.log(`\`jobs\` works                 ${count((t) => t.jobsOk)}/${TRIALS}`);
  console.log(`records lost or changed      ${sum((t) => t.recordsLost)} (of ${TRIALS * 2})`);
  console.log(`stray *.tmp files            ${sum((t) => t.strayTemp)}`);
  console.log(`submit refused as disk full  ${count((t) => t.refusedClearly)}/${TRIALS}`);
  console.log(`flood job outcome known      ${count((t) => t.outcomeKnown)}/${TRIALS}`);
  console.log(`... and saved once space back ${count((t) => t.outcomeSaved)}/${TRIALS}`);
  console.log(`flood job ended as           ${[...new Set(results.map((t) => `${t.floodState}: ${t.floodError.replace(/\/\S+/g, '<path>')}`))].join(' | ')}`);
  console.log(`time per trial               ${Math.round(sum((t) => t.ms) / TRIALS)} ms`);
  const broken =
    count((t) => t.serverUp && t.jobsOk && t.refusedClearly && t.outcomeKnown && t.outcomeSaved) !== TRIALS ||
    sum((t) => t.recordsLost) !== 0 ||
    sum((t) => t.strayTemp) !== 0;
  if (broken) process.exitCode = 1;
}
