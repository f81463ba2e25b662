import { closeSync, openSync, readSync, statSync } from 'node:fs';

/**
 * Copies a growing file to a writer as raw bytes (progress bars keep their `\r` redraws, colours
 * stay), like `tail -c +1 -f`. Returns a function that stops following after a final drain.
 */
export function followBytes(file: string, write: (chunk: Buffer) => void, opts: { pollMs?: number; from?: number } = {}): () => void {
  let offset = opts.from ?? 0;
  const buf = Buffer.allocUnsafe(1 << 16);
  const drain = () => {
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch {
      return; // not created yet
    }
    try {
      if (statSync(file).size < offset) offset = 0; // truncated/replaced
      for (;;) {
        const n = readSync(fd, buf, 0, buf.length, offset);
        if (n <= 0) break;
        offset += n;
        write(Buffer.from(buf.subarray(0, n)));
      }
    } finally {
      closeSync(fd);
    }
  };
  const timer = setInterval(drain, opts.pollMs ?? 100);
  drain();
  return () => {
    clearInterval(timer);
    drain();
  };
}
