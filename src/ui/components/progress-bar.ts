/** Text progress bar: `███████░░░  70%`; an unknown total shows the count instead of a bar. */
export function progressBar(fraction: number | null, width: number, full: string, empty: string): string {
  if (width <= 0) return '';
  if (fraction === null || !Number.isFinite(fraction)) return empty.repeat(width);
  const f = Math.max(0, Math.min(1, fraction));
  const n = Math.round(f * width);
  return full.repeat(n) + empty.repeat(width - n);
}

export function percentText(fraction: number | null): string {
  if (fraction === null || !Number.isFinite(fraction)) return '  -%';
  return `${String(Math.floor(Math.max(0, Math.min(1, fraction)) * 100)).padStart(3)}%`;
}
