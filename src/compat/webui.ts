/**
 * lmms-eval's web UI backend (`lmms_eval/tui/server.py`) as `lmms-tui web`: the API its React front end
 * calls, and that front end itself when an installed lmms-eval ships one.
 *
 * Why a separate process that is a client of the per-user server, rather than routes inside it: the UI's
 * `/health`, `/models` and `/tasks` clash with server mode's; the UI resolves relative paths (output dir,
 * logs dir) and auto-detects a `.venv` from the directory it was started in, which a shared daemon does not
 * have; and a browser-facing listener with its own bind address, token and host checks should be something
 * the user starts and stops explicitly. Jobs still belong to the per-user server, so stopping `web` or
 * closing the browser never stops or orphans a run.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { ApiError } from '../client/errors.js';
import type { LmmsClient } from '../client/client.js';
import type { JobJson } from '../client/types.js';
import { taskProblems } from '../core/command/tasks-check.js';
import type { Problem } from '../core/errors.js';
import { isSecretName, redactScript, redactSecrets, specSecrets } from '../core/redact.js';
import { isFinished } from '../core/scheduler/types.js';
import type { EvalSpec } from '../core/spec.js';
import { installGuard } from '../server/guard.js';
import { Catalog } from './catalog.js';
import type { HarnessTarget } from './config.js';
import { httpError, installFastApiErrors, jsonBody, problemDetails, unprocessable } from './fastapi.js';
import { detectSetup, exportYaml, importYaml, parseEvalRequest, previewScript, specFromForm, WUI_FIELDS } from './webui-eval.js';
import { checkoutVersion, gitInfo, modelList, systemInfo, taskList, type GitInfo } from './webui-info.js';
import { DEFAULT_SCAN, listRuns, pageQuery, logsRoot, runResults, runResultsPath, runSamples, type ScanLimits } from './webui-logs.js';
import { findDist, missingFrontendPage, resolveStatic, sendFile } from './webui-static.js';
import { streamJob, streamRefusal } from './webui-stream.js';

export interface WebOptions {
  /** Client of the per-user server that runs the jobs. */
  client: LmmsClient;
  /** Where relative paths of the form resolve, and where jobs are submitted from. */
  cwd: string;
  /** The environment jobs start from (and discovery sees). */
  env: NodeJS.ProcessEnv;
  target: HarnessTarget;
  /** Built front end; undefined: `<lmms_eval>/tui/web/dist` of the installed harness; null: none. */
  distDir?: string | null;
  /** Required on every request when set (header, `lmms_tui_web` cookie, or `?token=` once). */
  token?: string | null;
  /** The address the listener binds (for the Host check, server/guard.ts). Default 127.0.0.1. */
  bindHost?: string;
  /** More Host names accepted (`--allow-host`). */
  allowHosts?: readonly string[];
  /** Origins allowed cross-origin (`--allow-origin`, exact match); default none. */
  allowOrigins?: readonly string[];
  heartbeatMs?: number;
  /** How often a `\r`-redrawn progress bar's current state is printed in /eval/{id}/stream (default 2 s). */
  progressMs?: number;
  logsScan?: ScanLimits;
  catalog?: Catalog;
  version: string;
  log?: (msg: string) => void;
}

const COOKIE = 'lmms_tui_web';
const UI_STATUS: Record<string, string> = { queued: 'starting', running: 'running', succeeded: 'completed', failed: 'error', stopped: 'stopped', cancelled: 'stopped' };

const revealed = (req: FastifyRequest): boolean => {
  const v = (req.query as Record<string, unknown> | undefined)?.reveal;
  return v === '1' || v === 'true';
};

const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** The front end each app serves (for the start-up message, without a request through the guard). */
const frontends = new WeakMap<FastifyInstance, Promise<string | null>>();

export async function buildWebApp(opts: WebOptions): Promise<FastifyInstance> {
  const log = opts.log ?? (() => undefined);
  const catalog = opts.catalog ?? new Catalog(opts.target, { env: opts.env, cwd: opts.cwd, log });
  const git: Promise<GitInfo> = gitInfo(opts.cwd).catch(() => ({ branch: 'unknown', commit: 'unknown', root: '' }));
  const dist: Promise<string | null> =
    opts.distDir !== undefined ? Promise.resolve(opts.distDir) : catalog.location().then((l) => findDist(l.packageDir), () => null);
  const autoSetup = async () => opts.target.setup ?? detectSetup((await git).root);
  const local = 'socketPath' in opts.client.transport;

  const app = Fastify({ logger: false, bodyLimit: 4 * 1024 * 1024, forceCloseConnections: true });
  frontends.set(app, dist);
  installFastApiErrors(app, log);

  // Host, Origin, Content-Type and (without a token) same-uid rules before anything else, as on `serve`.
  installGuard(
    app,
    { transport: 'tcp', bindHost: opts.bindHost ?? '127.0.0.1', allowHosts: opts.allowHosts, allowOrigins: opts.allowOrigins, sameUid: !opts.token },
    (reply, r) => void reply.code(r.status).send({ detail: `${r.message}; ${r.hint}` }),
  );
  app.addHook('onRequest', async (req, reply) => {
    if (!opts.token) return;
    const query = new URL(req.url, 'http://x').searchParams.get('token');
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const cookie = new RegExp(`(?:^|;\\s*)${COOKIE}=([^;]+)`).exec(req.headers.cookie ?? '')?.[1];
    if (query !== null && same(query, opts.token)) {
      // The browser keeps it for the front end's own requests (fetch and EventSource send cookies same-origin).
      reply.header('set-cookie', `${COOKIE}=${opts.token}; HttpOnly; SameSite=Strict; Path=/`);
      return;
    }
    if ((bearer && same(bearer, opts.token)) || (cookie && same(cookie, opts.token))) return;
    return reply.code(401).send({ detail: 'Not authenticated: open the URL with ?token=… that lmms-tui web printed, or send Authorization: Bearer <token>' });
  });

  const form = async (req: FastifyRequest) => {
    const request = parseEvalRequest(jsonBody(req));
    return { request, spec: specFromForm(request, { target: opts.target, autoSetup: await autoSetup() }) };
  };
  const job = async (id: string): Promise<JobJson> => {
    try {
      return await opts.client.job(id);
    } catch (err) {
      // 400/422: not even a job id's shape.
      if (err instanceof ApiError && [400, 404, 422].includes(err.status)) throw httpError(404, 'Job not found');
      throw err;
    }
  };

  app.get('/health', async () => {
    const g = await git;
    const loc = await catalog.location().catch(() => null);
    return {
      status: 'ok',
      version: loc ? (loc.version ?? (await checkoutVersion(loc.packageDir)) ?? opts.version) : opts.version,
      git: { branch: g.branch, commit: g.commit },
      system: systemInfo(opts.cwd, g, loc?.pythonVersion ?? 'unknown'),
      env_setup: await autoSetup(),
      lmms_tui: { version: opts.version, server: opts.client.where, frontend: await dist },
    };
  });

  // The front end maps over whatever these return, so a failure answers [] (as the original did when lmms-eval was missing).
  app.get('/models', async () => modelList(await catalog.modelList().catch((err: Error) => (log(`models: ${err.message}`), []))));
  app.get('/tasks', async () => taskList(await catalog.index().then((i) => i.index.entries, (err: Error) => (log(`tasks: ${err.message}`), []))));

  app.get('/tasks/:task_id/yaml', async (req) => {
    const id = (req.params as { task_id: string }).task_id;
    const found = await catalog.taskYaml(id).catch(() => {
      throw httpError(500, 'Tasks directory not found');
    });
    if (!found) throw httpError(404, `Task YAML not found for '${id}'`);
    return { task_id: id, yaml: found.yaml, path: found.path };
  });

  // The command comes back masked (the core rule of src/core/redact.ts) unless `?reveal=1`: a page that
  // shows it, a proxy log or a screen share must not carry the form's tokens. The job itself runs unmasked.
  const shown = (req: FastifyRequest, spec: EvalSpec, script: string): string => (revealed(req) ? script : redactScript(script, specSecrets(spec)));
  app.post('/eval/preview', async (req) => {
    const { spec } = await form(req);
    return { command: shown(req, spec, previewScript(spec, opts.cwd).script) };
  });
  app.post('/eval/export-yaml', async (req) => ({ yaml_content: exportYaml((await form(req)).request, { includeSecrets: revealed(req) }) }));
  app.post('/eval/import-yaml', async (req) => {
    const body = jsonBody(req) as { yaml_content?: unknown } | null;
    if (!body || typeof body !== 'object' || typeof body.yaml_content !== 'string') {
      throw unprocessable([{ type: body && 'yaml_content' in body ? 'string_type' : 'missing', loc: ['body', 'yaml_content'], msg: body && 'yaml_content' in body ? 'Input should be a valid string' : 'Field required', input: body }]);
    }
    return importYaml(body.yaml_content);
  });

  // The shipped page reads `job_id` from /eval/start's body whatever its status and opens that job's
  // stream, so a refusal keeps its status (400/422 with FastAPI's detail, for scripts) and also carries
  // the id of a stream that prints each problem and ends with the page's error event.
  const refusals = new Map<string, { lines: string[]; message: string }>();
  const refuse = (reply: FastifyReply, status: number, detail: unknown, lines: string[], message: string, command: string) => {
    const id = `refused-${randomBytes(4).toString('hex')}`;
    refusals.set(id, { lines, message });
    // Only the last few: each is one page's answer, read once by its stream.
    for (const old of refusals.keys()) if (refusals.size > 100) refusals.delete(old);
    return reply.code(status).send({ detail, job_id: id, command });
  };
  // Masked by the core rule: a problem may quote the line it is about, and a malformed env line
  // (`HF_TOKEN hf_…`, no `=`) is no assignment the rule recognises, so its words count as secret values.
  const problemLines = (problems: readonly Problem[], spec: EvalSpec) => {
    const values = [...specSecrets(spec)];
    for (const line of spec.env ?? []) {
      const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)[\s=]+(.+)$/.exec(line);
      if (m && isSecretName(m[1]!)) values.push(m[2]!.trim(), ...m[2]!.trim().split(/\s+/).filter((w) => w.length >= 4));
    }
    return [
      'lmms-tui refused this configuration; nothing was queued:',
      ...problems.map((p) => redactSecrets(`  ${p.field.replace(/^spec\./, '').replace(/^[a-z_]+/, (f) => WUI_FIELDS[f] ?? f)}: ${p.message}${p.fix ? ` (${p.fix})` : ''}`, values)),
    ];
  };
  const refusedMessage = (n: number) => `configuration refused: ${n} problem${n === 1 ? '' : 's'} (see above); fix the form and start again`;

  // Task names against the catalog's index (the one /tasks lists), when the job runs with the catalog's
  // interpreter; a form naming another environment is left to the harness. No index: not checked.
  const unknownTasks = async (spec: EvalSpec): Promise<Problem[]> => {
    if (spec.setup !== opts.target.setup || spec.python !== opts.target.python) return [];
    const loaded = await catalog.index().catch(() => null);
    return loaded ? taskProblems(loaded.index, spec, { overrideHint: 'to run it anyway, use `lmms-tui run --allow-unknown-tasks`' }) : [];
  };

  app.post('/eval/start', async (req, reply) => {
    const { request, spec } = await form(req);
    if (!request.tasks.length) return refuse(reply, 400, 'No tasks specified', ['No tasks specified: pick at least one task'], 'No tasks specified', '');
    const { script, problems } = previewScript(spec, opts.cwd);
    if (!problems.length) problems.push(...(await unknownTasks(spec)));
    const body = request as unknown as Record<string, unknown>;
    if (problems.length) {
      const masked = shown(req, spec, script);
      return refuse(reply, 422, problemDetails(problems, WUI_FIELDS, body), problemLines(problems, spec), refusedMessage(problems.length), masked);
    }
    try {
      const res = await opts.client.submit(spec, { cwd: local ? opts.cwd : undefined, env: stringEnv(opts.env) });
      return { job_id: res.id, command: shown(req, spec, script) };
    } catch (err) {
      if (err instanceof ApiError && err.problems.length) {
        return refuse(reply, 422, problemDetails(err.problems, WUI_FIELDS, body), problemLines(err.problems, spec), refusedMessage(err.problems.length), shown(req, spec, script));
      }
      throw err;
    }
  });

  app.get('/eval/:job_id/stream', async (req, reply) => {
    const raw = (req.params as { job_id: string }).job_id;
    const refusal = refusals.get(raw);
    if (refusal) {
      reply.hijack();
      return streamRefusal(reply.raw, refusal.lines, refusal.message, reply.getHeaders());
    }
    const id = (await job(raw)).id;
    reply.hijack();
    await streamJob(opts.client, id, reply.raw, { heartbeatMs: opts.heartbeatMs ?? 15_000, progressMs: opts.progressMs, headers: reply.getHeaders() });
  });

  app.post('/eval/:job_id/stop', async (req) => {
    if (refusals.has((req.params as { job_id: string }).job_id)) return { status: 'error' };
    let j = await job((req.params as { job_id: string }).job_id);
    if (!isFinished(j.state)) {
      // Waits until the whole process group is gone, so `stopped` is true when the UI shows it.
      j = await opts.client.stop(j.id, { wait: true }).catch(async () => opts.client.job(j.id));
    }
    return { status: UI_STATUS[j.state] ?? j.state };
  });

  registerLogRoutes(app, opts.cwd, opts.logsScan ?? DEFAULT_SCAN);

  const serveStatic = async (req: FastifyRequest, reply: FastifyReply) => {
    const root = await dist;
    if (!root) {
      const reason = opts.distDir === null ? 'No front end was configured.' : 'The installed lmms-eval has no built web UI, or lmms-eval was not found.';
      return reply.code(404).type('text/html; charset=utf-8').send(missingFrontendPage({ looked: (await catalog.location().catch(() => null))?.packageDir ?? null, reason }));
    }
    const raw = req.url.split('?')[0]!;
    const file = raw === '/' ? null : await resolveStatic(root, raw);
    if (file) return sendFile(reply, file, { immutable: raw.startsWith('/assets/') });
    if (raw.startsWith('/assets/')) throw httpError(404, 'Not Found');
    // The SPA's own routes (and anything unknown) get index.html, as in the original.
    return sendFile(reply, `${root}/index.html`);
  };
  app.get('/', serveStatic);
  app.get('/*', serveStatic);
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ detail: 'Not Found' }));
  await app.ready();
  return app;
}

function registerLogRoutes(app: FastifyInstance, cwd: string, scan: ScanLimits): void {
  const logsPath = (req: FastifyRequest) => (req.query as { logs_path?: string }).logs_path ?? './logs/';
  app.get('/logs/runs', async (req) => listRuns(logsPath(req), cwd, scan));
  // run_id is a percent-encoded relative path, which may itself contain encoded slashes: matched by suffix.
  app.get('/logs/runs/*', async (req) => {
    const raw = req.url.split('?')[0]!.slice('/logs/runs/'.length);
    const q = req.query as Record<string, string | undefined>;
    let m = /^(.+)\/results$/.exec(raw);
    if (m) return runResults(await runResultsPath(logsPath(req), decodeURIComponent(m[1]!), cwd));
    m = /^(.+)\/samples\/([^/]+)\/media\/([^/]+)$/.exec(raw);
    if (m) {
      await runResultsPath(logsPath(req), decodeURIComponent(m[1]!), cwd);
      throw httpError(404, 'Media previews from task datasets are not served by lmms-tui web');
    }
    m = /^(.+)\/samples\/([^/]+)$/.exec(raw);
    if (m) {
      const page = pageQuery(q);
      const file = await runResultsPath(logsPath(req), decodeURIComponent(m[1]!), cwd);
      return runSamples(file, decodeURIComponent(m[2]!), page, await logsRoot(logsPath(req), cwd));
    }
    throw httpError(404, 'Not Found');
  });
}

export interface WebServer {
  app: FastifyInstance;
  url: string;
  /** The built front end served, null when none was found. */
  frontend: Promise<string | null>;
  close(): Promise<void>;
}

export async function startWebServer(opts: WebOptions & { host: string; port: number }): Promise<WebServer> {
  const app = await buildWebApp({ ...opts, bindHost: opts.bindHost ?? opts.host });
  await app.listen({ host: opts.host, port: opts.port });
  const addr = app.server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return { app, url: `http://${host}:${addr.port}`, frontend: frontends.get(app)!, close: () => app.close() };
}
