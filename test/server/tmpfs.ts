/**
 * A small tmpfs for disk-full tests (and bench/faults/enospc.ts): a real filesystem that really fills up.
 * Needs root (CAP_SYS_ADMIN), which CI has.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export function canMountTmpfs(): boolean {
  return process.getuid?.() === 0;
}

/** Mounts a tmpfs of `size` (e.g. '2m') on a fresh directory; returns it and an unmount function. */
export function mountTmpfs(size: string): { dir: string; unmount(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'lmms-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir]);
  return {
    dir,
    unmount() {
      try {
        execFileSync('umount', ['-l', dir]);
      } catch {
        /* already unmounted */
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Every file under `dir` whose name matches `re` (e.g. stray temp files). */
export function filesMatching(dir: string, re: RegExp): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let names: string[] = [];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const name of names) {
      const full = path.join(d, name);
      let isDir = false;
      try {
        isDir = statSync(full).isDirectory();
      } catch {
        continue;
      }
      if (isDir) walk(full);
      else if (re.test(name)) out.push(full);
    }
  };
  walk(dir);
  return out;
}
