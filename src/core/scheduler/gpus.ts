import { UserError } from '../errors.js';

/** Parses `--gpus 0,1,2,3` (or `0-3`); empty/none → null (no pool). */
export function parseGpuList(value: string): number[] | null {
  const v = value.trim();
  if (!v || v === 'none') return null;
  const out = new Set<number>();
  for (const part of v.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new UserError(`--gpus: "${part}" is not a GPU index`, 'use a comma list like 0,1,2,3 or a range like 0-3');
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) throw new UserError(`--gpus: range "${part}" runs backwards`, 'write the lower index first, e.g. 0-3');
    for (let i = a; i <= b; i++) out.add(i);
  }
  return [...out].sort((x, y) => x - y);
}

/** GPU indices from `nvidia-smi -L` ("GPU 0: NVIDIA A100 …"), or null when nvidia-smi is absent or fails. */
export async function detectGpus(): Promise<number[] | null> {
  const { execa } = await import('execa'); // on first use: keeps it off every command's start-up
  const r = await execa('nvidia-smi', ['-L'], { reject: false, timeout: 5000, stdin: 'ignore' });
  if (r.failed || r.exitCode !== 0) return null;
  const ids = [...String(r.stdout).matchAll(/^GPU (\d+):/gm)].map((m) => Number(m[1]));
  return ids.length ? ids : null;
}
