import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { redactSecrets } from '../core/redact.js';

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

/**
 * A writer that masks secrets (the core rule, src/core/redact.ts) in text passed through it. Each complete
 * segment, up to a `\n` or a `\r` redraw, is masked and written; the unfinished rest waits for its end (or
 * `flush`), so a secret split across two reads is still masked whole. Colours and redraws pass unchanged.
 */
export function redactingWriter(write: (chunk: Buffer) => void, secrets: readonly string[]): { push(chunk: Buffer): void; flush(): void } {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  const emit = (text: string) => {
    if (text) write(Buffer.from(redactSecrets(text, secrets), 'utf8'));
  };
  return {
    push(chunk) {
      const text = carry + decoder.write(chunk);
      const cut = Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r'));
      if (cut < 0) {
        carry = text;
        return;
      }
      carry = text.slice(cut + 1);
      emit(text.slice(0, cut + 1));
    },
    flush() {
      emit(carry + decoder.end());
      carry = '';
    },
  };
}
