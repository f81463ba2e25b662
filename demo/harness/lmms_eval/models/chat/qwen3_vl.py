"""Demo stand-in for lmms-eval's `qwen3_vl` chat model class: it loads nothing; the demo harness simulates outputs."""


class Qwen3_VL:
    is_simple = False
