"""The LMMS_DEMO_* control knobs and the process behaviours they switch on (see demo/README.md).

These exist to exercise our engine against the hazards a real run has: a child that never exits, workers
that ignore SIGTERM and outlive their parent, a log flood, results that silently never appear.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

FAIL_MODES = ("exit1", "exit0", "noresults")


class KnobError(Exception):
    pass


def _number(env, name: str, default, cast):
    raw = env.get(name, "")
    if raw == "":
        return default
    try:
        value = cast(raw)
    except ValueError:
        raise KnobError(f"{name} must be a number (got {raw!r})") from None
    if value < 0:
        raise KnobError(f"{name} must not be negative (got {raw!r})")
    return value


class Knobs:
    def __init__(self, env=os.environ) -> None:
        self.pace = _number(env, "LMMS_DEMO_PACE", 0.05, float)
        self.docs = _number(env, "LMMS_DEMO_DOCS", 100, int)
        self.fail = env.get("LMMS_DEMO_FAIL") or None
        if self.fail is not None and self.fail not in FAIL_MODES:
            raise KnobError(f"LMMS_DEMO_FAIL must be one of {', '.join(FAIL_MODES)} (got {self.fail!r})")
        self.hang = env.get("LMMS_DEMO_HANG", "") not in ("", "0")
        self.ignore_term = env.get("LMMS_DEMO_IGNORE_TERM", "") not in ("", "0")
        self.children = _number(env, "LMMS_DEMO_CHILDREN", 0, int)
        self.flood = _number(env, "LMMS_DEMO_FLOOD", 0, int)
        self.flood_seconds = _number(env, "LMMS_DEMO_FLOOD_SECONDS", 5.0, float)
        self.echo_cuda = env.get("LMMS_DEMO_ECHO_CUDA", "") not in ("", "0")
        self.pidfile = env.get("LMMS_DEMO_PIDFILE") or None
        self.progress_interval = _number(env, "LMMS_DEMO_PROGRESS_INTERVAL", 30.0, float)
        self.child_lifetime = _number(env, "LMMS_DEMO_CHILD_LIFETIME", 3600.0, float)


def load_knobs() -> Knobs:
    """Read the knobs, or exit 2 with one clear line: a typo in a knob should not look like a harness result."""
    try:
        knobs = Knobs()
    except KnobError as e:
        sys.stderr.write(f"demo harness: {e}\n")
        sys.exit(2)
    if knobs.ignore_term:
        # Before anything else, so a SIGTERM sent as soon as the pidfile appears is already ignored.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    return knobs


class Workers:
    """Child processes standing in for vLLM / accelerate workers.

    They share our process group (no setsid), ignore SIGTERM when asked and outlive us if we are killed
    alone, which is exactly what a process-group stop must cope with. On a normal exit we reap them.
    """

    def __init__(self, knobs: Knobs) -> None:
        self.knobs = knobs
        self.procs: list = []

    def start(self) -> None:
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "child.py")
        env = dict(os.environ, LMMS_DEMO_CHILD_LIFETIME=str(self.knobs.child_lifetime))
        for i in range(self.knobs.children):
            self.procs.append(
                subprocess.Popen([sys.executable, script, str(i)], stdin=subprocess.DEVNULL, env=env, close_fds=True)
            )
        if self.knobs.pidfile:
            # Under a launcher every rank gets this knob: rank 0 keeps the path, rank N writes `<path>.rankN`,
            # so the ranks do not overwrite each other's lists.
            rank = os.environ.get("RANK") or "0"
            path = self.knobs.pidfile if rank == "0" else f"{self.knobs.pidfile}.rank{rank}"
            # Write then rename, so a reader never sees a partial list.
            tmp = f"{path}.{os.getpid()}.tmp"
            with open(tmp, "w") as f:
                f.write("".join(f"{pid}\n" for pid in [os.getpid()] + [p.pid for p in self.procs]))
            os.replace(tmp, path)

    def stop(self) -> None:
        # SIGKILL: the workers may be ignoring SIGTERM on purpose.
        for p in self.procs:
            if p.poll() is None:
                p.kill()
        for p in self.procs:
            p.wait()
        self.procs = []


def hang_forever() -> None:
    """Block until a signal ends the process (SIGINT raises KeyboardInterrupt, like a real hung run)."""
    while True:
        if hasattr(signal, "pause"):
            signal.pause()
        else:  # pragma: no cover - Windows
            time.sleep(3600)


def flood(stream, rate: int, seconds: float, line_for_second) -> None:
    """Write `rate` lines per second for `seconds`, in blocks: per-line writes could not reach 100k lines/s.

    line_for_second(t) returns a format string with one `%d` for a running counter, for the wall-clock
    second t (so timestamps in the lines stay true).
    """
    stream.flush()
    out = getattr(stream, "buffer", stream)
    start = time.monotonic()
    written = 0
    total = int(rate * seconds)
    while written < total:
        elapsed = time.monotonic() - start
        due = min(total, int(elapsed * rate) + max(1, rate // 100)) - written
        if due > 0:
            template = line_for_second(time.time())
            block = "".join(template % i for i in range(written, written + min(due, max(rate, 1000))))
            out.write(block.encode("utf-8", "replace") if out is not stream else block)
            out.flush()
            written += min(due, max(rate, 1000))
        else:
            time.sleep(0.005)
