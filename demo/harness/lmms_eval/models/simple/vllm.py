"""Demo stand-in for lmms-eval's `vllm` simple model class: it loads nothing; the demo harness simulates outputs."""


class VLLM:
    is_simple = True
