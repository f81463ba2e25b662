// The per-job log cap with real processes: a flooding job, a small cap, stops, a killed writer and a
// daemonised helper that keeps the pipe open. The log must keep its head, a marker and the last lines,
// only ever grow (offsets stay valid), and the job's exit status must be what the job did.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildJobEnv, finishLogCap, launchJob, liveProcesses, parseLogCap, readExitRecord, readLogCapRecord, stopGroup } from '../../src/core/runner/index.js';
import { killAll, readLog, tempDir, track, waitFor } from './helpers.js';

afterEach(killAll);

const CAP = 64 * 1024;

async function launchCapped(script: string, cap = CAP) {
  const dir = tempDir();
  const job = track(await launchJob({ jobDir: dir, script, env: buildJobEnv(process.env, { extra: { JOB_DIR: dir } }), cwd: path.join(dir, 'work'), logCapBytes: cap }));
  return { job, dir };
}

/** N numbered lines as fast as bash can print them (about 40 bytes each). */
const flood = (n: number, from = 1) => `for ((i=${from}; i<${from + n}; i++)); do echo "flood line $i of the demo output ........"; done\n`;

/** A rolling-tail segment's text; '' when the writer rotated it away between the listing and the read. */
function readIfThere(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}

function segmentsLeft(dir: string): string[] {
  return readdirSync(dir).filter((n) => n.startsWith('output.log.tail.'));
}

function writerPids(dir: string): number[] {
  return liveProcesses((s) => {
    try {
      return readFileSync(`/proc/${s.pid}/cmdline`, 'utf8').includes(path.join(dir, 'logcap.cjs'));
    } catch {
      return false;
    }
  });
}

describe('log cap', () => {
  it('keeps the head, a marker and the last lines within the cap, records the cap, and keeps the exit code', async () => {
    const { job, dir } = await launchCapped(`echo FIRST-LINE\n${flood(20_000)}echo LAST-LINE\nexit 3\n`);
    expect(await job.exited).toEqual({ exit_code: 3, signal: null });
    expect(readExitRecord(dir)).toEqual({ exit_code: 3, signal: null });
    const log = readLog(dir);
    // ~800 KB of output in, at most the cap (plus the two marker lines) kept.
    expect(statSync(path.join(dir, 'output.log')).size).toBeLessThanOrEqual(CAP + 1024);
    expect(log.startsWith('FIRST-LINE\nflood line 1 of')).toBe(true);
    expect(log).toMatch(/\[lmms-tui\] output\.log reached its cap of 64\.0 KiB/);
    expect(log).toMatch(/\[lmms-tui\] \d+ bytes \(.*\) of output were dropped here \(log cap\); the last .* follow\n/);
    expect(log.endsWith('flood line 20000 of the demo output ........\nLAST-LINE\n')).toBe(true);
    // Every line is whole: the head was cut at a line end and the tail starts at one.
    for (const line of log.trimEnd().split('\n')) expect(line).toMatch(/^(FIRST-LINE|LAST-LINE|flood line \d+ of the demo output \.{8}|\[lmms-tui\] .*)$/);
    const rec = readLogCapRecord(dir);
    expect(rec?.cap_bytes).toBe(CAP);
    expect(rec!.dropped_bytes).toBeGreaterThan(600_000);
    expect(segmentsLeft(dir)).toEqual([]);
  });

  it('leaves a log under the cap exactly as the job wrote it, with no cap record', async () => {
    const { job, dir } = await launchCapped('echo one\necho two >&2\nprintf no-newline\n');
    expect(await job.exited).toEqual({ exit_code: 0, signal: null });
    expect(readLog(dir)).toBe('one\ntwo\nno-newline');
    expect(readLogCapRecord(dir)).toBeNull();
  });

  it('only appends: bytes read while the job floods past the cap are still the same bytes at the end', async () => {
    const { job, dir } = await launchCapped(`${flood(5000)}touch "$JOB_DIR/capped"\nwhile [ ! -e "$JOB_DIR/go" ]; do ${flood(200).trim()}; sleep 0.01; done\necho THE-END\n`);
    await waitFor(() => existsSync(path.join(dir, 'capped')) && readLog(dir).includes('reached its cap'), 'the cap to be reached');
    const seen = readFileSync(path.join(dir, 'output.log'));
    await waitFor(() => segmentsLeft(dir).length > 0, 'output to go to the rolling tail');
    writeFileSync(path.join(dir, 'go'), '');
    expect(await job.exited).toEqual({ exit_code: 0, signal: null });
    const final = readFileSync(path.join(dir, 'output.log'));
    expect(final.length).toBeGreaterThan(seen.length);
    expect(final.subarray(0, seen.length).equals(seen)).toBe(true);
    expect(final.toString().endsWith('THE-END\n')).toBe(true);
  });

  it('on stop (SIGTERM to the whole group) writes the last lines the job printed while stopping', async () => {
    const { job, dir } = await launchCapped(`trap 'echo LAST-WORDS; exit 7' TERM\n${flood(5000)}echo READY\nwhile :; do sleep 0.02; done\n`);
    await waitFor(() => existsSync(path.join(dir, 'log-cap.json')), 'the cap to be reached');
    await waitFor(() => segmentsLeft(dir).some((f) => readIfThere(path.join(dir, f)).includes('READY')), 'READY in the rolling tail');
    expect(await stopGroup(job, { graceMs: 5000, pollMs: 10 })).toEqual({ signal: 'SIGTERM' });
    expect(await job.exited).toEqual({ exit_code: 7, signal: null });
    const log = readLog(dir);
    // (bash reports the sleep it was waiting on as Terminated)
    expect(log).toMatch(/READY\n(Terminated\n)?LAST-WORDS\n$/);
    expect(writerPids(dir)).toEqual([]);
  });

  it('when the writer is SIGKILLed, the host appends the rolling tail it left on disk', async () => {
    const { job, dir } = await launchCapped(`${flood(5000)}echo BEFORE-KILL\ntouch "$JOB_DIR/printed"\nwhile [ ! -e "$JOB_DIR/go" ]; do sleep 0.02; done\n`);
    await waitFor(() => existsSync(path.join(dir, 'printed')), 'the job to print its last line');
    await waitFor(() => segmentsLeft(dir).some((f) => readFileSync(path.join(dir, f), 'utf8').includes('BEFORE-KILL')), 'the line in the rolling tail');
    for (const pid of writerPids(dir)) process.kill(pid, 'SIGKILL');
    await waitFor(() => writerPids(dir).length === 0, 'the writer to die');
    writeFileSync(path.join(dir, 'go'), '');
    await job.exited;
    expect(readLog(dir)).not.toContain('BEFORE-KILL');
    finishLogCap(dir);
    const log = readLog(dir);
    expect(log).toMatch(/recovered by the host/);
    expect(log.endsWith('BEFORE-KILL\n')).toBe(true);
    expect(segmentsLeft(dir)).toEqual([]);
    expect(readLogCapRecord(dir)!.dropped_bytes).toBeGreaterThan(0);
    finishLogCap(dir); // a second call is a no-op
    expect(readLog(dir)).toBe(log);
  });

  it('does not keep the job open when a daemonised helper still holds the output pipe', async () => {
    const { job, dir } = await launchCapped('setsid sleep 30 &\necho "helper $!" \necho done\n');
    const t0 = Date.now();
    expect(await job.exited).toEqual({ exit_code: 0, signal: null });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(readLog(dir)).toContain('done\n');
    const helper = Number(/helper (\d+)/.exec(readLog(dir))![1]);
    process.kill(helper, 'SIGKILL');
  });

  it('parses cap sizes and refuses nonsense', () => {
    expect(parseLogCap('2G')).toBe(2 * 1024 ** 3);
    expect(parseLogCap('512MiB')).toBe(512 * 1024 ** 2);
    expect(parseLogCap('64k')).toBe(65536);
    expect(parseLogCap('off')).toBe(0);
    expect(parseLogCap('100')).toBeNull(); // below 16 KiB: no room for head, markers and tail
    expect(parseLogCap('lots')).toBeNull();
  });
});
