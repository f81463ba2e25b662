"""Demo stand-in for lm-eval's `demo` module: it loads nothing; the demo harness simulates outputs."""


class DemoLM:
    pass
