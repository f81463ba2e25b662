/**
 * Serving lmms-eval's built web UI (`lmms_eval/tui/web/dist`) from an installed lmms-eval. The original's
 * catch-all joined the raw path onto the dist directory, so `/../../etc/passwd` (or `%2e%2e`) read any file;
 * here each path segment is decoded once, `..` and separators inside a segment are refused, and the real
 * path (symlinks resolved) must stay inside the dist directory.
 */
import { createReadStream, existsSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyReply } from 'fastify';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** `<packageDir>/tui/web/dist` when it holds an index.html. */
export function findDist(packageDir: string | null): string | null {
  if (!packageDir) return null;
  const dir = path.join(packageDir, 'tui', 'web', 'dist');
  return existsSync(path.join(dir, 'index.html')) ? dir : null;
}

/**
 * The file a URL path names inside `root`, or null when it is not one (missing, a directory, or an escape
 * attempt). `rawPath` is the undecoded path without the query.
 */
export async function resolveStatic(root: string, rawPath: string): Promise<string | null> {
  const segments: string[] = [];
  for (const seg of rawPath.split('/')) {
    if (seg === '') continue;
    let s: string;
    try {
      s = decodeURIComponent(seg);
    } catch {
      return null;
    }
    if (s === '.' || s === '..' || s.includes('/') || s.includes('\\') || s.includes('\0')) return null;
    segments.push(s);
  }
  if (!segments.length) return null;
  try {
    const realRoot = await realpath(root);
    const real = await realpath(path.join(realRoot, ...segments));
    const rel = path.relative(realRoot, real);
    if (rel.startsWith('..') || path.isAbsolute(rel)) return null;
    return (await stat(real)).isFile() ? real : null;
  } catch {
    return null;
  }
}

export function sendFile(reply: FastifyReply, file: string, opts: { immutable?: boolean } = {}): FastifyReply {
  reply.type(TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream');
  // Vite names assets by content hash; index.html must be re-read so a new build is picked up.
  reply.header('cache-control', opts.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  return reply.send(createReadStream(file));
}

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** Shown at `/` when no built front end was found: what was looked for, and what works anyway. */
export function missingFrontendPage(info: { looked: string | null; reason: string }): string {
  const where = info.looked ? `<p>Looked for <code>${escapeHtml(info.looked)}</code>.</p>` : '';
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>lmms-tui web: front end not found</title>
<style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:3rem auto;line-height:1.5;padding:0 1rem}code{background:#f3f3f3;padding:0 .25rem}</style></head>
<body><h1>lmms-eval web UI front end not found</h1>
<p>${escapeHtml(info.reason)}</p>${where}
<p>lmms-tui serves the front end that ships with lmms-eval (<code>lmms_eval/tui/web/dist</code>, lmms-eval 0.6 or newer).
Install such a version for the interpreter lmms-tui runs (<code>--python</code> / <code>--setup</code>), or build it in a checkout:
<code>cd lmms_eval/tui/web &amp;&amp; npm install &amp;&amp; npm run build</code>, or point <code>lmms-tui web --dist DIR</code> at a build.</p>
<p>The API the front end uses is up: try <a href="/health">/health</a>, <a href="/tasks">/tasks</a>, <a href="/models">/models</a>.</p>
</body></html>
`;
}
