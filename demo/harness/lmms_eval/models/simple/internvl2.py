"""Demo stand-in for lmms-eval's `internvl2` simple model class: it loads nothing; the demo harness simulates outputs."""


class InternVL2:
    is_simple = True
