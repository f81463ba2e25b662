// Bundles the CLI (and with it the TUI) into dist/cli.js plus on-demand chunks in dist/chunks/ with esbuild.
// NODE_ENV=production is defined so React runs its production build (the dev build leaks
// performance.measure entries: ../shared/docs/performance.md §1.4) and start-up stays fast (§2.7).
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';

const root = fileURLToPath(new URL('..', import.meta.url));
rmSync(`${root}/dist`, { recursive: true, force: true }); // no stale chunks
mkdirSync(`${root}/dist`, { recursive: true });
// Ink imports react-devtools-core only when DEV=true; a stub keeps it out of the bundle.
writeFileSync(`${root}/dist/devtools-stub.mjs`, 'export default {};\n');

await build({
  absWorkingDir: root,
  entryPoints: { cli: 'src/cli/main.ts' },
  outdir: 'dist',
  // Split into chunks loaded on demand: a command only loads what it uses (the TUI's first frame does
  // not wait for fastify, and `lmms-tui jobs` does not load Ink).
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  alias: { 'react-devtools-core': './dist/devtools-stub.mjs' },
  define: { 'process.env.NODE_ENV': '"production"' },
  // Bundled CommonJS dependencies call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});
