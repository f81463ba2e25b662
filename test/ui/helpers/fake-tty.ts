/** A stdin stand-in for the stdin filter: written chunks are what the next read() returns. */
import { EventEmitter } from 'node:events';

export class FakeTty extends EventEmitter {
  isTTY = true;
  private pending: string[] = [];
  write(data: string): void {
    this.pending.push(data);
    this.emit('readable');
  }
  read(): string | null {
    return this.pending.shift() ?? null;
  }
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
}
