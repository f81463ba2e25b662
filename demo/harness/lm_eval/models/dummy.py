"""Demo stand-in for lm-eval's `dummy` module: it loads nothing; the demo harness simulates outputs."""


class DummyLM:
    pass
