"""A stand-in worker process (think vLLM engine core or an accelerate rank), started by the demo harness.

It does nothing but wait. With LMMS_DEMO_IGNORE_TERM it ignores SIGTERM, and it never watches its parent,
so it outlives a parent that is killed alone: only a stop that signals the whole process group ends it.
LMMS_DEMO_CHILD_LIFETIME caps its life (seconds) so a forgotten one cannot linger on a machine for ever.
Kept free of other imports so it starts in a few milliseconds.
"""
import os
import signal
import sys
import time

if os.environ.get("LMMS_DEMO_IGNORE_TERM", "") not in ("", "0"):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)

# A terminal's Ctrl-C reaches the whole group; leave quietly instead of printing a traceback.
signal.signal(signal.SIGINT, lambda *_: sys.exit(130))

deadline = time.monotonic() + float(os.environ.get("LMMS_DEMO_CHILD_LIFETIME") or 3600)
while time.monotonic() < deadline:
    time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))
