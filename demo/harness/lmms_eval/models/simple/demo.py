"""Demo stand-in for lmms-eval's `demo` simple model class: it loads nothing; the demo harness simulates outputs."""


class DemoSimple:
    is_simple = True
