import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { rethrowResource } from '../errors.js';

/**
 * Write + fsync + rename: readers see the old file or the new one, never half of one. When any step
 * fails (ENOSPC halfway through the data is the usual one) the temp file is removed, so a full disk
 * leaves neither a stray `*.tmp` nor a damaged target: the previous version stays in place. The error
 * is rethrown as a ResourceError naming the target (see core/errors.ts).
 * The records written here hold specs (env lines, set-up lines, model_args), so the default mode is the
 * owner's alone; the temp file is created with it, so there is no moment at which others can read it.
 */
export function writeFileAtomic(file: string, data: string, mode = 0o600): void {
  const tmp = `${file}.${process.pid}.${Date.now().toString(36)}.tmp`;
  let fd: number | null = null;
  try {
    fd = openSync(tmp, 'w', mode);
    const buf = Buffer.from(data);
    for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, file);
  } catch (err) {
    if (fd !== null) {
      try {
        closeSync(fd);
      } catch {
        /* already failing */
      }
    }
    rmSync(tmp, { force: true });
    // Named by the record it was writing, not by its temp file.
    const e = err as NodeJS.ErrnoException;
    rethrowResource(e && typeof e.code === 'string' ? { code: e.code, syscall: e.syscall, path: file } : err, file);
  }
}
