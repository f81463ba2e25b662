"""Model registry of the demo lmms_eval package, in the real file's format.

Static discovery reads the three dict literals below without importing anything, as it does for a real
install (harness-facts §2). Importing this module stays stdlib-only (the real one needs loguru), and the
small registry at the bottom answers the same calls the real one does for a light dynamic probe.
"""
from __future__ import annotations

import importlib

AVAILABLE_SIMPLE_MODELS = {
    "demo": "DemoSimple",
    "internvl2": "InternVL2",
    "llava": "Llava",
    "llava_onevision": "Llava_OneVision",
    "openai": "OpenAICompatible",
    "qwen2_5_vl": "Qwen2_5_VL",
    "vllm": "VLLM",
}

AVAILABLE_CHAT_TEMPLATE_MODELS = {
    "demo": "DemoChat",
    "demo_chat": "DemoChat",
    "openai": "OpenAICompatible",
    "qwen2_5_vl": "Qwen2_5_VL",
    "qwen3_vl": "Qwen3_VL",
    "sglang": "Sglang",
    "vllm": "VLLM",
}

MODEL_ALIASES: dict[str, tuple[str, ...]] = {
    "demo_chat": ("demo_chat_model",),
    "openai": ("openai_compatible", "openai_compatible_chat"),
}


def _build_class_path(model_name: str, model_type: str, class_name: str) -> str:
    if "." in class_name:
        return class_name
    return f"lmms_eval.models.{model_type}.{model_name}.{class_name}"


class ModelManifest:
    def __init__(self, model_id: str, simple_class_path=None, chat_class_path=None, aliases=()) -> None:
        self.model_id = model_id
        self.simple_class_path = simple_class_path
        self.chat_class_path = chat_class_path
        self.aliases = tuple(aliases)

    def __repr__(self) -> str:
        return (
            f"ModelManifest(model_id={self.model_id!r}, simple_class_path={self.simple_class_path!r}, "
            f"chat_class_path={self.chat_class_path!r}, aliases={self.aliases!r})"
        )


class ModelRegistryV2:
    def __init__(self) -> None:
        self._manifests: dict = {}
        self._aliases: dict = {}

    def register_manifest(self, manifest: ModelManifest, overwrite: bool = False) -> None:
        if manifest.model_id in self._manifests and not overwrite:
            raise ValueError(f"Model '{manifest.model_id}' is already registered")
        self._manifests[manifest.model_id] = manifest
        for alias in manifest.aliases:
            self._aliases[alias] = manifest.model_id

    def list_canonical_model_ids(self) -> list:
        return sorted(self._manifests)

    def list_model_names(self) -> list:
        return sorted(set(self._manifests) | set(self._aliases))

    def get_manifest(self, model_name: str) -> ModelManifest:
        model_id = self._aliases.get(model_name, model_name)
        if model_id not in self._manifests:
            raise ValueError(f"Model '{model_name}' is not registered. Available models: {self.list_model_names()}")
        return self._manifests[model_id]

    def resolve(self, model_name: str, force_simple: bool = False):
        """(model_id, "chat" | "simple", class path): the chat class wins unless force_simple and a simple one exists."""
        manifest = self.get_manifest(model_name)
        if manifest.chat_class_path and not (force_simple and manifest.simple_class_path):
            return manifest.model_id, "chat", manifest.chat_class_path
        return manifest.model_id, "simple", manifest.simple_class_path

    def get_model_class(self, model_name: str, force_simple: bool = False):
        _, _, class_path = self.resolve(model_name, force_simple)
        module_name, class_name = class_path.rsplit(".", 1)
        return getattr(importlib.import_module(module_name), class_name)


def _initialize_model_registry() -> ModelRegistryV2:
    registry = ModelRegistryV2()
    for model_id in sorted(set(AVAILABLE_SIMPLE_MODELS) | set(AVAILABLE_CHAT_TEMPLATE_MODELS)):
        simple_class = AVAILABLE_SIMPLE_MODELS.get(model_id)
        chat_class = AVAILABLE_CHAT_TEMPLATE_MODELS.get(model_id)
        registry.register_manifest(
            ModelManifest(
                model_id=model_id,
                simple_class_path=_build_class_path(model_id, "simple", simple_class) if simple_class else None,
                chat_class_path=_build_class_path(model_id, "chat", chat_class) if chat_class else None,
                aliases=MODEL_ALIASES.get(model_id, ()),
            )
        )
    return registry


MODEL_REGISTRY_V2 = _initialize_model_registry()

AVAILABLE_MODELS = {
    model_id: (m.chat_class_path or m.simple_class_path).rsplit(".", 1)[-1]
    for model_id, m in ((i, MODEL_REGISTRY_V2.get_manifest(i)) for i in MODEL_REGISTRY_V2.list_canonical_model_ids())
}


def list_available_models(include_aliases: bool = False) -> list:
    if include_aliases:
        return MODEL_REGISTRY_V2.list_model_names()
    return MODEL_REGISTRY_V2.list_canonical_model_ids()


def get_model_manifest(model_name: str) -> ModelManifest:
    return MODEL_REGISTRY_V2.get_manifest(model_name)


def get_model(model_name: str, force_simple: bool = False) -> type:
    return MODEL_REGISTRY_V2.get_model_class(model_name, force_simple=force_simple)
