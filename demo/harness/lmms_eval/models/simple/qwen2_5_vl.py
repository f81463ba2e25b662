"""Demo stand-in for lmms-eval's `qwen2_5_vl` simple model class: it loads nothing; the demo harness simulates outputs."""


class Qwen2_5_VL:
    is_simple = True
