/**
 * The statistics of a comparison: is a delta between two runs signal or noise?
 *
 * Written here rather than taken from a library: the whole need is the normal distribution's CDF and
 * quantile, a seeded PRNG and three short tests; no maintained npm package offers McNemar plus a paired
 * bootstrap without pulling in a large numeric stack.
 */

export type Method = 'mcnemar' | 'paired-bootstrap' | 'unpaired-stderr';

export interface DeltaStat {
  method: Method;
  /** other − baseline, in the metric's units. */
  delta: number;
  ci: [number, number];
  /** Two-sided p-value where the method gives one (McNemar, the unpaired z-test); null for the bootstrap. */
  p: number | null;
  /** The interval excludes 0. */
  significant: boolean;
  /** Docs in the test: paired docs, or the smaller run's n for the unpaired interval. */
  n: number | null;
  /** McNemar's discordant counts: baseline right and other wrong (b), the reverse (c). */
  discordant?: { b: number; c: number };
}

/** Standard normal CDF, via erfc (W. J. Cody's rational approximations are overkill here; this is ~1e-7). */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/** Complementary error function, Numerical Recipes' Chebyshev fit (fractional error < 1.2e-7). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z - 1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) return p <= 0 ? -Infinity : Infinity;
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/** A small seeded PRNG (mulberry32): the same comparison gives the same bootstrap interval every time. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const BOOTSTRAP_SEED = 1234;
export const BOOTSTRAP_ITERS = 2000;

/**
 * McNemar's test for paired 0/1 scores. b = baseline 1 and other 0, c = baseline 0 and other 1; the statistic
 * (b − c)² / (b + c) is χ² with one degree of freedom (no continuity correction). The delta's interval is
 * the Wald interval of a difference of paired proportions: se = √(b + c − (c − b)²/n) / n.
 */
export function mcnemar(base: readonly number[], other: readonly number[], alpha = 0.05): DeltaStat {
  const n = base.length;
  let b = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    if (base[i]! >= 0.5 && other[i]! < 0.5) b++;
    else if (base[i]! < 0.5 && other[i]! >= 0.5) c++;
  }
  const delta = n ? (c - b) / n : 0;
  const chi2 = b + c > 0 ? (b - c) ** 2 / (b + c) : 0;
  // P(χ²₁ > x) = erfc(√(x/2)).
  const p = b + c > 0 ? erfc(Math.sqrt(chi2 / 2)) : 1;
  const se = n ? Math.sqrt(Math.max(0, b + c - (c - b) ** 2 / n)) / n : 0;
  const z = normalQuantile(1 - alpha / 2);
  const ci: [number, number] = [delta - z * se, delta + z * se];
  return { method: 'mcnemar', delta, ci, p, significant: b + c > 0 && (ci[0] > 0 || ci[1] < 0), n, discordant: { b, c } };
}

/** Paired bootstrap of the mean difference (other − baseline), percentile interval, fixed seed. */
export function pairedBootstrap(base: readonly number[], other: readonly number[], opts: { alpha?: number; iters?: number; seed?: number } = {}): DeltaStat {
  const n = base.length;
  const alpha = opts.alpha ?? 0.05;
  const iters = opts.iters ?? BOOTSTRAP_ITERS;
  const diff = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    diff[i] = other[i]! - base[i]!;
    sum += diff[i]!;
  }
  const delta = n ? sum / n : 0;
  const rand = seededRandom(opts.seed ?? BOOTSTRAP_SEED);
  const means = new Float64Array(iters);
  for (let k = 0; k < iters; k++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += diff[Math.floor(rand() * n)]!;
    means[k] = n ? s / n : 0;
  }
  means.sort();
  const at = (q: number): number => means[Math.min(iters - 1, Math.max(0, Math.floor(q * iters)))]!;
  const ci: [number, number] = [at(alpha / 2), at(1 - alpha / 2)];
  return { method: 'paired-bootstrap', delta, ci, p: null, significant: ci[0] > 0 || ci[1] < 0, n };
}

/** Two independent estimates with their stderrs: delta ± z·√(se_a² + se_b²), and the z-test's p-value. */
export function unpaired(baseValue: number, baseStderr: number, otherValue: number, otherStderr: number, n: number | null, alpha = 0.05): DeltaStat {
  const delta = otherValue - baseValue;
  const se = Math.sqrt(baseStderr ** 2 + otherStderr ** 2);
  const z = normalQuantile(1 - alpha / 2);
  const ci: [number, number] = [delta - z * se, delta + z * se];
  const p = se > 0 ? 2 * (1 - normalCdf(Math.abs(delta) / se)) : null;
  return { method: 'unpaired-stderr', delta, ci, p, significant: se > 0 && (ci[0] > 0 || ci[1] < 0), n };
}

/**
 * The smallest delta detectable at n docs, as lmms-eval's `power` command computes it
 * (lmms_eval/api/metrics.py, power_analysis): MDE = (z₁₋α/₂ + z_power) · σ_diff / √n with
 * σ_diff² = σa² + σb² − 2ρ·σa·σb. Its defaults: σ = 0.5 (a 0/1 score), ρ = 0.5, α = 0.05, power 0.8.
 */
export function minDetectableDelta(n: number, opts: { stdA?: number; stdB?: number; correlation?: number; alpha?: number; power?: number } = {}): number | null {
  if (!(n > 0)) return null;
  const stdA = opts.stdA ?? opts.stdB ?? 0.5;
  const stdB = opts.stdB ?? stdA;
  const rho = opts.correlation ?? 0.5;
  const alpha = opts.alpha ?? 0.05;
  const power = opts.power ?? 0.8;
  const varDiff = stdA ** 2 + stdB ** 2 - 2 * rho * stdA * stdB;
  if (!(varDiff > 0)) return 0;
  return ((normalQuantile(1 - alpha / 2) + normalQuantile(power)) * Math.sqrt(varDiff)) / Math.sqrt(n);
}

export function std(xs: readonly number[]): number | null {
  const n = xs.length;
  if (n < 2) return null;
  let m = 0;
  for (const x of xs) m += x;
  m /= n;
  let s = 0;
  for (const x of xs) s += (x - m) ** 2;
  return Math.sqrt(s / (n - 1));
}

export function correlation(a: readonly number[], b: readonly number[]): number | null {
  const n = a.length;
  if (n < 3) return null;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : null;
}
