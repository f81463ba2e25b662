"""Task registry of the demo lmms_eval package: the YAML tree beside this file, indexed by lmms-eval's rules."""
from _demo_common.taskindex import LMMS, build_index


class TaskManager:
    """A small stand-in for lmms-eval's TaskManager (names and kinds only; nothing is loaded)."""

    def __init__(self, verbosity="INFO", include_path=None, **_kwargs) -> None:
        import os

        roots = [os.path.dirname(os.path.abspath(__file__))]
        if include_path:
            roots.extend([include_path] if isinstance(include_path, str) else include_path)
        self._index = build_index(LMMS, roots)
        self.all_tasks = sorted(self._index)
        self.all_groups = sorted(n for n, e in self._index.items() if e.kind == "group")
        self.all_tags = sorted(n for n, e in self._index.items() if e.kind == "tag")
        self.all_subtasks = sorted(n for n, e in self._index.items() if e.kind in ("task", "python_task"))
