/**
 * Secrets stay secret on every surface of the real server and the real CLI: a demo job submitted with an
 * `HF_TOKEN=hf_…` env line, `--setup 'export MY_PASSWORD=…'` and `api_key=…` in model_args never shows
 * those values in any response's bytes, and shows them with `?reveal=1` / `--reveal`. The files that hold
 * the spec are 0600 in 0700 directories, and job.json keeps only the environment the job can use.
 */
import http from 'node:http';
import { chmodSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LmmsClient } from '../../src/client/client.js';
import { MASK } from '../../src/core/redact.js';
import { serverPaths } from '../../src/server/paths.js';
import { cleanupHomes, cli, client, demoSpec, newHome } from './helpers.js';

const HF = 'hf_S3cretHubTokenValue1234567';
const PW = 'pw-Secret-Setup-77';
const KEY = 'ak-Secret-ModelArgs-88';
const CLEAR = [HF, PW, KEY];

let env: NodeJS.ProcessEnv;
let home: string;
let c: LmmsClient;
let id: string;
let submitText: string;

function get(p: string, method = 'GET', body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = body !== undefined ? { 'content-type': 'application/json' } : {};
    const req = http.request({ socketPath: serverPaths(home).socket, method, path: p, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const leaks = (text: string) => CLEAR.filter((s) => text.includes(s));

const spec = demoSpec({
  env: [`HF_TOKEN=${HF}`, 'HF_HOME=/tmp/hf-cache'],
  // The set-up line prints the value: the log must mask it wherever it reappears.
  setup: `export MY_PASSWORD=${PW} && echo "setup saw $MY_PASSWORD"`,
  python: 'python3',
  model_args: `pretrained=demo/model,api_key=${KEY}`,
  limit: 2,
});

beforeAll(async () => {
  ({ home, env } = await newHome({ LMMS_TUI_CONCURRENCY: '1' }));
  // Left by an older version with the umask's modes: narrowed when the server opens them.
  chmodSync(home, 0o755);
  mkdirSync(path.join(home, 'jobs'), { mode: 0o755 });
  chmodSync(path.join(home, 'jobs'), 0o755);
  c = await client(env);
  const sub = await get('/api/v1/jobs', 'POST', JSON.stringify({ spec, env: { ...(env as Record<string, string>), WANDB_API_KEY: 'wb-captured-env-secret' } }));
  expect(sub.status).toBe(201);
  submitText = sub.text;
  id = JSON.parse(sub.text).id as string;
  const done = await c.waitForJob(id, { intervalMs: 50, timeoutMs: 20_000 });
  expect(done.state).toBe('succeeded');
});
afterAll(async () => {
  c?.close();
  await cleanupHomes();
});

describe('the API masks secrets unless ?reveal=1', () => {
  it('submit, list, get, result, log, events and retry answer without a secret in their bytes', async () => {
    expect(leaks(submitText)).toEqual([]);
    const retried = await get(`/api/v1/jobs/${id}/retry`, 'POST', '{}');
    expect(retried.status).toBe(201);
    for (const p of [`/api/v1/jobs`, `/api/v1/jobs/${id}`, `/api/v1/jobs/${id}/result`, `/api/v1/jobs/${id}/log`, `/api/v1/jobs/${id}/events`]) {
      const r = await get(p);
      expect(r.status, p).toBe(200);
      expect(leaks(r.text), p).toEqual([]);
      expect(r.text, p).not.toContain('wb-captured-env-secret');
    }
    expect(leaks(retried.text)).toEqual([]);
    const job = JSON.parse((await get(`/api/v1/jobs/${id}`)).text);
    expect(job.spec.env).toEqual([`HF_TOKEN=${MASK}`, 'HF_HOME=/tmp/hf-cache']);
    expect(job.spec.setup).toBe(`export MY_PASSWORD=${MASK} && echo "setup saw $MY_PASSWORD"`);
    const log = JSON.parse((await get(`/api/v1/jobs/${id}/log`)).text) as { lines: { text: string }[] };
    expect(log.lines.map((l) => l.text)).toContain(`setup saw ${MASK}`);
    expect(job.spec.model_args).toBe(`pretrained=demo/model,api_key=${MASK}`);
    expect(job.script).toContain(`export HF_TOKEN=${MASK}\n`);
    expect(job.env).toBeUndefined();
    // The first SSE `state` event carries the job, masked too.
    const events = (await get(`/api/v1/jobs/${id}/events`)).text;
    expect(events).toMatch(/^event: state$/m);
    expect(events).toContain(`api_key=${MASK}`);
  });

  it('?reveal=1 returns the runnable spec and script on the job routes and in SSE state events', async () => {
    for (const p of [`/api/v1/jobs?reveal=1`, `/api/v1/jobs/${id}?reveal=1`, `/api/v1/jobs/${id}/events?reveal=1`]) {
      const r = await get(p);
      expect(r.status, p).toBe(200);
      expect(leaks(r.text).sort(), p).toEqual([...CLEAR].sort());
    }
    const job = JSON.parse((await get(`/api/v1/jobs/${id}?reveal=1`)).text);
    expect(job.spec).toEqual(spec);
    expect(job.script).toContain(`export HF_TOKEN=${HF}\n`);
    // Still no environment: no client needs it.
    expect(job.env).toBeUndefined();
    expect((await get(`/api/v1/jobs/${id}?reveal=yes`)).status).toBe(422);
  });

  it('documents reveal in the OpenAPI schema', async () => {
    const doc = JSON.parse((await get('/openapi.json')).text);
    const params = (doc.paths['/api/v1/jobs/{id}'].get.parameters as { name: string; in: string; description?: string }[]);
    const reveal = params.find((p) => p.name === 'reveal' && p.in === 'query');
    expect(reveal?.description).toMatch(/secrets in clear/);
    expect(JSON.stringify(doc.paths['/api/v1/jobs'].get)).toContain('reveal');
  });
});

describe('the CLI masks secrets unless --reveal', () => {
  it('show, show --json, jobs, jobs --json', async () => {
    for (const args of [['show', id], ['show', id, '--json'], ['jobs'], ['jobs', '--json']]) {
      const r = await cli(args, env);
      expect(r.code, args.join(' ')).toBe(0);
      expect(leaks(r.stdout + r.stderr), args.join(' ')).toEqual([]);
    }
    expect((await cli(['show', id], env)).stdout).toContain(`api_key=${MASK}`);
  });

  it('show --reveal and jobs --json --reveal print the runnable values', async () => {
    const shown = JSON.parse((await cli(['show', id, '--json', '--reveal'], env)).stdout);
    expect(shown.spec).toEqual(spec);
    expect((await cli(['show', id, '--reveal'], env)).stdout).toContain(`api_key=${KEY}`);
    const listed = (await cli(['jobs', '--json', '--reveal'], env)).stdout;
    expect(leaks(listed).sort()).toEqual([...CLEAR].sort());
  });

  it('preview masks by default; --reveal prints the exact script', async () => {
    const args = ['preview', '--demo', '-t', 'demo_mme', '--env', `HF_TOKEN=${HF}`, '--setup', `export MY_PASSWORD=${PW}`, '--python', 'python3', '--model_args', `pretrained=x,api_key=${KEY}`];
    for (const extra of [[], ['--json']]) {
      const r = await cli([...args, ...extra], env);
      expect(r.code).toBe(0);
      expect(leaks(r.stdout + r.stderr)).toEqual([]);
      expect(r.stdout).toContain('HF_TOKEN=••••••');
    }
    const clear = await cli([...args, '--reveal'], env);
    expect(leaks(clear.stdout).sort()).toEqual([...CLEAR].sort());
  });
});

describe('run --no-server --wait', () => {
  it('streams the log with secrets masked', async () => {
    const { env: own } = await newHome();
    const r = await cli(['run', '--no-server', '--wait', '--demo', '-t', 'demo_mme', '--limit', '2', '--python', 'python3', '--setup', `export MY_PASSWORD=${PW} && echo "setup saw $MY_PASSWORD"`], own);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`setup saw ${MASK}`);
    expect(leaks(r.stdout + r.stderr)).toEqual([]);
  });
});

describe('files that hold the spec', () => {
  const mode = (p: string) => statSync(p).mode & 0o777;

  it('job.json, job.sh and output.log are 0600 in 0700 job, jobs and state directories', () => {
    const dir = path.join(home, 'jobs', id);
    expect(mode(home).toString(8)).toBe('700');
    expect(mode(path.join(home, 'jobs')).toString(8)).toBe('700');
    expect(mode(dir).toString(8)).toBe('700');
    for (const f of ['job.json', 'job.sh', 'output.log']) expect(mode(path.join(dir, f)).toString(8), f).toBe('600');
  });

  it('a failed job keeps its log tail in job.json with the job\'s secret values masked', async () => {
    const sub = await c.submit(spec, { env: { ...(env as Record<string, string>), LMMS_DEMO_FAIL: 'exit1' } });
    const failed = await c.waitForJob(sub.id, { intervalMs: 50, timeoutMs: 20_000 }).catch(() => c.job(sub.id));
    expect(failed.state).toBe('failed');
    const raw = readFileSync(path.join(home, 'jobs', sub.id, 'job.json'), 'utf8');
    const rec = JSON.parse(raw) as { error_tail: string[] };
    expect(rec.error_tail).toContain(`setup saw ${MASK}`);
    expect(rec.error_tail.join('\n')).not.toContain(PW);
    expect(leaks((await get(`/api/v1/jobs/${sub.id}/result`)).text)).toEqual([]);
  });

  it('job.json keeps the environment the job can use and nothing of lmms-tui\'s own', () => {
    const rec = JSON.parse(readFileSync(path.join(home, 'jobs', id, 'job.json'), 'utf8')) as { env: Record<string, string> };
    expect(rec.env.PATH).toBe(env.PATH);
    expect(rec.env.WANDB_API_KEY).toBe('wb-captured-env-secret');
    expect(Object.keys(rec.env).filter((k) => k.startsWith('LMMS_TUI_'))).toEqual([]);
  });
});
