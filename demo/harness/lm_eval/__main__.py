"""`python -m lm_eval` for the demo harness: lm-eval's command line, with simulated results."""
import lm_eval  # noqa: F401  (like the real package: fails without an installed lm_eval distribution)

from _demo_common.lm_cli import main


def cli_evaluate() -> None:
    main()


if __name__ == "__main__":
    main()
