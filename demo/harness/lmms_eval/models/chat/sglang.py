"""Demo stand-in for lmms-eval's `sglang` chat model class: it loads nothing; the demo harness simulates outputs."""


class Sglang:
    is_simple = False
