"""Demo stand-in for lmms-eval's `llava_onevision` simple model class: it loads nothing; the demo harness simulates outputs."""


class Llava_OneVision:
    is_simple = True
