#!/usr/bin/env node
// Entry point: runs the esbuild bundle that `npm ci` (prepare) or `npm run build` writes to dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const bundle = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
if (!existsSync(bundle)) {
  process.stderr.write('lmms-tui: dist/cli.js is missing. Run `npm ci` (or `npm run build`) in the project directory.\n');
  process.exit(1);
}
await import(pathToFileURL(bundle).href);
