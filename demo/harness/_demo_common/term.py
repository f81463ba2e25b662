"""What the demo prints: loguru and stdlib-logging lines, tqdm bars, log-line progress, markdown tables.

Each writer copies the byte shape of the real tool (harness-facts §6) so our parsers are tested against
the same text they meet on a GPU box. None of these tools is imported: the demo stays stdlib-only.
"""
from __future__ import annotations

import math
import os
import time

LEVELS = {"TRACE": 5, "DEBUG": 10, "INFO": 20, "SUCCESS": 25, "WARNING": 30, "ERROR": 40, "CRITICAL": 50}
# loguru's default level colours (colorize=True), as the escape sequences it emits.
_LEVEL_ANSI = {
    "TRACE": "\x1b[36m\x1b[1m",
    "DEBUG": "\x1b[34m\x1b[1m",
    "INFO": "\x1b[1m",
    "SUCCESS": "\x1b[32m\x1b[1m",
    "WARNING": "\x1b[33m\x1b[1m",
    "ERROR": "\x1b[31m\x1b[1m",
    "CRITICAL": "\x1b[41m\x1b[1m",
}
RESET = "\x1b[0m"


def loguru_line(level: str, origin: str, message: str, when: float | None = None) -> str:
    """One loguru record with lmms-eval's format: `time | LEVEL    | module:function:line - message`."""
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(when))
    name, function, line = origin.split(":")
    colour = _LEVEL_ANSI[level]
    return (
        f"\x1b[32m{stamp}{RESET} | {colour}{level:<8}{RESET} | "
        f"\x1b[36m{name}{RESET}:\x1b[36m{function}{RESET}:\x1b[36m{line}{RESET} - {colour}{message}{RESET}\n"
    )


def stdlib_line(level: str, origin: str, message: str, when: float | None = None) -> str:
    """One lm-eval logging record: `%(asctime)s %(levelname)-8s [%(short_name)s:%(lineno)d] %(message)s`."""
    stamp = time.strftime("%Y-%m-%d:%H:%M:%S", time.localtime(when))
    return f"{stamp} {level:<8} [{origin}] {message}\n"


class Logger:
    """Level-filtered records to one stream, flushed per record (loguru's sink and logging's handler both do)."""

    def __init__(self, stream, level: str, fmt) -> None:
        self.stream = stream
        self.threshold = LEVELS[level]
        self.fmt = fmt

    def enabled(self, level: str) -> bool:
        return LEVELS[level] >= self.threshold

    def log(self, level: str, origin: str, message: str) -> None:
        if self.enabled(level):
            self.stream.write(self.fmt(level, origin, message))
            self.stream.flush()


def format_interval(seconds: float) -> str:
    minutes, s = divmod(int(seconds), 60)
    h, m = divmod(minutes, 60)
    return f"{h:d}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def screen_columns(stream):
    """Bar width source, as tqdm finds it: the terminal's size, else COLUMNS and LINES when both are set."""
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, OSError, ValueError):
        pass
    try:
        return int(os.environ["COLUMNS"]) - 1 if int(os.environ["LINES"]) else None
    except (KeyError, ValueError):
        return None


class Bar:
    """A tqdm-shaped progress bar: `\\r`-separated redraws on stderr, a newline when it closes.

    Redraws are rate-limited like tqdm's `mininterval` (0.1 s, or TQDM_MININTERVAL), so a fast run
    prints only the opening and closing states.
    """

    def __init__(self, stream, total: int, desc: str = "", disable: bool = False) -> None:
        self.stream, self.total, self.desc, self.disable = stream, total, desc, disable
        self.n = 0
        self.start = self.last_print = time.monotonic()
        self.last_len = 0
        self.mininterval = float(os.environ.get("TQDM_MININTERVAL", "0.1") or 0.1)
        self.ncols = screen_columns(stream)
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        self.charset = " \u258f\u258e\u258d\u258c\u258b\u258a\u2589\u2588" if "utf" in encoding else " 123456789#"
        self._draw()

    def update(self, n: int = 1) -> None:
        self.n += n
        if not self.disable and time.monotonic() - self.last_print >= self.mininterval:
            self._draw()

    def close(self) -> None:
        if not self.disable:
            self._draw()
            self.stream.write("\n")
            self.stream.flush()

    def meter(self, elapsed: float) -> str:
        rate = self.n / elapsed if elapsed > 0 and self.n else None
        if rate is None:
            rate_fmt = "?it/s"
        elif rate < 1:
            rate_fmt = f"{1 / rate:5.2f}s/it"
        else:
            rate_fmt = f"{rate:5.2f}it/s"
        if not self.total:  # tqdm treats a zero total as unknown: no percentage, no bar
            return (f"{self.desc}: " if self.desc else "") + f"{self.n}it [{format_interval(elapsed)}, {rate_fmt}]"
        remaining = format_interval((self.total - self.n) / rate) if rate else "?"
        frac = self.n / self.total
        l_bar = (f"{self.desc}: " if self.desc else "") + f"{frac * 100:3.0f}%|"
        r_bar = f"| {self.n}/{self.total} [{format_interval(elapsed)}<{remaining}, {rate_fmt}]"
        width = max(1, self.ncols - len(l_bar) - len(r_bar)) if self.ncols else 10
        full, part = divmod(int(frac * width * 8), 8)
        bar = self.charset[-1] * full
        if full < width:
            bar += self.charset[part] + " " * (width - full - 1)
        return l_bar + bar + r_bar

    def _draw(self) -> None:
        if self.disable:
            return
        self.last_print = time.monotonic()
        text = self.meter(self.last_print - self.start)
        self.stream.write("\r" + text + " " * max(self.last_len - len(text), 0))
        self.stream.flush()
        self.last_len = len(text)


def _short_time(seconds: float) -> str:
    if seconds < 0 or math.isnan(seconds):
        return "?"
    if seconds < 60:
        return f"{seconds:.0f}s"
    if seconds < 3600:
        m, s = divmod(int(seconds), 60)
        return f"{m}m{s:02d}s"
    h, rest = divmod(int(seconds), 3600)
    return f"{h}h{rest // 60:02d}m"


class LogProgress:
    """lmms-eval's batch-mode progress (vllm/sglang models when stderr is not a TTY): periodic INFO lines."""

    def __init__(self, log, total: int, desc: str, interval: float, rank: int = 0, disable: bool = False) -> None:
        self.log, self.total, self.desc, self.interval, self.rank, self.disable = log, total, desc, interval, rank, disable
        self.n = 0
        self.start = time.monotonic()
        self.last = 0.0
        self.origin = "lmms_eval.models.model_utils.progress:update:76"

    def update(self, n: int = 1) -> None:
        self.n += n
        now = time.monotonic()
        if self.disable or (self.n < self.total and now - self.last < self.interval):
            return
        self.last = now
        elapsed = now - self.start
        speed = self.n / elapsed if elapsed > 0 else 0
        eta = (self.total - self.n) / speed if speed > 0 else 0
        pct = 100 * self.n / self.total if self.total else 0
        self.log("INFO", self.origin, f"[rank {self.rank}] {self.desc}: {self.n}/{self.total} ({pct:.1f}%) | "
                 f"{speed:.2f} it/s | elapsed {_short_time(elapsed)} | ETA {_short_time(eta)}")

    def close(self) -> None:
        if not self.disable:
            elapsed = time.monotonic() - self.start
            speed = self.n / elapsed if elapsed > 0 else 0
            self.log("INFO", "lmms_eval.models.model_utils.progress:close:83",
                     f"[rank {self.rank}] {self.desc}: done {self.n}/{self.total} in {_short_time(elapsed)} ({speed:.2f} it/s)")


def _is_number(cell: str) -> bool:
    try:
        float(cell)
        return True
    except ValueError:
        return False


def markdown_table(headers: list, rows: list) -> str:
    """pytablewriter's markdown shape: centred headers, numbers right-aligned with a `:` rule, width >= 3."""
    cols = list(zip(*([headers] + rows))) if rows else [(h,) for h in headers]
    widths = [max(3, *(len(str(c)) for c in col)) for col in cols]
    numeric = [bool(rows) and all(_is_number(str(r[i])) for r in rows if str(r[i]).strip()) and
               any(str(r[i]).strip() for r in rows) for i in range(len(headers))]
    lines = ["|" + "|".join(f"{h:^{w}}" for h, w in zip(headers, widths)) + "|",
             "|" + "|".join("-" * (w - 1) + ":" if num else "-" * w for w, num in zip(widths, numeric)) + "|"]
    for row in rows:
        cells = [f"{str(c):>{w}}" if num else f"{str(c):<{w}}" for c, w, num in zip(row, widths, numeric)]
        lines.append("|" + "|".join(cells) + "|")
    return "\n".join(lines) + "\n"


def write_out(stream, text: str) -> None:
    """print() without a flush: tables reach a pipe late, as the real harnesses' block-buffered stdout does."""
    stream.write(text + "\n")
