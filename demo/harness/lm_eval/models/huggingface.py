"""Demo stand-in for lm-eval's `huggingface` module: it loads nothing; the demo harness simulates outputs."""


class HFLM:
    pass
