/**
 * `npm run bench:faults`: the crash and fault windows lmms-tui promises to survive, each tried many times
 * with real processes. Every file in bench/faults/ is one section: it exports `run(): Promise<void>`,
 * prints its trials and survivors, and sets process.exitCode = 1 when a promise was broken.
 * `npm run bench:faults -- stop` runs only the sections whose file name contains "stop".
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'faults');
const only = process.argv.slice(2);
const sections = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && (only.length === 0 || only.some((o) => f.includes(o))))
  .sort();
for (const file of sections) {
  console.log(`\n== ${file.replace(/\.ts$/, '')} ==`);
  const mod = (await import(pathToFileURL(path.join(dir, file)).href)) as { run(): Promise<void> };
  await mod.run();
}
