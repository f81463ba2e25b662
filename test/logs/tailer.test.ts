import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { appendFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Progress } from '../../src/core/logs/parse.js';
import { LogTailer } from '../../src/core/logs/tailer.js';
import { tempDir, waitFor } from './helpers.js';

// A real writer process: appends the bytes it is sent (hex, one chunk per stdin line) to the log with
// unbuffered writes, and acknowledges each chunk on stdout, so the test knows the bytes are in the file.
const WRITER = `
import sys
f = open(sys.argv[1], 'ab', buffering=0)
for line in sys.stdin:
    f.write(bytes.fromhex(line.strip()))
    sys.stdout.write('ok\\n'); sys.stdout.flush()
`;

class Writer {
  private acks = 0;
  private sent = 0;
  readonly proc: ChildProcessWithoutNullStreams;
  constructor(file: string) {
    this.proc = spawn('python3', ['-c', WRITER, file]);
    this.proc.stdout.on('data', (d: Buffer) => (this.acks += d.toString().split('\n').length - 1));
  }
  async write(data: string | Buffer): Promise<void> {
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    this.sent++;
    this.proc.stdin.write(`${buf.toString('hex')}\n`);
    const want = this.sent;
    await waitFor(() => this.acks >= want, 'the writer to append');
  }
  async close(): Promise<void> {
    this.proc.stdin.end();
    if (this.proc.exitCode === null) await new Promise((r) => this.proc.once('exit', r));
  }
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function setup(opts: ConstructorParameters<typeof LogTailer>[1] = {}) {
  const tmp = tempDir();
  const log = tmp.file('output.log');
  const tailer = new LogTailer(log, { pollMs: 10, ...opts });
  cleanups.push(tmp.cleanup, () => tailer.stop());
  return { tmp, log, tailer };
}

function texts(t: LogTailer): string[] {
  return t.ring.slice(1).map((l) => l.text);
}

describe('LogTailer following a file written by a real process', () => {
  it('waits for a file that does not exist yet, then follows complete and partial lines', async () => {
    const { log, tailer } = setup();
    const partials: string[] = [];
    tailer.on('partial', (p) => partials.push(p));
    tailer.start();
    const w = new Writer(log);
    cleanups.push(() => w.close());
    await w.write('\x1b[32m2026-11-22 10:06:37\x1b[0m | \x1b[1mINFO    \x1b[0m | m:f:1 - hello\nwor');
    await waitFor(() => tailer.ring.partial === 'wor', 'the partial line');
    expect(texts(tailer)).toEqual(['2026-11-22 10:06:37 | INFO     | m:f:1 - hello']);
    expect(tailer.ring.get(1)?.level).toBe('INFO');
    await w.write('ld\n');
    await waitFor(() => tailer.ring.totalLines === 2, 'the second line');
    const second = tailer.ring.get(2);
    expect(second?.text).toBe('world');
    // Offsets are byte offsets of line starts in the file: resumable with readSince / fromOffset.
    expect(second?.offset).toBe(Buffer.byteLength('\x1b[32m2026-11-22 10:06:37\x1b[0m | \x1b[1mINFO    \x1b[0m | m:f:1 - hello\n'));
    expect(tailer.ring.partial).toBe('');
    expect(partials).toContain('wor');
    expect(partials.at(-1)).toBe('');
  });

  it('decodes UTF-8 characters split across writes and reads', async () => {
    const { log, tailer } = setup();
    tailer.start();
    const w = new Writer(log);
    cleanups.push(() => w.close());
    const bytes = Buffer.from('café ✓ 日本\n');
    // One byte per write, waiting until the tailer has consumed each one, so every read splits a character.
    for (let i = 0; i < bytes.length; i++) {
      await w.write(bytes.subarray(i, i + 1));
      await waitFor(() => tailer.offset === i + 1, `byte ${i + 1} to be read`);
    }
    await waitFor(() => tailer.ring.totalLines === 1, 'the line');
    expect(texts(tailer)).toEqual(['café ✓ 日本']);
    expect(tailer.ring.partial).not.toContain('\ufffd');
  });

  it('shows tqdm redraws as one changing partial line, emits progress, and stores only the final bar', async () => {
    const { log, tailer } = setup();
    const progress: Progress[] = [];
    tailer.on('progress', (p) => progress.push(p));
    tailer.start();
    const w = new Writer(log);
    cleanups.push(() => w.close());
    await w.write('\rModel Responding:   0%|          | 0/4 [00:00<?, ?it/s]');
    await waitFor(() => tailer.progress?.n === 0, 'the first bar');
    await w.write('\rModel Responding:  50%|█████     | 2/4 [00:01<00:01,  2.00it/s]');
    await waitFor(() => tailer.progress?.n === 2, 'the second bar');
    expect(tailer.ring.partial).toBe('Model Responding:  50%|█████     | 2/4 [00:01<00:01,  2.00it/s]');
    expect(tailer.ring.totalLines).toBe(0);
    await w.write('\rModel Responding: 100%|██████████| 4/4 [00:02<00:00,  2.00it/s]\n');
    await waitFor(() => tailer.ring.totalLines === 1, 'the bar to close');
    expect(texts(tailer)).toEqual(['Model Responding: 100%|██████████| 4/4 [00:02<00:00,  2.00it/s]']);
    expect(progress.map((p) => p.n)).toEqual([0, 2, 4]);
    expect(progress.at(-1)).toMatchObject({ label: 'Model Responding', total: 4, percent: 100 });
  });

  it('stops following after stop()', async () => {
    const { log, tailer } = setup();
    writeFileSync(log, 'one\n');
    tailer.start();
    await waitFor(() => tailer.ring.totalLines === 1, 'the first line');
    await tailer.stop();
    // A witness with the same poll interval: once it has seen two later appends, a still-running
    // follower would have seen them too.
    const witness = new LogTailer(log, { pollMs: 10, fromOffset: tailer.offset });
    cleanups.push(() => witness.stop());
    witness.start();
    appendFileSync(log, 'two\n');
    await waitFor(() => witness.ring.totalLines === 1, 'the witness to see "two"');
    appendFileSync(log, 'three\n');
    await waitFor(() => witness.ring.totalLines === 2, 'the witness to see "three"');
    expect(texts(tailer)).toEqual(['one']);
    expect(texts(witness)).toEqual(['two', 'three']);
  });
});

describe('LogTailer reading', () => {
  it('reads a backlog in bounded chunks with exact offsets', async () => {
    const { log, tailer } = setup({ maxReadBytes: 7 });
    const lines = Array.from({ length: 50 }, (_, i) => `línea ${i} ✓`);
    writeFileSync(log, `${lines.join('\n')}\n`);
    let batches = 0;
    tailer.on('lines', () => batches++);
    await tailer.readToEnd();
    expect(texts(tailer)).toEqual(lines);
    expect(batches).toBeGreaterThan(10);
    let expected = 0;
    for (const l of tailer.ring.slice(1)) {
      expect(l.offset).toBe(expected);
      expected += Buffer.byteLength(l.text) + 1;
    }
    expect(tailer.offset).toBe(expected);
    expect(tailer.resumeOffset).toBe(expected);
  });

  it('resumes from a line offset and keeps a bounded ring', async () => {
    const { log } = setup();
    writeFileSync(log, 'a\nbb\nccc\ndddd\n');
    const t = new LogTailer(log, { fromOffset: 2, ringSize: 2 });
    await t.readToEnd();
    expect(texts(t)).toEqual(['ccc', 'dddd']);
    expect(t.ring.totalLines).toBe(3);
    expect(t.ring.get(2)?.offset).toBe(5);
  });

  it('commits an unfinished last line on a final read, and restarts when the file is truncated', async () => {
    const { log } = setup();
    writeFileSync(log, 'x\nno newline at the end');
    const t = new LogTailer(log);
    await t.readToEnd();
    expect(texts(t)).toEqual(['x']);
    expect(t.ring.partial).toBe('no newline at the end');
    await t.readToEnd({ final: true });
    expect(texts(t)).toEqual(['x', 'no newline at the end']);
    truncateSync(log, 0);
    appendFileSync(log, 'fresh\n');
    await t.readToEnd();
    expect(texts(t).at(-1)).toBe('fresh');
    expect(t.ring.get(3)?.offset).toBe(0);
  });

  it('starts over when the file is replaced by a new one', async () => {
    const { log, tmp } = setup();
    writeFileSync(log, 'old 1\nold 2\n');
    const t = new LogTailer(log);
    await t.readToEnd();
    const next = tmp.file('next.log');
    writeFileSync(next, 'new\n');
    renameSync(next, log);
    await t.readToEnd();
    expect(texts(t)).toEqual(['old 1', 'old 2', 'new']);
    expect(t.ring.get(3)?.offset).toBe(0);
    await t.stop();
  });

  it('keeps ANSI when asked', async () => {
    const { log } = setup();
    writeFileSync(log, '\x1b[1mbold\x1b[0m\n');
    const t = new LogTailer(log, { keepAnsi: true });
    await t.readToEnd();
    expect(texts(t)).toEqual(['\x1b[1mbold\x1b[0m']);
  });
});
