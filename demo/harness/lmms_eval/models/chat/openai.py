"""Demo stand-in for lmms-eval's `openai` chat model class: it loads nothing; the demo harness simulates outputs."""


class OpenAICompatible:
    is_simple = False
