/**
 * `lmms-tui status`, the tmux status-bar line, through the shipped CLI: against a live server, then with
 * the server stopped (the job records are read from the state dir; no server is started, no lock taken).
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LmmsClient } from '../../src/client/client.js';
import { serverPaths } from '../../src/server/paths.js';
import { readPidFile } from '../../src/server/pidfile.js';
import { isAlive } from '../../src/core/runner/index.js';
import { cleanupHomes, cli, client, newHome, until } from './helpers.js';

let home: string;
let env: NodeJS.ProcessEnv;
let c: LmmsClient;
let slow: string;
let waiting: string;
let failed: string;

// A bar with a known rate, so its ETA is printed (tqdm shows `<?` until then).
const BAR = /Model Responding:\s+\d+%\|[^|]*\|\s*\d+\/\d+ \[\d\d:\d\d<\d\d:\d\d,/;

beforeAll(async () => {
  ({ home, env } = await newHome({ LMMS_TUI_CONCURRENCY: '1' }));
  c = await client(env);
  failed = (await cli(['run', '--demo', '-t', 'demo_mme', '--limit', '2'], { ...env, LMMS_DEMO_FAIL: 'exit1' })).stdout.trim();
  await c.waitForJob(failed, { intervalMs: 50, timeoutMs: 20_000 }).catch(() => undefined);
  // Slow enough to be mid-bar for the whole file (100 documents at 0.5 s), stopped by cleanupHomes.
  slow = (await cli(['run', '--demo', '-t', 'demo_mme', '--limit', '100'], { ...env, LMMS_DEMO_PACE: '0.5' })).stdout.trim();
  waiting = (await cli(['run', '--demo', '-t', 'demo_mme', '--limit', '2'], env)).stdout.trim();
  await until(() => BAR.test(readFileSync(path.join(home, 'jobs', slow, 'output.log'), 'utf8')), { timeoutMs: 20_000, what: 'a progress bar in the log' });
}, 60_000);
afterAll(async () => {
  c?.close();
  await cleanupHomes();
});

const LINE = /^▶1 ◷1 ✗1 · \d{1,2}% ETA \d+(?:s|m)\n$/;

describe('status with the server running', () => {
  it('prints counts with glyphs, the running bar and its ETA, in one line', async () => {
    const r = await cli(['status'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(LINE);
    const json = JSON.parse((await cli(['status', '--json'], env)).stdout);
    expect(json).toMatchObject({ source: 'server', counts: { running: 1, queued: 1, failed: 1, succeeded: 0 }, paused: false });
    expect(json.percent).toBeGreaterThan(0);
    expect(json.etaSeconds).toBeGreaterThan(0);
  });

  it('--ascii and a C locale use the ASCII glyphs; --format fills placeholders and refuses unknown ones', async () => {
    expect((await cli(['status', '--ascii'], env)).stdout).toMatch(/^>1 \.1 x1 \| \d{1,2}% ETA \d+(?:s|m)\n$/);
    const c = { ...env, LANG: 'C', LC_ALL: '', LC_CTYPE: '' };
    expect((await cli(['status'], c)).stdout).toMatch(/^>1 \.1 x1 \| /);
    expect((await cli(['status'], { ...c, LMMS_TUI_GLYPHS: 'unicode' })).stdout).toMatch(/^▶1 ◷1 ✗1 · /);
    const f = await cli(['status', '--format', 'run={running} q={queued} fail={failed_icon}{failed} ok={succeeded} [{source}] {percent}'], env);
    expect(f.stdout).toMatch(/^run=1 q=1 fail=✗1 ok=0 \[server\] \d{1,2}%\n$/);
    const bad = await cli(['status', '--format', '{running} {gpus}'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--format: unknown placeholder {gpus}');
    expect(bad.stderr).toContain('{running_icon}');
  });

  it('--since bounds the finished counts; a bad duration is a usage error', async () => {
    // The failed job ended at least a moment ago; 0s excludes it, "all" keeps it.
    await until(async () => (await cli(['status', '--since', '0s', '--format', '{failed}'], env)).stdout === '0\n', { what: 'the failure to age past 0s' });
    expect((await cli(['status', '--since', 'all', '--format', '{failed}'], env)).stdout).toBe('1\n');
    const bad = await cli(['status', '--since', 'yesterday'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--since: "yesterday" is not a duration');
  });

  it('documents the placeholders and the tmux snippet in --help', async () => {
    const help = (await cli(['status', '--help'], env)).stdout;
    for (const p of ['{summary}', '{percent}', '{eta}', '{running}', '{failed_icon}', '{paused}', '{source}']) expect(help).toContain(p);
    expect(help).toContain("set -g status-right '#(lmms-tui status)'");
  });
});

describe('status with the server stopped', () => {
  it('reads the job records directly, without starting a server or taking the lock', async () => {
    expect((await cli(['server', 'stop'], env)).code).toBe(0);
    const paths = serverPaths(home);
    const before = readdirSync(home).sort();
    const lockBefore = existsSync(path.join(home, 'scheduler.lock')) ? statSync(path.join(home, 'scheduler.lock')).mtimeMs : null;
    const r = await cli(['status'], env);
    expect(r.code).toBe(0);
    // The running job kept running without the server; its bar is still read from its log.
    expect(r.stdout).toMatch(LINE);
    expect(JSON.parse((await cli(['status', '--json'], env)).stdout)).toMatchObject({ source: 'disk', counts: { running: 1, queued: 1, failed: 1 } });
    expect((await cli(['status', '--format', '{source}'], env)).stdout).toBe('disk\n');
    const info = readPidFile(paths.pidFile);
    expect(info && isAlive(info)).toBeFalsy();
    expect((await cli(['server', 'status'], env)).stdout).toContain('not running');
    expect(readdirSync(home).sort()).toEqual(before);
    const lockAfter = existsSync(path.join(home, 'scheduler.lock')) ? statSync(path.join(home, 'scheduler.lock')).mtimeMs : null;
    expect(lockAfter).toBe(lockBefore);
    // The queued job is still waiting: nothing dispatched it.
    expect(JSON.parse(readFileSync(path.join(home, 'jobs', waiting, 'job.json'), 'utf8')).state).toBe('queued');
  });

  it('prints "idle" for a state dir that does not exist yet, and creates nothing', async () => {
    const { home: fresh, env: env2 } = await newHome();
    const gone = path.join(fresh, 'never');
    const r = await cli(['status'], { ...env2, LMMS_TUI_HOME: gone });
    expect(r).toMatchObject({ code: 0, stdout: 'idle\n' });
    expect(existsSync(gone)).toBe(false);
  });
});
