import importlib.metadata

# Like the real package: needs an installed distribution (here the lm_eval-*.dist-info beside it).
__version__ = importlib.metadata.version("lm_eval")


def __getattr__(name):
    if name in ("evaluate", "simple_evaluate"):
        raise AttributeError(f"the demo lm_eval has no Python API ({name}); run `python -m lm_eval`")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["__version__"]
