"""Demo stand-in for lm-eval's `openai_completions` module: it loads nothing; the demo harness simulates outputs."""


class LocalChatCompletion:
    pass


class OpenAIChatCompletion:
    pass
