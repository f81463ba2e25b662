"""Demo stand-in for lmms-eval's `llava` simple model class: it loads nothing; the demo harness simulates outputs."""


class Llava:
    is_simple = True
