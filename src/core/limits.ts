/**
 * How much text one spec field may hold. A pasted megabyte in a one-line field made every later render
 * and start-up crawl; nothing a harness takes on its command line needs that much. The limits are in
 * UTF-16 code units (JS string length), which is what an input field counts cheaply.
 */
import type { EvalSpec } from './spec.js';

/** Any single-line field (model_args, tasks, output path, a search box). */
export const FIELD_LIMIT = 64 * 1024;
/** All env lines together (the env editor). */
export const ENV_LIMIT = 1024 * 1024;

/** "64 KiB", "1.0 MiB": a size as a person reads it. */
export function formatSize(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

/** Total length of env lines as the editor holds them (one newline between lines). */
export function envSize(lines: readonly string[] | undefined): number {
  if (!lines || lines.length === 0) return 0;
  let n = lines.length - 1;
  for (const l of lines) n += l.length;
  return n;
}

/** Fields of `spec` over their limit, each with its size, so a caller can refuse or drop them. */
export function oversizedFields(spec: Partial<EvalSpec> | Record<string, unknown>): { field: string; size: number; limit: number }[] {
  const out: { field: string; size: number; limit: number }[] = [];
  for (const [field, v] of Object.entries(spec)) {
    if (field === 'env') {
      const size = Array.isArray(v) ? envSize(v.filter((x): x is string => typeof x === 'string')) : 0;
      if (size > ENV_LIMIT) out.push({ field, size, limit: ENV_LIMIT });
    } else if (typeof v === 'string') {
      if (v.length > FIELD_LIMIT) out.push({ field, size: v.length, limit: FIELD_LIMIT });
    } else if (Array.isArray(v)) {
      const size = v.reduce((n: number, x) => n + (typeof x === 'string' ? x.length + 1 : 0), 0);
      if (size > FIELD_LIMIT) out.push({ field, size, limit: FIELD_LIMIT });
    }
  }
  return out;
}

/** `spec` without the fields over their limit (what may be stored). */
export function withoutOversized<T extends object>(spec: T): T {
  const bad = oversizedFields(spec as Record<string, unknown>);
  if (bad.length === 0) return spec;
  const out = { ...spec } as Record<string, unknown>;
  for (const b of bad) delete out[b.field];
  return out as T;
}
