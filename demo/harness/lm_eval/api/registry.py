"""A minimal model registry for the demo lm_eval package: names → "module:Class" targets (lazy, as in lm-eval)."""


class Registry:
    def __init__(self) -> None:
        self._targets: dict = {}

    def register(self, name: str, target: str) -> None:
        self._targets[name] = target

    def keys(self):
        return self._targets.keys()

    def __contains__(self, name: str) -> bool:
        return name in self._targets

    def get(self, name: str) -> str:
        return self._targets[name]


model_registry = Registry()


def get_model(model_name: str) -> str:
    if not model_registry.keys():
        import lm_eval.models  # noqa: F401  (registers MODEL_MAPPING)
    if model_name not in model_registry:
        raise ValueError(
            f"Attempted to load model '{model_name}', but no model for this name found! "
            f"Supported model names: {', '.join(sorted(model_registry.keys()))}"
        )
    return model_registry.get(model_name)
