/** The job commands' output and exit codes, through the CLI process against one server. */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LmmsClient } from '../../src/client/client.js';
import { cleanupHomes, cli, client, newHome } from './helpers.js';

let env: NodeJS.ProcessEnv;
let c: LmmsClient;
let done: string; // a succeeded job
let failed: string;

beforeAll(async () => {
  ({ env } = await newHome({ LMMS_TUI_CONCURRENCY: '1' }));
  c = await client(env);
  done = (await cli(['run', '--demo', '-t', 'demo_mme', '--limit', '4'], env)).stdout.trim();
  failed = (await cli(['run', '--demo', '-t', 'demo_mme'], { ...env, LMMS_DEMO_FAIL: 'exit1' })).stdout.trim();
  await c.waitForJob(done, { intervalMs: 50, timeoutMs: 20_000 });
  await c.waitForJob(failed, { intervalMs: 50, timeoutMs: 20_000 }).catch(() => undefined);
});
afterAll(async () => {
  c?.close();
  await cleanupHomes();
});

describe('job commands', () => {
  it('jobs lists a table, filters by state, and refuses unknown states', async () => {
    const table = await cli(['jobs'], env);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+STATE\s+MODEL\s+GPUS\s+CREATED\s+ELAPSED\s+TASKS$/);
    expect(table.stdout).toMatch(new RegExp(`${done}\\s+✓ succeeded`));
    expect(table.stdout).toMatch(new RegExp(`${failed}\\s+✗ failed`));
    const onlyFailed = JSON.parse((await cli(['jobs', '--state', 'failed', '--json'], env)).stdout);
    expect(onlyFailed.map((j: { id: string }) => j.id)).toEqual([failed]);
    const bad = await cli(['jobs', '--state', 'done'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown state done');
  });

  it('show prints details and metrics; --json carries the result', async () => {
    const text = await cli(['show', done.slice(0, 3)], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`job ${done}  ✓ succeeded`);
    expect(text.stdout).toMatch(/metrics\n\s+TASK\s+METRIC\s+FILTER\s+VALUE\s+STDERR\n\s+demo_mme\s+\S+\s+\S+\s+[\d.]+/);
    const json = JSON.parse((await cli(['show', done, '--json'], env)).stdout);
    expect(json.result.metrics.length).toBeGreaterThan(0);
    expect(json.result.files).toEqual(json.results);
    const bad = await cli(['show', failed], env);
    expect(bad.stdout).toContain('last ');
    expect(bad.stdout).toContain('Traceback');
  });

  it('logs prints the whole log, its tail, and follows a finished job to its end', async () => {
    const whole = (await c.log(done)).lines.map((l) => l.text);
    const all = await cli(['logs', done], env);
    expect(all.stdout).toBe(`${whole.join('\n')}\n`);
    const tail = await cli(['logs', done, '--tail', '2'], env);
    expect(tail.stdout).toBe(`${whole.slice(-2).join('\n')}\n`);
    const follow = await cli(['logs', '-f', done], env);
    expect(follow.code).toBe(0);
    expect(follow.stdout).toBe(all.stdout);
    const followTail = await cli(['logs', '-f', '-n', '1', done], env);
    expect(followTail.stdout).toBe(`${whole.at(-1)}\n`);
  });

  it('retry, cancel, rm and queue', async () => {
    const hang = (await cli(['run', '--demo', '-t', 'demo_mme'], { ...env, LMMS_DEMO_HANG: '1' })).stdout.trim();
    const retried = await cli(['retry', failed], env);
    expect(retried.code).toBe(0);
    const newId = retried.stdout.trim();
    expect(retried.stderr).toContain(`retrying ${failed} as ${newId}`);
    const q = JSON.parse((await cli(['queue', '--json'], env)).stdout);
    expect(q.running).toEqual([hang]);
    expect(q.queued).toEqual([{ id: newId, position: 1 }]);
    expect((await cli(['queue'], env)).stdout).toContain(`1. ${newId}`);
    expect((await cli(['cancel', hang], env)).code).toBe(1); // running: refused
    expect((await cli(['cancel', newId], env)).stdout).toBe(`cancelled ${newId}\n`);
    expect((await cli(['rm', hang], env)).code).toBe(1); // not finished
    expect((await cli(['stop', hang], env)).code).toBe(0);
    expect((await cli(['rm', newId], env)).stdout).toBe(`removed ${newId}\n`);
    expect((await cli(['show', newId], env)).code).toBe(2);
  });
});

describe('submission context', () => {
  it("runs the job with the submitter's environment (minus launcher variables) and working directory", async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'lmms-cwd-'));
    try {
      const r = await cli(
        ['run', '--demo', '-t', 'demo_mme', '--limit', '2', '--python', 'python3', '--setup', 'echo "MARK=$MY_MARK RANK=${RANK:-unset}"', '--output_path', 'out', '--wait'],
        { ...env, MY_MARK: 'from-the-shell', RANK: '3' },
        cwd,
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('MARK=from-the-shell RANK=unset');
      const job = await c.job(r.stdout.split('\n')[0]!);
      expect(job.cwd).toBe(cwd);
      expect(job.output_path).toBe(path.join(cwd, 'out'));
      expect(job.results.length).toBeGreaterThan(0);
      for (const f of job.results) expect(f.startsWith(path.join(cwd, 'out'))).toBe(true);
      expect(existsSync(job.results[0]!)).toBe(true);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});

describe('a damaged job store', () => {
  it('skips a corrupt job.json, lists the other jobs, and says which directory it skipped', async () => {
    const { home, env: env2 } = await newHome();
    const ok = (await cli(['run', '--demo', '-t', 'demo_mme', '--limit', '2', '--wait'], env2)).stdout.trim().split('\n')[0]!;
    await cli(['server', 'stop'], env2);
    const bad = path.join(home, 'jobs', 'feedf00d');
    mkdirSync(bad, { recursive: true });
    writeFileSync(path.join(bad, 'job.json'), '{"id": "feedf00d", "state": "runn'); // half-written
    const listed = await cli(['jobs'], env2); // starts a fresh server over the damaged store
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(ok);
    expect(listed.stderr).toContain(`warning: job feedf00d (${bad}): unreadable job.json`);
    expect(listed.stderr).toContain('(skipped)'); // no launch record and no live process: nothing to rebuild it from
    await cli(['server', 'stop'], env2);
  });
});
