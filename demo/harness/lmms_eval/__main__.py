"""`python -m lmms_eval` for the demo harness: lmms-eval's command line, with simulated results.

Like the real entry point it exits 0 after the dispatcher returns, even when an evaluation failed.
"""
import sys

if __name__ == "__main__":
    from _demo_common.lmms_cli import main

    main()
    sys.exit(0)
