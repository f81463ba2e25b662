"""Demo stand-in for lmms-eval's `demo` chat model class: it loads nothing; the demo harness simulates outputs."""


class DemoChat:
    is_simple = False
