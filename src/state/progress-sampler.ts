/**
 * Latest progress of a job that is not being followed: read only the last few kB of its log and parse the
 * newest progress report there. Cost is bounded whatever the job's output rate, unlike tailing every job.
 */
import { open } from 'node:fs/promises';
import { parseProgress, type Progress } from '../core/logs/parse.js';

export async function sampleProgress(logPath: string, bytes = 16 * 1024): Promise<Progress | null> {
  let fh;
  try {
    fh = await open(logPath, 'r');
  } catch {
    return null;
  }
  try {
    const { size } = await fh.stat();
    const len = Math.min(size, bytes);
    if (len === 0) return null;
    const buf = Buffer.allocUnsafe(len);
    const { bytesRead } = await fh.read(buf, 0, len, size - len);
    const segments = buf.subarray(0, bytesRead).toString('utf8').split(/[\r\n]/);
    for (let i = segments.length - 1; i >= 0; i--) {
      const seg = segments[i]!;
      if (seg.trim() === '') continue;
      const p = parseProgress(seg);
      if (p) return p;
    }
    return null;
  } finally {
    await fh.close();
  }
}
