"""Runs a program on a real pseudo-terminal for bench/tui.ts and reports timings as JSON on stdout.

Node has no pty of its own; Python's pty module gives the benchmark what a terminal user has: a TTY of a
given size, keys written to it, and every byte the program draws read back.

Usage: python3 bench/tui-pty.py CONFIG.json
CONFIG: {"argv": [...], "env": {...}, "cols": 160, "rows": 50, "steps": [...]}
Steps run in order:
  {"wait": "text", "timeout": 20}             until the screen output (ANSI stripped) contains text
  {"send": "2"}                               write keys
  {"pause": 0.2}                              read output for a while (e.g. after a lone Esc)
  {"keys": {"count": 60, "interval": 0.083}}  type digits one at a time; per key, the ms until the
                                              typed text is drawn (the search field echoes it)
  {"bytes": {"seconds": 5}}                   bytes/s the program writes to the terminal
  {"exit": {"timeout": 10}}                   until the program exits
Result: {"elapsed_ms": total, "keys_ms": [...], "bytes_per_s": n, "exit_status": n}
"""
import json
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import fcntl
import time

ANSI = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\^_]|\x1bP[^\x1b]*\x1b\\")


def main() -> None:
    cfg = json.load(open(sys.argv[1]))
    env = dict(os.environ)
    env.update(cfg.get("env", {}))
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", cfg.get("rows", 40), cfg.get("cols", 120), 0, 0))
        os.execvpe(cfg["argv"][0], cfg["argv"], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", cfg.get("rows", 40), cfg.get("cols", 120), 0, 0))
    result = {"keys_ms": [], "bytes_per_s": None, "exit_status": None}
    screen = bytearray()
    eof = False
    reaped = False

    def pump(timeout: float) -> bytes:
        nonlocal eof
        if eof:
            return b""
        r, _, _ = select.select([fd], [], [], timeout)
        if not r:
            return b""
        try:
            data = os.read(fd, 1 << 16)
        except OSError:
            data = b""
        if not data:
            eof = True
        return data

    def wait_text(text: bytes, timeout: float, since: int = 0) -> bool:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline and not eof:
            data = pump(0.05)
            screen.extend(data)
            if text in ANSI.sub(b"", bytes(screen[since:])):
                return True
        return text in ANSI.sub(b"", bytes(screen[since:]))

    try:
        for step in cfg["steps"]:
            if "wait" in step:
                if not wait_text(step["wait"].encode(), step.get("timeout", 20)):
                    tail = ANSI.sub(b"", bytes(screen[-3000:])).decode("utf8", "replace")
                    raise SystemExit(f"tui-pty: timed out waiting for {step['wait']!r}; last output:\n{tail}")
            elif "send" in step:
                os.write(fd, step["send"].encode())
            elif "pause" in step:
                # Lets a lone Esc arrive on its own: Esc and a key in one read mean Alt+key to a terminal app.
                end = time.perf_counter() + step["pause"]
                while time.perf_counter() < end:
                    screen.extend(pump(max(0.0, end - time.perf_counter())))
            elif "keys" in step:
                k = step["keys"]
                typed = ""
                for i in range(k.get("count", 60)):
                    ch = str(i % 10)
                    typed += ch
                    mark = len(screen)
                    t0 = time.perf_counter()
                    os.write(fd, ch.encode())
                    # Only what was drawn after the key counts; the field shows everything typed so far.
                    if not wait_text(typed.encode(), k.get("timeout", 3), since=mark):
                        raise SystemExit(f"tui-pty: key {i} ({typed!r}) was never drawn")
                    result["keys_ms"].append((time.perf_counter() - t0) * 1000)
                    rest = k.get("interval", 0.083) - (time.perf_counter() - t0)
                    end = time.perf_counter() + max(0.0, rest)
                    while time.perf_counter() < end:
                        screen.extend(pump(max(0.0, end - time.perf_counter())))
                    # Keep the buffer bounded: only recent output is ever searched.
                    if len(screen) > 4 << 20:
                        del screen[: len(screen) - (1 << 20)]
            elif "bytes" in step:
                secs = step["bytes"].get("seconds", 5)
                n = 0
                t0 = time.perf_counter()
                while time.perf_counter() - t0 < secs and not eof:
                    data = pump(0.05)
                    n += len(data)
                result["bytes_per_s"] = n / (time.perf_counter() - t0)
            elif "exit" in step:
                deadline = time.perf_counter() + step["exit"].get("timeout", 10)
                while not eof and time.perf_counter() < deadline:
                    screen.extend(pump(0.05))
                if not eof:
                    tail = ANSI.sub(b"", bytes(screen[-3000:])).decode("utf8", "replace")
                    raise SystemExit(f"tui-pty: the program did not exit; last output:\n{tail}")
        _, status = os.waitpid(pid, 0)
        reaped = True
        result["exit_status"] = os.waitstatus_to_exitcode(status)
    finally:
        # Only a child we have not reaped is still ours to signal.
        if not reaped:
            try:
                os.kill(pid, signal.SIGTERM)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
    result["elapsed_ms"] = (time.perf_counter() - start) * 1000
    print(json.dumps(result))


if __name__ == "__main__":
    main()
