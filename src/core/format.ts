/** A duration for people: "12s", "4m05s", "1h02m", "3d04h"; "-" when unknown. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${String(h % 24).padStart(2, '0')}h`;
}

/** Bytes for people: 512 B, 64.0 KiB, 2.0 GiB. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i]}`;
}

/**
 * A time as a progress bar prints it, in ms: tqdm's `MM:SS` / `H:MM:SS`, lmms-eval's `30m02s` / `1h02m` /
 * `12s`. Null when it is none of these (or `?`).
 */
export function parseClock(text: string | null | undefined): number | null {
  const t = text?.trim() ?? '';
  const colon = /^(?:(\d+):)?(\d+):(\d\d)$/.exec(t);
  if (colon) return ((Number(colon[1] ?? 0) * 60 + Number(colon[2])) * 60 + Number(colon[3])) * 1000;
  const units = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(t);
  if (units && t !== '') return (((Number(units[1] ?? 0) * 24 + Number(units[2] ?? 0)) * 60 + Number(units[3] ?? 0)) * 60 + Number(units[4] ?? 0)) * 1000;
  return null;
}
