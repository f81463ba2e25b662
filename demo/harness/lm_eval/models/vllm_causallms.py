"""Demo stand-in for lm-eval's `vllm_causallms` module: it loads nothing; the demo harness simulates outputs."""


class VLLM:
    pass
