/**
 * The compat surfaces and the web UI mask secrets with the core rule: lmms-eval server mode's `/jobs/{id}`,
 * lm-eval-server's `/job/{n}` and `/jobs`, the web UI's `/eval/preview`, `/eval/start` and YAML export,
 * against a real server running the demo harness. `?reveal=1` gives the runnable values back, and the job
 * itself always runs with them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LmmsClient } from '../../src/client/client.js';
import { startWebServer, type WebServer } from '../../src/compat/webui.js';
import { MASK } from '../../src/core/redact.js';
import { compatEnv, newHomeDir, removeHome, request, startTestServer, until, type TestServer } from './helpers.js';

const HF = 'hf_CompatHubTokenSecret12345';
const PW = 'pw-Compat-Setup-Secret';
const KEY = 'ak-Compat-ModelArgs-Secret';
const CLEAR = [HF, PW, KEY];
const leaks = (text: string) => CLEAR.filter((s) => text.includes(s));

let s: TestServer;
let home: string;
let client: LmmsClient;
let web: WebServer;
let cwd: string;

beforeAll(async () => {
  home = newHomeDir();
  compatEnv(home);
  s = await startTestServer(home, { concurrency: 2 });
  client = new LmmsClient({ socketPath: s.server.paths.socket });
  cwd = mkdtempSync(path.join(tmpdir(), 'lmms-web-secrets-'));
  web = await startWebServer({ client, cwd, env: process.env, target: { harness: 'lmms-eval', demo: true }, distDir: null, version: 'test', heartbeatMs: 50, host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await web?.close();
  client?.close();
  await s?.close();
  removeHome(home);
  rmSync(cwd, { recursive: true, force: true });
});

describe('lmms-eval server mode', () => {
  it('/jobs/{id} echoes the request with api_key masked (a string or a mapping), in clear with ?reveal=1', async () => {
    for (const model_args of [`pretrained=demo/m,api_key=${KEY}`, { pretrained: 'demo/m', api_key: KEY }]) {
      const sub = await s.call('POST', '/evaluate', { model: 'demo', tasks: ['demo_mme'], model_args, limit: 2 });
      expect(sub.status).toBe(200);
      const id = sub.json.job_id as string;
      const done = await until(async () => {
        const r = await s.call('GET', `/jobs/${id}`);
        return ['completed', 'failed', 'cancelled'].includes(r.json.status) ? r : null;
      }, { timeoutMs: 20_000, what: 'the job to finish' });
      expect(done.json.status).toBe('completed');
      expect(leaks(done.text)).toEqual([]);
      expect(JSON.stringify(done.json.request.model_args)).toContain(MASK);
      const clear = await s.call('GET', `/jobs/${id}?reveal=1`);
      expect(clear.json.request.model_args).toEqual(model_args);
    }
  });

  it('/jobs/{id} of a job queued elsewhere masks env lines, set-up exports and model_args it reconstructs', async () => {
    const job = s.server.scheduler.submit(
      { harness: 'lmms-eval', model: 'demo', tasks: ['demo_mme'], demo: true, limit: 2, python: 'python3', env: [`HF_TOKEN=${HF}`], setup: `export MY_PASSWORD=${PW}`, model_args: `pretrained=demo/m,api_key=${KEY}` },
      { env: process.env as Record<string, string> },
    );
    const r = await s.call('GET', `/jobs/${job.id}`);
    expect(r.status).toBe(200);
    expect(leaks(r.text)).toEqual([]);
  });
});

describe('lm-eval-server', () => {
  it('/job/{n} and /jobs mask api_key in `argument` and secrets in stdout; ?reveal=1 shows the argv as it runs', async () => {
    const sub = await s.call('POST', '/job', { model: 'hf', tasks: 'demo_hellaswag', limit: 2, model_args: `pretrained=EleutherAI/pythia-160m,api_key=${KEY}`, env_vars: { HF_TOKEN: HF } });
    expect(sub.status).toBe(200);
    const n = sub.json.job_id as number;
    const done = await until(async () => {
      const r = await s.call('GET', `/job/${n}`);
      return ['Completed', 'Failed', 'Stopped'].includes(r.json?.status) ? r : null;
    }, { timeoutMs: 20_000, what: `job ${n}` });
    expect(done.json.status).toBe('Completed');
    expect(leaks(done.text)).toEqual([]);
    expect(done.json.argument).toContain(`api_key=${MASK}`);
    const list = await s.call('GET', '/jobs');
    expect(leaks(list.text)).toEqual([]);
    expect((await s.call('GET', `/job/${n}?reveal=1`)).json.argument).toContain(`api_key=${KEY}`);
    expect((await s.call('GET', '/jobs?reveal=1')).text).toContain(`api_key=${KEY}`);
  });
});

describe('lmms-tui web', () => {
  const form = (over: Record<string, unknown> = {}) => ({
    model: 'demo', model_args: `model_version=x,api_key=${KEY}`, tasks: ['demo_mme'], env_vars: `export HF_TOKEN=${HF}\nHF_HOME=/tmp/hf`,
    batch_size: 1, limit: 2, output_path: './logs/', log_samples: false, verbosity: 'INFO', device: null, env_setup: `export MY_PASSWORD=${PW}`, ...over,
  });
  const call = (method: string, p: string, body?: unknown) => request(web.url, method, p, body);

  it('/eval/preview and /eval/start return the command masked; the job runs with the real values', async () => {
    const preview = await call('POST', '/eval/preview', form());
    expect(preview.status).toBe(200);
    expect(leaks(preview.text)).toEqual([]);
    expect(preview.json.command).toMatch(/^export HF_TOKEN=••••••$/m);
    expect(preview.json.command).toContain(`export MY_PASSWORD=${MASK}`);
    const revealed = await call('POST', '/eval/preview?reveal=1', form());
    expect(leaks(revealed.text).sort()).toEqual([...CLEAR].sort());

    const start = await call('POST', '/eval/start', form());
    expect(start.status).toBe(200);
    expect(leaks(start.text)).toEqual([]);
    expect(start.json.command).toBe(preview.json.command);
    const job = await client.waitForJob(start.json.job_id, { intervalMs: 50, timeoutMs: 20_000 });
    expect(job.state).toBe('succeeded');
    const ran = s.server.scheduler.get(start.json.job_id).script ?? '';
    expect(leaks(ran).sort()).toEqual([...CLEAR].sort());
  });

  it('a refused /eval/start (a bad env line beside a token) echoes the form back with its secrets masked', async () => {
    const refused = await call('POST', '/eval/start', form({ env_vars: `export HF_TOKEN=${HF}\n1BAD=x` }));
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('1BAD');
    expect(leaks(refused.text)).toEqual([]);
  });

  it('/eval/export-yaml writes ${VAR} references and a masked api_key unless ?reveal=1', async () => {
    const y = await call('POST', '/eval/export-yaml', form());
    expect(leaks(y.text)).toEqual([]);
    const data = parseYaml(y.json.yaml_content) as Record<string, unknown>;
    expect(data.env).toEqual({ HF_TOKEN: '${HF_TOKEN}', HF_HOME: '/tmp/hf' });
    expect(data.model_args).toBe(`model_version=x,api_key=${MASK}`);
    const clear = await call('POST', '/eval/export-yaml?reveal=1', form());
    expect(parseYaml(clear.json.yaml_content).env).toEqual({ HF_TOKEN: HF, HF_HOME: '/tmp/hf' });
  });
});
