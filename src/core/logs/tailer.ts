/**
 * LogTailer follows a job's log file as the harness writes it (the kernel appends; we only read), feeding a
 * LogRing and emitting typed events. fs.watch gives low latency where inotify works; the poll timer is the
 * fallback (network filesystems, a file that does not exist yet, missed events) and must stay cheap.
 */
import { EventEmitter } from 'node:events';
import { watch, type FSWatcher } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { parseProgress, type Progress } from './parse.js';
import { compactPartial, LogRing, type LogLine } from './ring.js';

export { readSince, readTail, type ReadLine, type ReadSinceResult, type ReadTailOptions } from './read.js';

export interface LogTailerOptions {
  /** Lines kept in memory. Default 10_000. */
  ringSize?: number;
  /** Keep ANSI escapes in line text. Default false (stripped). */
  keepAnsi?: boolean;
  /** Byte offset to start reading at, e.g. a LogLine.offset a client saw last. Default 0. */
  fromOffset?: number;
  /** Poll interval in ms. Default 100. */
  pollMs?: number;
  /** Most bytes read per tick, so a huge backlog never sits in memory at once. Default 1 MiB. */
  maxReadBytes?: number;
}

export interface LogTailerEvents {
  lines: [lines: LogLine[]];
  progress: [progress: Progress];
  partial: [text: string];
  error: [err: Error];
}

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

export class LogTailer extends EventEmitter<LogTailerEvents> {
  readonly ring: LogRing;
  private readonly pollMs: number;
  private readonly maxReadBytes: number;
  private pos: number;
  /** File offset where the unfinished line (`pending`) starts: the offset to resume complete lines from. */
  private lineStart: number;
  private pending = '';
  private decoder = new StringDecoder('utf8');
  private fh: FileHandle | null = null;
  private ino = -1;
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private queued = false;
  /** Reads are serialised through this chain so ticks, watch events and readToEnd never overlap. */
  private chain: Promise<void> = Promise.resolve();
  private latest: Progress | null = null;

  constructor(
    readonly path: string,
    opts: LogTailerOptions = {},
  ) {
    super();
    this.ring = new LogRing({ capacity: opts.ringSize ?? 10_000, keepAnsi: opts.keepAnsi ?? false });
    this.pollMs = opts.pollMs ?? 100;
    this.maxReadBytes = Math.max(1, opts.maxReadBytes ?? 1024 * 1024);
    this.pos = Math.max(0, opts.fromOffset ?? 0);
    this.lineStart = this.pos;
  }

  /** Bytes of the file consumed so far (including an unfinished last line). */
  get offset(): number {
    return this.pos;
  }
  /** Offset just after the last complete line: where a reader of complete lines should resume. */
  get resumeOffset(): number {
    return this.lineStart;
  }
  /** The latest progress report seen (a tqdm redraw or an lmms-eval progress line), if any. */
  get progress(): Progress | null {
    return this.latest;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.timer = setInterval(() => this.kick(), this.pollMs);
    this.attachWatcher();
    this.kick();
  }

  /** Stops following and closes the file, after any read in flight. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.watcher?.close();
    this.watcher = null;
    await this.chain;
    await this.closeFile();
  }

  private async closeFile(): Promise<void> {
    const fh = this.fh;
    this.fh = null;
    await fh?.close().catch(() => undefined);
  }

  /**
   * Reads everything written so far. With `final`, an unfinished last line (no trailing newline) is
   * committed as a line too: use it once the writer has exited.
   */
  readToEnd(opts: { final?: boolean } = {}): Promise<void> {
    const run = this.chain.then(async () => {
      while (await this.readOnce()) {
        /* keep reading until caught up */
      }
      if (opts.final) this.flushPending();
      // A read after stop() must not leave the file open.
      if (!this.running) await this.closeFile();
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  private kick(): void {
    if (this.queued) return;
    this.queued = true;
    this.chain = this.chain.then(async () => {
      this.queued = false;
      try {
        // While behind, keep reading one bounded chunk at a time, yielding between chunks.
        while (this.running && (await this.readOnce())) await new Promise<void>((r) => setImmediate(r));
      } catch (err) {
        if (this.listenerCount('error') > 0) this.emit('error', err instanceof Error ? err : new Error(String(err)));
      }
      if (this.running && !this.watcher && this.fh) this.attachWatcher();
    });
  }

  private attachWatcher(): void {
    if (this.watcher) return;
    try {
      // persistent: false: the poll timer already keeps the process alive while following.
      this.watcher = watch(this.path, { persistent: false }, () => this.kick());
      this.watcher.on('error', () => {
        this.watcher?.close();
        this.watcher = null;
      });
    } catch {
      // Not created yet (or watching unsupported here): polling covers it and retries after the file appears.
      this.watcher = null;
    }
  }

  /** Reads one chunk. Returns true when more data is already waiting. */
  private async readOnce(): Promise<boolean> {
    let pathIno: number;
    let size: number;
    try {
      const st = await stat(this.path);
      pathIno = st.ino;
      size = st.size;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
    if (!this.fh || pathIno !== this.ino) {
      // First open, reopen after stop(), or the file was replaced: a new file starts at byte 0.
      await this.closeFile();
      try {
        this.fh = await open(this.path, 'r');
      } catch (err) {
        if (isNotFound(err)) return false;
        throw err;
      }
      const ino = (await this.fh.stat()).ino;
      const replaced = this.ino !== -1 && ino !== this.ino;
      this.ino = ino;
      if (replaced) {
        this.restartAt(0);
        // The watcher follows the old inode; the next kick attaches one to the new file.
        this.watcher?.close();
        this.watcher = null;
      }
    }
    // Truncated under us (or fromOffset beyond the end of a different file): start over.
    if (size < this.pos) this.restartAt(0);
    if (size === this.pos) return false;
    const len = Math.min(size - this.pos, this.maxReadBytes);
    const buf = Buffer.allocUnsafe(len);
    const { bytesRead } = await this.fh.read(buf, 0, len, this.pos);
    if (bytesRead === 0) return false;
    this.consume(buf.subarray(0, bytesRead));
    return this.pos < size;
  }

  private restartAt(offset: number): void {
    this.pos = offset;
    this.lineStart = offset;
    this.pending = '';
    this.decoder = new StringDecoder('utf8');
  }

  private consume(chunk: Buffer): void {
    const partialBefore = this.ring.partial;
    const base = this.pos;
    this.pos += chunk.length;
    // The decoder holds back a multi-byte character split across reads. 0x0A never occurs inside a UTF-8
    // sequence, so the k-th '\n' of the decoded text is the k-th 0x0A byte of the chunk: exact offsets.
    const text = this.decoder.write(chunk);
    const lines: LogLine[] = [];
    let progress: Progress | null = null;
    let from = 0;
    let byteFrom = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
      const nb = chunk.indexOf(0x0a, byteFrom);
      const line = this.ring.push(this.pending + text.slice(from, nl), this.lineStart);
      lines.push(line);
      progress = parseProgress(line.text) ?? progress;
      this.pending = '';
      this.lineStart = base + nb + 1;
      byteFrom = nb + 1;
      from = nl + 1;
    }
    if (from < text.length) this.pending = compactPartial(this.pending + text.slice(from));
    this.ring.setPartial(this.pending);
    progress = this.partialProgress() ?? progress;
    if (lines.length > 0) this.emit('lines', lines);
    if (this.ring.partial !== partialBefore) this.emit('partial', this.ring.partial);
    if (progress) this.setProgress(progress);
  }

  /** The newest parseable bar in the unfinished line; the very last segment may be a half-written redraw. */
  private partialProgress(): Progress | null {
    if (!this.pending) return null;
    const segs = this.pending.split('\r');
    for (let i = segs.length - 1; i >= Math.max(0, segs.length - 3); i--) {
      const p = parseProgress(segs[i] ?? '');
      if (p) return p;
    }
    return null;
  }

  private flushPending(): void {
    this.pending += this.decoder.end();
    const partialBefore = this.ring.partial;
    if (this.pending.trim() !== '') {
      const line = this.ring.push(this.pending, this.lineStart);
      this.emit('lines', [line]);
      const p = parseProgress(line.text);
      if (p) this.setProgress(p);
    }
    this.ring.setPartial('');
    if (partialBefore !== '') this.emit('partial', '');
    this.pending = '';
    this.lineStart = this.pos;
  }

  private setProgress(p: Progress): void {
    const l = this.latest;
    if (l && l.label === p.label && l.n === p.n && l.total === p.total && l.rate === p.rate && l.eta === p.eta) return;
    this.latest = p;
    this.emit('progress', p);
  }
}
