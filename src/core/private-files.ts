/**
 * Files that hold specs (settings with the last spec and presets, exported configs, job records) are the
 * owner's alone: 0600 files in 0700 directories, whatever the umask, and an older file or directory written
 * with wider modes is narrowed when it is next opened.
 */
import { chmodSync, closeSync, fchmodSync, mkdirSync, openSync, statSync, writeSync } from 'node:fs';

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** Creates `dir` (and parents) 0700 when missing; narrows an existing `dir` that others can read. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  narrow(dir);
}

/**
 * Takes group and other access away from an existing file or directory (0644 → 0600, 0755 → 0700); the
 * owner's bits stay as they are. No-op when missing.
 */
export function narrow(file: string): void {
  let st;
  try {
    st = statSync(file);
  } catch {
    return;
  }
  // Only ours: a shared parent someone pointed us at (owned by another uid) is left alone.
  if ((st.mode & 0o077) !== 0 && (typeof process.getuid !== 'function' || st.uid === process.getuid())) chmodSync(file, st.mode & 0o700);
}

/**
 * Writes `text` to `file` as 0600. The mode is set on the open descriptor before any byte is written, so an
 * existing 0644 file never holds the new content readable by others, even for a moment.
 */
export function writePrivateFile(file: string, text: string): void {
  const fd = openSync(file, 'w', PRIVATE_FILE_MODE);
  try {
    fchmodSync(fd, PRIVATE_FILE_MODE);
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}
