/**
 * Job labels (`run --name`, `label` over the API) and duplicate submits, through the shipped CLI and the
 * real server: shown by jobs/show/queue, masked like the spec, checked at submit; a second submit of the
 * same spec while the first is queued or running is refused without a terminal and asked about on one.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LmmsClient } from '../../src/client/client.js';
import { ApiError } from '../../src/client/errors.js';
import { cleanupHomes, cli, client, demoSpec, newHome, until } from './helpers.js';

let env: NodeJS.ProcessEnv;
let c: LmmsClient;

beforeAll(async () => {
  ({ env } = await newHome({ LMMS_TUI_CONCURRENCY: '1' }));
  c = await client(env);
});
afterAll(async () => {
  c?.close();
  await cleanupHomes();
});

describe('labels', () => {
  it('run --name names the job in jobs, show, queue and --json; retry keeps it', async () => {
    const r = await cli(['run', '--demo', '-t', 'demo_mme', '--limit', '2', '--name', 'ckpt-2000 baseline'], env);
    expect(r.code).toBe(0);
    const id = r.stdout.trim();
    expect(r.stderr).toContain(`submitted job ${id} "ckpt-2000 baseline"`);
    await c.waitForJob(id, { intervalMs: 50, timeoutMs: 20_000 });
    const table = (await cli(['jobs'], env)).stdout;
    expect(table.split('\n')[0]).toMatch(/^ID\s+NAME\s+STATE\s+MODEL/);
    expect(table).toMatch(new RegExp(`${id}\\s+ckpt-2000 baseline\\s+✓ succeeded`));
    expect((await cli(['show', id], env)).stdout).toMatch(/\n {2}name {7}ckpt-2000 baseline\n/);
    expect(JSON.parse((await cli(['jobs', '--json'], env)).stdout).find((j: { id: string }) => j.id === id).label).toBe('ckpt-2000 baseline');
    const again = (await cli(['retry', id], env)).stdout.match(/[0-9a-f]{8}/)![0];
    expect((await c.job(again)).label).toBe('ckpt-2000 baseline');
    await c.waitForJob(again, { intervalMs: 50, timeoutMs: 20_000 });
  });

  it('an unnamed job shows "-" beside named ones, and the queue shows names', async () => {
    const hang = { ...env, LMMS_DEMO_HANG: '1' };
    const running = (await cli(['run', '--demo', '-t', 'demo_mme', '--limit', '3', '--name', 'blocker'], hang)).stdout.trim();
    const queued = (await cli(['run', '--demo', '-t', 'demo_mme', '--limit', '5'], env)).stdout.trim();
    const q = (await cli(['queue'], env)).stdout;
    expect(q).toContain(`${running}  "blocker"  demo`);
    expect(q).toMatch(new RegExp(` 1\\. ${queued}  demo`));
    expect((await cli(['jobs'], env)).stdout).toMatch(new RegExp(`${queued}\\s+-\\s+◷ queued`));
    await cli(['stop', running], env);
    await cli(['cancel', queued], env);
  });

  it('masks a secret in a label as it masks the spec; --reveal shows it', async () => {
    const secret = 'hf_abcdefghijklmnopqrstuvwxyz012345';
    const { id } = await c.submit(demoSpec({ limit: 1, env: [`HF_TOKEN=${secret}`] }), { label: `run with ${secret}`, env: {} });
    await c.waitForJob(id, { intervalMs: 50, timeoutMs: 20_000 });
    const masked = JSON.parse((await cli(['show', id, '--json'], env)).stdout);
    expect(masked.label).toBe('run with ••••••');
    expect((await cli(['jobs'], env)).stdout).not.toContain(secret);
    expect((await cli(['show', id], env)).stdout).not.toContain(secret);
    expect(JSON.parse((await cli(['show', id, '--json', '--reveal'], env)).stdout).label).toBe(`run with ${secret}`);
  });

  it('refuses a bad label by field, on the CLI and over the API, and queues nothing', async () => {
    const before = (await c.jobs()).length;
    const empty = await cli(['run', '--demo', '-t', 'demo_mme', '--name', '  '], env);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('--name: is empty');
    const ctl = await cli(['run', '--demo', '-t', 'demo_mme', '--name', 'a\nb'], env);
    expect(ctl.code).toBe(2);
    expect(ctl.stderr).toContain('--name: contains a control character');
    const err = await c.submit(demoSpec(), { label: 'x'.repeat(81) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(422);
    expect((err as ApiError).problems).toEqual([expect.objectContaining({ field: 'label', message: 'is 81 characters long (at most 80)' })]);
    expect((await c.jobs()).length).toBe(before);
  });
});

describe('duplicate submits', () => {
  it('without a terminal: refused naming the twin; --allow-duplicate queues it; a finished twin does not count', async () => {
    const hang = { ...env, LMMS_DEMO_HANG: '1' };
    const args = ['run', '--demo', '-t', 'demo_mme', '--limit', '7'];
    const first = (await cli(args, hang)).stdout.trim();
    await until(async () => (await c.job(first)).state === 'running', { what: 'the first job to run' });
    const before = (await c.jobs()).length;
    const dup = await cli(args, env);
    expect(dup.code).toBe(1);
    expect(dup.stdout).toBe('');
    expect(dup.stderr).toContain(`not submitted: job ${first} with the same spec is already running`);
    expect(dup.stderr).toContain('--allow-duplicate');
    expect((await c.jobs()).length).toBe(before);
    // A different spec is not a duplicate.
    const other = await cli(['run', '--demo', '-t', 'demo_mme', '--limit', '8'], env);
    expect(other.code).toBe(0);
    const forced = await cli([...args, '--allow-duplicate'], env);
    expect(forced.code).toBe(0);
    const second = forced.stdout.trim();
    expect((await c.job(second)).state).toBe('queued');
    // The twin is now queued as well as running: still refused, naming one of them.
    expect((await cli(args, env)).stderr).toMatch(new RegExp(`job (${first}|${second}) with the same spec is already`));
    await cli(['stop', first], env);
    await cli(['cancel', second], env);
    await c.waitForJob(other.stdout.trim(), { intervalMs: 50, timeoutMs: 20_000 });
    // Nothing of that spec queued or running any more: a plain submit goes through.
    const fresh = await cli(args, env);
    expect(fresh.code).toBe(0);
    await c.waitForJob(fresh.stdout.trim(), { intervalMs: 50, timeoutMs: 20_000 });
  });

  it('on a terminal: asks, and only "y" submits', async () => {
    const hang = { ...env, LMMS_DEMO_HANG: '1' };
    const args = ['run', '--demo', '-t', 'demo_mme', '--limit', '9'];
    const first = (await cli(args, hang)).stdout.trim();
    const onTty = (answer: string) =>
      new Promise<string>((resolve) => {
        // A real pseudo-terminal (python's pty), so stdin and stderr are TTYs as in an interactive shell.
        const py = `import os, pty, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
out = b''
sent = False
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
    if not sent and b'[y/N]' in out:
        os.write(fd, sys.stdin.buffer.read() + b'\\r')
        sent = True
os.waitpid(pid, 0)
sys.stdout.buffer.write(out)`;
        const child = spawn('python3', ['-c', py, process.execPath, env.LMMS_TUI_SERVER_ENTRY!, ...args], { env, stdio: ['pipe', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.on('close', () => resolve(out));
        child.stdin.end(answer);
      });
    const no = await onTty('n');
    expect(no).toContain(`job ${first} with the same spec is already`);
    expect(no).toContain('Submit another copy? [y/N]');
    expect(no).toContain('not submitted');
    expect((await c.jobs()).filter((j) => j.spec.limit === 9)).toHaveLength(1);
    const yes = await onTty('y');
    const second = yes.match(/submitted job ([0-9a-f]{8})/)?.[1];
    expect(second).toBeTruthy();
    expect((await c.jobs()).filter((j) => j.spec.limit === 9)).toHaveLength(2);
    await cli(['cancel', second!], env);
    await cli(['stop', first], env);
  });
});
