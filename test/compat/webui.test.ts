/**
 * lmms-eval's web UI backend as `lmms-tui web`: the requests its React front end sends (App.tsx, LogViewer.tsx),
 * the SSE framing it parses, and the fixes (queued runs, attach-only streams, real stop, safe static files).
 */
import http from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LmmsClient } from '../../src/client/client.js';
import { startWebServer, type WebServer } from '../../src/compat/webui.js';
import { alivePids, compatEnv, newHomeDir, pidsIn, removeHome, request, startTestServer, until, type TestServer } from './helpers.js';

let s: TestServer;
let home: string;
let client: LmmsClient;
let web: WebServer;
let cwd: string;
let base: string;
const call = (method: string, p: string, body?: unknown, headers?: Record<string, string>) => request(web.url, method, p, body, headers);

/** The form as App.tsx sends it (its defaults, with the demo model and task). */
const form = (over: Record<string, unknown> = {}) => ({
  model: 'demo',
  model_args: 'model_version=bytedance-seed/seed-1.6-flash',
  tasks: ['demo_mme'],
  env_vars: 'export HF_HOME=${HF_HOME:-~/.cache/huggingface}',
  batch_size: 1,
  limit: 8,
  output_path: './logs/openrouter_task_smoke/',
  log_samples: true,
  verbosity: 'DEBUG',
  device: null,
  env_setup: '',
  ...over,
});

interface Sse {
  events: Record<string, unknown>[];
  close(): void;
  ended: Promise<void>;
}

/** An EventSource-like reader of `data:` records. */
function openStream(p: string): Promise<Sse> {
  return new Promise((resolve, reject) => {
    const u = new URL(web.url);
    const events: Record<string, unknown>[] = [];
    const req = http.get({ hostname: u.hostname, port: u.port, path: p, headers: { accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`stream answered ${res.statusCode}`));
      let buf = '';
      const ended = new Promise<void>((done) => res.on('close', done));
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        buf += d;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const rec = buf.slice(0, i);
          buf = buf.slice(i + 2);
          for (const line of rec.split('\n')) if (line.startsWith('data: ')) events.push(JSON.parse(line.slice(6)));
        }
      });
      resolve({ events, close: () => req.destroy(), ended });
    });
    req.on('error', () => undefined);
  });
}

beforeAll(async () => {
  home = newHomeDir();
  compatEnv(home);
  s = await startTestServer(home, { concurrency: 2 });
  client = new LmmsClient({ socketPath: s.server.paths.socket });
  base = mkdtempSync(path.join(tmpdir(), 'lmms-web-'));
  cwd = path.join(base, 'work');
  mkdirSync(path.join(base, 'dist', 'assets'), { recursive: true });
  mkdirSync(cwd);
  writeFileSync(path.join(base, 'dist', 'index.html'), '<!doctype html><div id="root">UI</div>');
  writeFileSync(path.join(base, 'dist', 'assets', 'index-abc.js'), 'console.log(1)');
  writeFileSync(path.join(base, 'secret.txt'), 'TOP-SECRET');
  web = await startWebServer({
    client, cwd, env: process.env, target: { harness: 'lmms-eval', demo: true }, distDir: path.join(base, 'dist'),
    version: 'test', heartbeatMs: 50, progressMs: 100, host: '127.0.0.1', port: 0,
  });
});
afterAll(async () => {
  await web?.close();
  client?.close();
  await s?.close();
  removeHome(home);
  rmSync(base, { recursive: true, force: true });
});

describe('lmms-eval web UI backend', () => {
  it('GET /health, /models, /tasks (complete), /tasks/{id}/yaml', async () => {
    const h = (await call('GET', '/health')).json;
    expect(h).toMatchObject({ status: 'ok', version: '0.7.2+demo', git: { branch: expect.any(String), commit: expect.any(String) }, env_setup: '' });
    expect(Object.keys(h.system).sort()).toEqual(['cwd', 'hostname', 'platform', 'python', 'repo_root']);
    const models = (await call('GET', '/models')).json;
    expect(models).toContainEqual({ id: 'openai', name: 'openai (openai_compatible, openai_compatible_chat)' });
    expect(models).toContainEqual({ id: 'demo', name: 'demo' });
    const tasks = (await call('GET', '/tasks')).json as { id: string; name: string; group: boolean }[];
    // Every name the harness accepts, including the default-style task with !function tags the original's scan lost.
    expect(tasks.map((t) => t.id)).toEqual((await s.call('GET', '/tasks')).json.tasks);
    expect(tasks).toContainEqual({ id: 'demo_mmmu', name: '[Group] Demo Mmmu', group: true });
    expect(tasks.find((t) => t.id === 'demo_mme')).toMatchObject({ group: false, name: expect.stringMatching(/^Demo Mme/) });
    const y = (await call('GET', '/tasks/demo_mme/yaml')).json;
    expect(y.task_id).toBe('demo_mme');
    expect(y.yaml).toMatch(/^task: "?demo_mme"?$/m);
    expect(y.path).toMatch(/^lmms_eval\/tasks\/.*\.yaml$/);
    expect(await call('GET', '/tasks/nope/yaml')).toMatchObject({ status: 404, json: { detail: "Task YAML not found for 'nope'" } });
  });

  it('previews exactly the command /eval/start queues; the stream only attaches, for any number of viewers', async () => {
    const preview = (await call('POST', '/eval/preview', form())).json.command as string;
    expect(preview).toMatch(/--model_args model_version=bytedance-seed\/seed-1.6-flash/);
    expect(preview).toMatch(/^export HF_HOME=\$\{HF_HOME:-~\/.cache\/huggingface\}$/m);
    const before = (await client.jobs()).length;
    const start = await call('POST', '/eval/start', form());
    expect(Object.keys(start.json).sort()).toEqual(['command', 'job_id']);
    expect(start.json.command).toBe(preview);
    // Queued at once, before any stream is opened.
    expect((await client.jobs()).length).toBe(before + 1);
    const id = start.json.job_id as string;
    const first = await openStream(`/eval/${id}/stream`);
    await first.ended;
    const second = await openStream(`/eval/${id}/stream`);
    await second.ended;
    expect(first.events.at(-1)).toEqual({ type: 'done', exit_code: 0 });
    expect(first.events.filter((e) => e.type === 'output').length).toBeGreaterThan(5);
    // A live viewer may also get snapshots of a bar still redrawing (`label: 40%| 4/8 [...]`); the log has the rest.
    const logged = (events: Record<string, unknown>[]) => events.filter((e) => !(e.type === 'output' && /^[^|]*: +\d+%\| \d+\/\d+ \[/.test(e.line as string)));
    expect(logged(second.events)).toEqual(logged(first.events));
    expect((await client.jobs()).length).toBe(before + 1);
    const job = await client.job(id);
    expect(job.script!.trimEnd()).toBe(preview);
    expect(await call('GET', '/eval/nope/stream')).toMatchObject({ status: 404, json: { detail: 'Job not found' } });
  });

  it('a closed browser leaves the run going; stop really stops the group and reports stopped', async () => {
    const slow = await call('POST', '/eval/start', form({ env_vars: 'LMMS_DEMO_PACE=0.01', limit: null, output_path: './logs/slow/' }));
    const viewer = await openStream(`/eval/${slow.json.job_id}/stream`);
    await until(() => viewer.events.length > 0, { what: 'the first line' });
    viewer.close();
    await viewer.ended;
    expect((await client.job(slow.json.job_id)).state).toBe('running');
    expect((await client.waitForJob(slow.json.job_id, { intervalMs: 50, timeoutMs: 20_000 })).state).toBe('succeeded');

    const pidfile = path.join(base, 'hang.pids');
    const hang = await call('POST', '/eval/start', form({ output_path: './logs/hang/', env_vars: `LMMS_DEMO_HANG=1\nLMMS_DEMO_CHILDREN=2\nLMMS_DEMO_IGNORE_TERM=1\nLMMS_DEMO_PIDFILE=${pidfile}` }));
    const stream = await openStream(`/eval/${hang.json.job_id}/stream`);
    const pids = await until(() => (pidsIn(pidfile)?.length === 3 ? pidsIn(pidfile) : null), { what: 'the demo pid file' });
    expect((await call('POST', `/eval/${hang.json.job_id}/stop`)).json).toEqual({ status: 'stopped' });
    expect(alivePids(pids)).toEqual([]);
    await stream.ended;
    expect(stream.events.at(-1)).toEqual({ type: 'stopped' });
    // The grace period (300 ms here) is said in the stream, not a silent hang.
    expect(stream.events).toContainEqual({ type: 'output', line: 'stopping: SIGTERM sent, SIGKILL in 1 s' });
    expect(await call('POST', '/eval/nope/stop')).toMatchObject({ status: 404, json: { detail: 'Job not found' } });
  });

  it('rejects what cannot run: no tasks (400), invalid fields (422, shown in the preview), with a stream the page can show', async () => {
    const before = (await client.jobs()).length;
    expect(await call('POST', '/eval/start', form({ tasks: [] }))).toMatchObject({ status: 400, json: { detail: 'No tasks specified' } });
    const bad = await call('POST', '/eval/start', form({ verbosity: 'loud', env_vars: 'not an assignment', limit: 0 }));
    expect(bad.status).toBe(422);
    expect(bad.json.detail.map((d: { loc: string[] }) => d.loc)).toEqual([['body', 'env_vars'], ['body', 'limit'], ['body', 'verbosity']]);
    // The shipped page ignores the status and opens /eval/<job_id>/stream: it gets each problem, then its error event.
    expect(bad.json.job_id).toMatch(/^refused-[0-9a-f]{8}$/);
    const stream = await openStream(`/eval/${bad.json.job_id}/stream`);
    await stream.ended;
    const lines = stream.events.filter((e) => e.type === 'output').map((e) => e.line as string);
    expect(lines[0]).toBe('lmms-tui refused this configuration; nothing was queued:');
    expect(lines.slice(1).map((l) => l.split(':')[0]!.trim())).toEqual(['env_vars line 1', 'limit', 'verbosity']);
    expect(stream.events.at(-1)).toEqual({ type: 'error', message: 'configuration refused: 3 problems (see above); fix the form and start again' });
    expect((await call('POST', `/eval/${bad.json.job_id}/stop`)).json).toEqual({ status: 'error' });
    expect((await client.jobs()).length).toBe(before);
    // A malformed secret line is refused without its value on the page.
    const leak = await call('POST', '/eval/start', form({ env_vars: 'HF_TOKEN hf_leakcheckvalue123' }));
    const leakStream = await openStream(`/eval/${leak.json.job_id}/stream`);
    await leakStream.ended;
    const leakLines = leakStream.events.map((e) => String(e.line ?? e.message));
    expect(leakLines.some((l) => l.startsWith('  env_vars line 1: '))).toBe(true);
    expect(leakLines.join('\n')).not.toContain('hf_leakcheckvalue123');
    // A task name the index does not have (an imported YAML can carry one): refused with suggestions.
    const typo = await call('POST', '/eval/start', form({ tasks: ['demo_mmee'] }));
    expect(typo.status).toBe(422);
    expect(typo.json.detail[0]).toMatchObject({ loc: ['body', 'tasks'], msg: expect.stringMatching(/unknown task "demo_mmee"; did you mean demo_mme/) });
    const typoStream = await openStream(`/eval/${typo.json.job_id}/stream`);
    await typoStream.ended;
    expect(typoStream.events.some((e) => e.type === 'output' && /^ {2}tasks: unknown task "demo_mmee"; did you mean demo_mme/.test(e.line as string))).toBe(true);
    expect((await client.jobs()).length).toBe(before);
    expect((await call('POST', '/eval/preview', form({ verbosity: 'loud' }))).json.command).toMatch(/^# lmms-tui cannot run this configuration yet:\n#   verbosity: /);
    expect((await call('POST', '/eval/preview', { tasks: [] })).json.detail[0]).toMatchObject({ type: 'missing', loc: ['body', 'model'] });
  });

  it('streams with colours, says when a run waits for a slot, prints redrawn bars, and runs in the launch directory', async () => {
    // Two hanging runs fill both slots; their pid files are relative paths, so they land where `web` was started.
    const hangs = [];
    for (const n of [1, 2]) {
      hangs.push((await call('POST', '/eval/start', form({ output_path: `./logs/h${n}/`, env_vars: `LMMS_DEMO_HANG=1\nLMMS_DEMO_PIDFILE=./h${n}.pids` }))).json.job_id as string);
    }
    const hangPids = await until(() => pidsIn(path.join(cwd, 'h1.pids')) ?? null, { what: 'the first pid file in the launch directory' });
    expect(readlinkSync(`/proc/${hangPids[0]}/cwd`)).toBe(cwd);
    expect((await client.job(hangs[0]!)).cwd).toBe(cwd);
    const red = "X=$(printf '\\033[31mred alert\\033[0m\\n' >&2)";
    const next = await call('POST', '/eval/start', form({ output_path: './logs/paced/', limit: 40, env_vars: `LMMS_DEMO_PACE=0.02\n${red}` }));
    const stream = await openStream(`/eval/${next.json.job_id}/stream`);
    await until(() => stream.events.some((e) => e.type === 'output') || null, { what: 'the first line of the queued run' });
    expect(stream.events[0]).toEqual({ type: 'output', line: 'queued: waiting for a slot (position 1 in the queue)' });
    for (const id of hangs) await call('POST', `/eval/${id}/stop`);
    await stream.ended;
    expect(stream.events.at(-1)).toEqual({ type: 'done', exit_code: 0 });
    const lines = stream.events.filter((e) => e.type === 'output').map((e) => e.line as string);
    expect(lines).toContain('\x1b[31mred alert\x1b[0m');
    // While a bar redraws with \r its current state is printed; the counts grow before its own final line.
    const bar = lines.map((l) => /^Model Responding: +\d+%\| (\d+)\/40 \[/.exec(l)).filter((m) => m !== null).map((m) => Number(m![1]));
    expect(bar.length).toBeGreaterThan(1);
    expect(bar.some((n) => n > 0 && n < 40)).toBe(true);
    expect([...bar].sort((a, b) => a - b)).toEqual(bar);
  });

  it('exports and imports YAML configs', async () => {
    const y = (await call('POST', '/eval/export-yaml', form({ device: 'cuda:0' }))).json.yaml_content;
    expect(y).toBe(
      '# LMMs-Eval config exported from Web UI\n# Usage: python -m lmms_eval --config <this_file>.yaml\n# CLI args override YAML values.\n\n' +
        'env:\n  HF_HOME: ${HF_HOME:-~/.cache/huggingface}\nmodel: demo\nmodel_args: model_version=bytedance-seed/seed-1.6-flash\ntasks: demo_mme\nbatch_size: 1\nlimit: 8\noutput_path: ./logs/openrouter_task_smoke/\nlog_samples: true\nverbosity: DEBUG\ndevice: cuda:0\n',
    );
    const back = (await call('POST', '/eval/import-yaml', { yaml_content: y })).json;
    expect(back).toEqual({ model: 'demo', model_args: 'model_version=bytedance-seed/seed-1.6-flash', tasks: ['demo_mme'], env_vars: 'export HF_HOME=${HF_HOME:-~/.cache/huggingface}', batch_size: 1, limit: 8, output_path: './logs/openrouter_task_smoke/', log_samples: true, verbosity: 'DEBUG', device: 'cuda:0' });
    // What the original answered 500 to: a model_args mapping and batch_size auto.
    expect((await call('POST', '/eval/import-yaml', { yaml_content: 'model: x\nmodel_args: {pretrained: a, dtype: b}\nbatch_size: 4\n' })).json).toMatchObject({ model_args: 'pretrained=a,dtype=b', batch_size: 4 });
    // The shipped form sends parseInt(batch size) || 1 and parseInt(limit): auto and fractions would change meaning.
    expect(await call('POST', '/eval/import-yaml', { yaml_content: 'model: x\nbatch_size: auto\n' })).toMatchObject({ status: 400, json: { detail: expect.stringMatching(/^Invalid config: batch_size: "auto" cannot be entered in this form, .*batch size 1.*nothing was imported/) } });
    expect(await call('POST', '/eval/import-yaml', { yaml_content: 'model: x\nlimit: 0.5\n' })).toMatchObject({ status: 400, json: { detail: expect.stringMatching(/^Invalid config: limit: 0.5 cannot be entered in this form, .*would become 0/) } });
    expect(await call('POST', '/eval/import-yaml', { yaml_content: '- model: a\n- model: b\n' })).toMatchObject({ status: 400, json: { detail: expect.stringMatching(/^YAML must be a dict \(not a list or scalar\)/) } });
    expect((await call('POST', '/eval/import-yaml', { yaml_content: 'a: [' })).json.detail).toMatch(/^Invalid YAML: /);
  });

  it('serves the Log Viewer from the runs on disk, confined to the logs directory', async () => {
    // Every run under ./logs (the slow and paced runs of the previous tests included), newest first.
    const all = (await call('GET', '/logs/runs?logs_path=./logs/')).json;
    expect(all.length).toBe(3);
    expect(all[0].date >= all[1].date).toBe(true);
    const runs = (await call('GET', '/logs/runs?logs_path=./logs/openrouter_task_smoke')).json;
    expect(runs.length).toBe(1);
    const run = runs[0];
    expect(Object.keys(run).sort()).toEqual(['config', 'date', 'metrics', 'model_name', 'n_samples', 'run_id', 'tasks', 'total_evaluation_time_seconds']);
    expect(run.run_id).toMatch(/%2F\d{8}_\d{6}_results\.json$/);
    const results = (await call('GET', `/logs/runs/${run.run_id}/results?logs_path=./logs/openrouter_task_smoke`)).json;
    expect(Object.keys(results.results)).toEqual(run.tasks);
    const page = (await call('GET', `/logs/runs/${run.run_id}/samples/demo_mme?logs_path=./logs/openrouter_task_smoke&offset=2&limit=3`)).json;
    expect(page).toMatchObject({ total: 8, offset: 2, limit: 3 });
    expect(page.samples.map((x: { doc_id: number }) => x.doc_id)).toEqual([2, 3, 4]);
    expect((await call('GET', `/logs/runs/${run.run_id}/samples/demo_mme?logs_path=./logs/openrouter_task_smoke&limit=501`)).json.detail[0]).toMatchObject({ type: 'less_than_equal', loc: ['query', 'limit'] });
    // A samples file that is a symlink out of the logs root is not followed (it would read any file of ours).
    const resultsFile = path.join(cwd, 'logs/openrouter_task_smoke', decodeURIComponent(run.run_id));
    const outside = mkdtempSync(path.join(tmpdir(), 'lmms-outside-'));
    writeFileSync(path.join(outside, 'secret.jsonl'), '{"doc_id": 0, "secret": "do-not-serve"}\n');
    const link = path.join(path.dirname(resultsFile), `${path.basename(resultsFile).replace(/_results\.json$/, '')}_samples_evil.jsonl`);
    symlinkSync(path.join(outside, 'secret.jsonl'), link);
    const evil = await call('GET', `/logs/runs/${run.run_id}/samples/evil?logs_path=./logs/openrouter_task_smoke`);
    expect(evil).toMatchObject({ status: 400, json: { detail: 'Path escapes logs directory' } });
    expect(JSON.stringify(evil.json)).not.toContain('do-not-serve');
    rmSync(link);
    rmSync(outside, { recursive: true, force: true });
    expect(await call('GET', '/logs/runs/..%2F..%2Fsecret_results.json/results?logs_path=./logs/')).toMatchObject({ status: 400, json: { detail: 'Path escapes logs directory' } });
    expect(await call('GET', '/logs/runs/%2Fetc%2Fpasswd/results?logs_path=./logs/')).toMatchObject({ status: 400, json: { detail: 'Invalid run_id' } });
    expect(await call('GET', '/logs/runs?logs_path=./nowhere/')).toMatchObject({ status: 200, json: [] });
  });

  it('serves the front end, never a file outside it', async () => {
    expect((await call('GET', '/')).text).toMatch(/id="root"/);
    const asset = await call('GET', '/assets/index-abc.js');
    expect([asset.status, asset.headers['content-type'], asset.text]).toEqual([200, 'text/javascript; charset=utf-8', 'console.log(1)']);
    expect((await call('GET', '/logs')).text).toMatch(/id="root"/); // the SPA's own route
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/..%5csecret.txt', '/assets/../../secret.txt', '/%252e%252e/secret.txt']) {
      const r = await call('GET', p);
      expect(r.text, p).not.toContain('TOP-SECRET');
    }
    expect(readFileSync(path.join(base, 'secret.txt'), 'utf8')).toBe('TOP-SECRET');
  });

  it('answers only to localhost names, sends no CORS headers, and says when no front end is installed', async () => {
    expect(await call('GET', '/health', undefined, { host: 'evil.example:8000' })).toMatchObject({ status: 421 });
    const r = await call('GET', '/health', undefined, { origin: 'http://evil.example' });
    expect(r.headers['access-control-allow-origin']).toBeUndefined();
    // The demo lmms_eval ships no tui/web/dist.
    const bare = await startWebServer({ client, cwd, env: process.env, target: { harness: 'lmms-eval', demo: true }, version: 'test', host: '127.0.0.1', port: 0 });
    try {
      const page = await request(bare.url, 'GET', '/');
      expect(page.status).toBe(404);
      expect(page.text).toMatch(/front end not found/);
      expect((await request(bare.url, 'GET', '/health')).json.lmms_tui.frontend).toBeNull();
    } finally {
      await bare.close();
    }
  });

  it('with a token: 401 without it, ?token= sets a cookie the front end then uses', async () => {
    const locked = await startWebServer({ client, cwd, env: process.env, target: { harness: 'lmms-eval', demo: true }, distDir: path.join(base, 'dist'), token: 's3cret-token', version: 'test', host: '127.0.0.1', port: 0 });
    try {
      expect((await request(locked.url, 'GET', '/tasks')).status).toBe(401);
      const first = await request(locked.url, 'GET', '/?token=s3cret-token');
      expect(first.status).toBe(200);
      const cookie = String(first.headers['set-cookie']).split(';')[0]!;
      expect(cookie).toBe('lmms_tui_web=s3cret-token');
      expect((await request(locked.url, 'GET', '/tasks', undefined, { cookie })).status).toBe(200);
      expect((await request(locked.url, 'GET', '/tasks', undefined, { authorization: 'Bearer s3cret-token' })).status).toBe(200);
      expect((await request(locked.url, 'GET', '/tasks', undefined, { cookie: 'lmms_tui_web=wrong' })).status).toBe(401);
    } finally {
      await locked.close();
    }
  });
});
