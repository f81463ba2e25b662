// Injected at build time would be nicer, but reading package.json keeps tests (unbundled) and the bundle in step.
import { readFileSync } from 'node:fs';
import { packageRoot } from './paths.js';

let cached: string | undefined;
export function version(): string {
  if (!cached) cached = (JSON.parse(readFileSync(`${packageRoot()}/package.json`, 'utf8')) as { version: string }).version;
  return cached;
}
