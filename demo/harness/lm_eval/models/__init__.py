"""Model implementations of the demo lm_eval package (all simulated by the demo harness).

Static discovery reads MODEL_MAPPING below without importing anything (harness-facts §2).
"""

MODEL_MAPPING = {
    "demo": "lm_eval.models.demo:DemoLM",
    "dummy": "lm_eval.models.dummy:DummyLM",
    "hf": "lm_eval.models.huggingface:HFLM",
    "hf-auto": "lm_eval.models.huggingface:HFLM",
    "huggingface": "lm_eval.models.huggingface:HFLM",
    "local-chat-completions": "lm_eval.models.openai_completions:LocalChatCompletion",
    "openai-chat-completions": "lm_eval.models.openai_completions:OpenAIChatCompletion",
    "vllm": "lm_eval.models.vllm_causallms:VLLM",
}


def _register_all_models():
    """Register all known models lazily in the registry."""
    from lm_eval.api.registry import model_registry

    for name, path in MODEL_MAPPING.items():
        if name not in model_registry:
            model_registry.register(name, target=path)


_register_all_models()

__all__ = ["MODEL_MAPPING"]
