import { renameSync, writeFileSync, openSync, fsyncSync, closeSync } from 'node:fs';

/**
 * Write + fsync + rename: readers see the old file or the new one, never half of one. The records written
 * here hold specs (env lines, set-up lines, model_args), so the default mode is the owner's alone; the temp
 * file is created with it, so there is no moment at which the content is readable by others.
 */
export function writeFileAtomic(file: string, data: string, mode = 0o600): void {
  const tmp = `${file}.${process.pid}.${Date.now().toString(36)}.tmp`;
  writeFileSync(tmp, data, { mode });
  const fd = openSync(tmp, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}
