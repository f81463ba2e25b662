// writeFileAtomic on a filesystem that really fills up (a 1 MiB tmpfs; needs root, as CI has).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ResourceError } from '../../src/core/errors.js';
import { writeFileAtomic } from '../../src/core/scheduler/atomic.js';
import { mountTmpfs } from '../server/tmpfs.js';

const mounts: { unmount(): void }[] = [];
afterEach(() => {
  for (const m of mounts.splice(0)) m.unmount();
});

describe('writeFileAtomic', () => {
  it('on a full disk keeps the previous file intact, leaves no temp file, and names the target', () => {
    const fs = mountTmpfs('1m');
    mounts.push(fs);
    const file = path.join(fs.dir, 'job.json');
    writeFileAtomic(file, '{"state": "running"}\n');
    // Fill what is left.
    try {
      writeFileSync(path.join(fs.dir, 'filler'), Buffer.alloc(2 * 1024 * 1024));
    } catch {
      /* ENOSPC: full */
    }
    let thrown: unknown;
    try {
      writeFileAtomic(file, `{"state": "succeeded", "pad": "${'x'.repeat(64 * 1024)}"}\n`);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ResourceError);
    expect((thrown as ResourceError).message).toBe(`disk full: cannot write ${file}`);
    expect((thrown as ResourceError).code).toBe('ENOSPC');
    expect(readFileSync(file, 'utf8')).toBe('{"state": "running"}\n');
    expect(readdirSync(fs.dir).sort()).toEqual(['filler', 'job.json']);
  });
});
