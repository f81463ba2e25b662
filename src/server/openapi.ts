/**
 * The OpenAPI 3.1 document, generated from the same route definitions fastify validates with, so the
 * description cannot drift from what the server enforces. `/docs` is a self-contained page (no CDN: GPU
 * boxes are often offline) that renders the document.
 */
import { errorSchema } from './schemas.js';

type Schema = Record<string, unknown>;

export interface RouteDoc {
  method: 'GET' | 'POST' | 'DELETE';
  /** fastify path, e.g. `/api/v1/jobs/:id`. */
  url: string;
  summary: string;
  description?: string;
  tag: string;
  params?: Schema;
  querystring?: Schema;
  body?: Schema;
  /** status → [description, schema]; error statuses use the common error schema. */
  responses: Record<number, [string, Schema?]>;
  /** The response is a text/event-stream. */
  sse?: boolean;
}

export function openApiDocument(routes: readonly RouteDoc[], info: { version: string }): Schema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const p = r.url.replace(/:([A-Za-z_]+)/g, '{$1}');
    const parameters: Schema[] = [];
    for (const [where, schema] of [['path', r.params], ['query', r.querystring]] as const) {
      const props = (schema?.properties ?? {}) as Record<string, Schema>;
      const required = new Set((schema?.required as string[] | undefined) ?? []);
      for (const [name, s] of Object.entries(props)) {
        const { description, ...rest } = s;
        parameters.push({ name, in: where, required: where === 'path' || required.has(name), description, schema: rest });
      }
    }
    if (r.sse) parameters.push({ name: 'Last-Event-ID', in: 'header', required: false, description: 'resume after this byte offset', schema: { type: 'string' } });
    const responses: Record<string, unknown> = {};
    for (const [status, [description, schema]] of Object.entries(r.responses)) {
      const code = Number(status);
      if (r.sse && code === 200) {
        responses[status] = { description, content: { 'text/event-stream': { schema: { type: 'string' } } } };
      } else {
        const s = schema ?? (code >= 400 ? errorSchema : undefined);
        responses[status] = s ? { description, content: { 'application/json': { schema: s } } } : { description };
      }
    }
    (paths[p] ??= {})[r.method.toLowerCase()] = {
      summary: r.summary,
      description: r.description,
      tags: [r.tag],
      parameters: parameters.length ? parameters : undefined,
      requestBody: r.body ? { required: true, content: { 'application/json': { schema: r.body } } } : undefined,
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'lmms-tui scheduler API',
      version: info.version,
      description:
        'Queue, run and watch lmms-eval and lm-evaluation-harness jobs. Served on the per-user Unix socket ' +
        '(no token: file permissions protect it) and, with `lmms-tui serve`, on TCP (bearer token when one is set).',
    },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{}, { bearer: [] }],
    paths,
  };
}

/** A dependency-free viewer: lists every operation with its parameters, body and response schemas. */
export function docsPage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>lmms-tui API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#222}
h1{font-size:1.4rem} h2{font-size:1.1rem;margin-top:2rem;border-bottom:1px solid #ddd}
details{border:1px solid #ddd;border-radius:6px;margin:.5rem 0;padding:.4rem .7rem}
summary{cursor:pointer} code,pre{font:12px/1.4 ui-monospace,monospace}
pre{background:#f6f6f6;padding:.5rem;overflow:auto;max-height:28rem}
.m{display:inline-block;min-width:4.5rem;font-weight:bold}
.GET{color:#06c}.POST{color:#080}.DELETE{color:#c00}
</style></head><body>
<h1>lmms-tui API</h1><p id="intro">Loading <a href="openapi.json">openapi.json</a>…</p><div id="ops"></div>
<script>
const esc = (s) => String(s ?? '').replace(/[&<>"]/g, (c) => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
const json = (v) => '<pre>' + esc(JSON.stringify(v, null, 2)) + '</pre>';
fetch('openapi.json').then((r) => r.json()).then((doc) => {
  document.getElementById('intro').innerHTML = esc(doc.info.description) + ' Version ' + esc(doc.info.version) + '. <a href="openapi.json">openapi.json</a>';
  const byTag = {};
  for (const [path, ops] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(ops)) (byTag[op.tags[0]] ??= []).push({ path, method: method.toUpperCase(), op });
  let html = '';
  for (const [tag, ops] of Object.entries(byTag)) {
    html += '<h2>' + esc(tag) + '</h2>';
    for (const { path, method, op } of ops) {
      html += '<details><summary><span class="m ' + method + '">' + method + '</span><code>' + esc(path) + '</code> ' + esc(op.summary) + '</summary>';
      if (op.description) html += '<p>' + esc(op.description) + '</p>';
      if (op.parameters) html += '<h4>Parameters</h4><ul>' + op.parameters.map((p) => '<li><code>' + esc(p.name) + '</code> (' + esc(p.in) + (p.required ? ', required' : '') + ') ' + esc(p.description) + '</li>').join('') + '</ul>';
      if (op.requestBody) html += '<h4>Body</h4>' + json(op.requestBody.content['application/json'].schema);
      html += '<h4>Responses</h4>';
      for (const [code, r] of Object.entries(op.responses)) {
        html += '<p><b>' + esc(code) + '</b> ' + esc(r.description) + '</p>';
        const c = r.content && (r.content['application/json'] || null);
        if (c && code < 300) html += json(c.schema);
      }
      html += '</details>';
    }
  }
  document.getElementById('ops').innerHTML = html;
}).catch((e) => { document.getElementById('intro').textContent = 'Could not load openapi.json: ' + e; });
</script></body></html>
`;
}
