import { renameSync, writeFileSync, openSync, fsyncSync, closeSync } from 'node:fs';

/** Write + fsync + rename: readers see the old file or the new one, never half of one. */
export function writeFileAtomic(file: string, data: string): void {
  const tmp = `${file}.${process.pid}.${Date.now().toString(36)}.tmp`;
  writeFileSync(tmp, data);
  const fd = openSync(tmp, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}
