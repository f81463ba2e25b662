/**
 * Caps Ink 6.8's text-measure cache, which otherwise keeps every distinct string ever rendered
 * (measure-text.js: `const cache = new Map()`, never cleared). With streamed log lines that is a leak of
 * ~24 MB/min at 10k lines/s (performance.md §2.6); clearing it at 2,000 entries kept the heap flat there.
 *
 * The cache is private to Ink's module, so it is found at runtime: while the first frame renders,
 * Map.prototype.set is watched for the Map that stores `{width, height}` under a string key (only
 * measureText does), then the watch is removed and that one Map gets a bounded `set`. Nothing in
 * node_modules is edited, and it works the same in the esbuild bundle and unbundled.
 *
 * Ink's other cache (wrap-text.js, a plain object) only receives text wider than its box; every streamed
 * row is pre-cut to the pane width (text.ts), so it does not grow with the stream.
 */
let capped: Map<unknown, unknown> | null = null;

export const MEASURE_CACHE_LIMIT = 2000;

function isDimensions(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false;
  const keys = Object.keys(v);
  return keys.length === 2 && keys.includes('width') && keys.includes('height');
}

/** Runs `renderFirstFrame` while looking for Ink's measure cache; returns whether it is capped. */
export function withInkCacheCap<T>(renderFirstFrame: () => T, limit = MEASURE_CACHE_LIMIT): T {
  if (capped) return renderFirstFrame();
  const original = Map.prototype.set;
  let found: Map<unknown, unknown> | null = null;
  Map.prototype.set = function watch(this: Map<unknown, unknown>, key: unknown, value: unknown) {
    if (!found && typeof key === 'string' && isDimensions(value)) found = this;
    return original.call(this, key, value);
  };
  try {
    return renderFirstFrame();
  } finally {
    Map.prototype.set = original;
    if (found) {
      const cache: Map<unknown, unknown> = found;
      // An own property shadows Map.prototype.set for this one instance only.
      Object.defineProperty(cache, 'set', {
        configurable: true,
        value(key: unknown, value: unknown) {
          if (cache.size >= limit) cache.clear();
          return original.call(cache, key, value);
        },
      });
      capped = cache;
    }
  }
}

/** The capped cache (for tests and the benchmark's soak). */
export function inkMeasureCache(): Map<unknown, unknown> | null {
  return capped;
}
