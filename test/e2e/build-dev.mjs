// Bundles test/e2e/dev-entry.ts like scripts/build.mjs bundles the CLI (same esbuild options), to
// node_modules/.cache/lmms-tui-e2e/cli.js. Used by the e2e tests and the TUI benchmark until `tui` is registered in the real CLI.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { mkdirSync, writeFileSync } from 'node:fs';

const root = fileURLToPath(new URL('../..', import.meta.url));
export async function buildDev(outfile = 'node_modules/.cache/lmms-tui-e2e/cli.js') {
  mkdirSync(`${root}/node_modules/.cache/lmms-tui-e2e`, { recursive: true });
  writeFileSync(`${root}/node_modules/.cache/lmms-tui-e2e/devtools-stub.mjs`, 'export default {};\n');
  await build({
    absWorkingDir: root,
    entryPoints: ['test/e2e/dev-entry.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
    alias: { 'react-devtools-core': './node_modules/.cache/lmms-tui-e2e/devtools-stub.mjs' },
    define: { 'process.env.NODE_ENV': '"production"' },
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  return `${root}/${outfile}`;
}
if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(await buildDev());
