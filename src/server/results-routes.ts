/**
 * `/api/v1/results/...`: the results workbench over HTTP, the same answers as `lmms-tui results … --json`
 * (both call src/core/results/service.ts). Declared as data like routes.ts, so /openapi.json documents them
 * and fastify validates what the document says; the listener's guards (guard.ts, the token hook in app.ts)
 * apply to these routes as to every other. Runs are named by full ids only (see WorkbenchOptions.exact).
 */
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { UserError } from '../core/errors.js';
import { EXPORT_FORMATS, exportComparison, type ExportFormat } from '../core/results/export.js';
import { compareRefs, filterRuns, loadIndex, readSamples, resultsFolders, showRun } from '../core/results/service.js';
import { stateDir } from '../core/paths.js';
import { openSettings } from '../core/settings.js';
import type { ServerContext } from './context.js';
import { HttpError } from './http-errors.js';
import type { RouteDoc } from './openapi.js';
import { API } from './routes.js';

type Schema = Record<string, unknown>;
type Query = Record<string, string | undefined>;
type Handler = (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

const str = (description: string, extra: Schema = {}): Schema => ({ type: 'string', description, ...extra });
const runParam: Schema = { type: 'object', required: ['run'], properties: { run: str('full run id, or a full job id (its newest run)', { pattern: '^[0-9a-fA-F]{6,64}$' }) } };
const listQuery: Schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    model: str('only runs whose model contains this text'),
    task: str('only runs with a task or group containing this text'),
    since: str('only runs dated on or after this, e.g. 2026-12-01'),
    harness: str('lmms-eval, lm-eval or unknown', { enum: ['lmms-eval', 'lm-eval', 'unknown'] }),
    sort: str('order', { enum: ['date', 'model'] }),
  },
};
const samplesQuery: Schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    offset: str('first matching sample (0-based)', { pattern: '^\\d{1,12}$' }),
    limit: str('samples per page, 1-1000 (default 20)', { pattern: '^\\d{1,4}$' }),
    where: str('metric filter, e.g. acc=0 or exact_match<1'),
    search: str('case-insensitive text searched in the whole record'),
    rerun: str('1: also answer `rerun`, the spec that re-runs every matching doc', { enum: ['0', '1', 'true', 'false'] }),
  },
};
const compareProps: Record<string, Schema> = {
  runs: str('comma-separated full run ids (two or more)', { pattern: '^[0-9a-fA-F]{6,64}(,[0-9a-fA-F]{6,64})+$' }),
  baseline: str('the run deltas are against (default the first)'),
  metric: str("metric to compare where a task has it (default each task's headline)"),
  filter: str('with metric: this filter'),
  paired: str('0 to skip samples files (stderr intervals only)', { enum: ['0', '1', 'true', 'false'] }),
};
const compareQuery: Schema = { type: 'object', additionalProperties: false, required: ['runs'], properties: compareProps };
const exportQuery: Schema = { type: 'object', additionalProperties: false, required: ['runs', 'format'], properties: { ...compareProps, format: str('output format', { enum: [...EXPORT_FORMATS] }) } };
const folderBody: Schema = { type: 'object', additionalProperties: false, required: ['path'], properties: { path: str('absolute folder of results files') } };
const folderQuery: Schema = { type: 'object', additionalProperties: false, required: ['path'], properties: { path: str('absolute folder to remove') } };
const obj: Schema = { type: 'object', additionalProperties: true };
const foldersResponse: Schema = { type: 'object', properties: { folders: { type: 'array', items: { type: 'string' } } } };

const CONTENT_TYPE: Record<ExportFormat, string> = {
  md: 'text/markdown; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  latex: 'application/x-latex; charset=utf-8',
  json: 'application/json; charset=utf-8',
  svg: 'image/svg+xml',
};

/** A missing run or task is 404; anything else the user sent wrong (a bad filter, one run) is 422. */
function asHttp(err: unknown): unknown {
  if (!(err instanceof UserError) || err instanceof HttpError) return err;
  const missing = /^no run |has no samples file/.test(err.message);
  return new HttpError(missing ? 404 : 422, missing ? 'not_found' : 'validation', err.message, err.hint);
}

export function registerResultsRoutes(app: FastifyInstance, ctx: ServerContext, docs: RouteDoc[]): void {
  // The server's own state dir decides where jobs and caches are; the settings follow the environment as
  // for the CLI, unless the server was started on another state dir (then its config lives there too).
  const env = stateDir(process.env) === ctx.paths.stateDir ? process.env : { ...process.env, LMMS_TUI_HOME: ctx.paths.stateDir };
  const opts = { env, exact: true };
  const route = (doc: RouteDoc, handler: Handler): void => {
    docs.push(doc);
    const schema: Record<string, unknown> = {};
    if (doc.params) schema.params = doc.params;
    if (doc.querystring) schema.querystring = doc.querystring;
    if (doc.body) schema.body = doc.body;
    app.route({
      method: doc.method, url: doc.url, schema,
      handler: async (req, reply) => {
        try {
          return await handler(req, reply);
        } catch (err) {
          throw asHttp(err);
        }
      },
    });
  };
  const compareArgs = (q: Query) => ({
    refs: q.runs!.split(','),
    query: { baseline: q.baseline, metric: q.metric, filter: q.filter, paired: !(q.paired === '0' || q.paired === 'false') },
  });

  route(
    { method: 'GET', url: `${API}/results/runs`, tag: 'results', summary: 'List runs: every results file under the jobs’ output paths and the added folders, newest first', description: 'Unreadable or half-written files are listed with `error`. model_args are masked by the core redaction rule.', querystring: listQuery, responses: { 200: ['{runs, problems}', obj] } },
    async (req) => {
      const q = req.query as Query;
      const idx = loadIndex({ env });
      return { runs: filterRuns(idx.runs, { model: q.model, task: q.task, since: q.since, harness: q.harness, sort: q.sort as 'date' | 'model' | undefined }), problems: idx.problems };
    },
  );

  route(
    { method: 'GET', url: `${API}/results/runs/:run`, tag: 'results', summary: 'A run and its metrics in task-tree order; run.samplesFiles names its samples files', params: runParam, responses: { 200: ['{run, metrics}', obj], 404: ['no such run'] } },
    async (req) => showRun((req.params as { run: string }).run, opts),
  );

  route(
    {
      method: 'GET', url: `${API}/results/runs/:run/samples/:task`, tag: 'results', summary: 'A page of a run’s samples for one task, optionally filtered by metric and text',
      params: { ...runParam, required: ['run', 'task'], properties: { ...(runParam.properties as Schema), task: str('task name') } },
      querystring: samplesQuery,
      responses: { 200: ['{run, task, file, total, matched, offset, samples, metrics}', obj], 404: ['no such run, or no samples file for the task'], 422: ['a bad filter'] },
    },
    async (req) => {
      const p = req.params as { run: string; task: string };
      const q = req.query as Query;
      return readSamples(p.run, p.task, { offset: q.offset ? Number(q.offset) : 0, limit: q.limit ? Number(q.limit) : 20, where: q.where, search: q.search, rerun: q.rerun === '1' || q.rerun === 'true' }, opts);
    },
  );

  route(
    { method: 'GET', url: `${API}/results/compare`, tag: 'results', summary: 'Compare runs: tasks × runs matrix, deltas against a baseline with their method, interval and MDE', querystring: compareQuery, responses: { 200: ['the comparison', obj], 404: ['a run is unknown'], 422: ['fewer than two runs, or a baseline not among them'] } },
    async (req) => {
      const { refs, query } = compareArgs(req.query as Query);
      return compareRefs(refs, query, opts);
    },
  );

  route(
    { method: 'GET', url: `${API}/results/export`, tag: 'results', summary: 'A comparison as Markdown, CSV, LaTeX, JSON or an SVG bar chart', querystring: exportQuery, responses: { 200: ['the export, in the content type of its format'], 404: ['a run is unknown'] } },
    async (req, reply) => {
      const q = req.query as Query;
      const { refs, query } = compareArgs(q);
      const format = q.format as ExportFormat;
      reply.type(CONTENT_TYPE[format]);
      return exportComparison(compareRefs(refs, query, opts), format);
    },
  );

  route(
    { method: 'GET', url: `${API}/results/folders`, tag: 'results', summary: 'The folders added to the results index', responses: { 200: ['{folders}', foldersResponse] } },
    async () => ({ folders: resultsFolders(env) }),
  );

  route(
    { method: 'POST', url: `${API}/results/folders`, tag: 'results', summary: 'Add a folder to the results index (kept in the settings)', body: folderBody, responses: { 200: ['{folders}', foldersResponse], 422: ['not an absolute path to an existing folder'] } },
    async (req) => {
      const dir = (req.body as { path: string }).path;
      if (!path.isAbsolute(dir)) throw new HttpError(422, 'validation', 'path must be absolute', undefined, [{ field: 'path', message: 'is not an absolute path', fix: 'send the absolute folder' }]);
      const problem = loadIndex({ env, folders: [dir] }).problems.find((p) => p.path === path.resolve(dir));
      if (problem) throw new HttpError(422, 'validation', `cannot add ${dir}: ${problem.message}`, undefined, [{ field: 'path', message: problem.message, fix: 'send an existing folder of results' }]);
      const s = openSettings({ env });
      s.addResultsFolder(dir);
      return { folders: s.resultsFolders() };
    },
  );

  route(
    { method: 'DELETE', url: `${API}/results/folders`, tag: 'results', summary: 'Remove a folder from the results index', querystring: folderQuery, responses: { 200: ['{folders}', foldersResponse], 404: ['the folder was not added'] } },
    async (req) => {
      const dir = (req.query as Query).path!;
      const s = openSettings({ env });
      if (!s.removeResultsFolder(dir)) throw new HttpError(404, 'not_found', `${dir} is not in the results folders`, 'GET /api/v1/results/folders lists them');
      return { folders: s.resultsFolders() };
    },
  );
}
