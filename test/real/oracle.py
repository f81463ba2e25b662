"""Prints what a real harness's own TaskManager (or model registry) holds, as JSON, for
test/real/discovery.test.ts.

Run with the harness's venv python:
  python oracle.py tasks lm-eval|lmms-eval [INCLUDE_PATH...]
    {"version": ..., "roots": [...], "names": {name: {"type", "yaml_path", "members"}}}: yaml_path is the
    real absolute path (null for tags); members are a group's `task:` list (names of inline entries) or a
    tag's member tasks, sorted.
  python oracle.py models lm-eval|lmms-eval
    {name: {"aliases": [...], "kind": ..., "target": ...}}: every name --model accepts.
"""
import importlib.metadata
import json
import os
import sys


def rel(path, roots):
    if path is None or path == -1:
        return None
    return os.path.realpath(str(path))


def group_members(items):
    """Member names as the harness's group builder reads them: a dict entry with a `group` key is a
    subgroup named by it, any other dict names its task."""
    if isinstance(items, str):
        items = [items]
    out = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict):
            name = item["group"] if "group" in item else item.get("task")
            if isinstance(name, str):
                out.append(name)
    return out


def lm_eval(include):
    from lm_eval.tasks import TaskManager
    from lm_eval.tasks._index import Kind

    tm = TaskManager(include_path=include or None)
    kinds = {Kind.TASK: "task", Kind.PY_TASK: "python_task", Kind.GROUP: "group", Kind.TAG: "tag"}
    import lm_eval.tasks as pkg

    roots = [os.path.dirname(pkg.__file__)] + include
    names = {}
    for name, entry in tm.task_index.items():
        kind = kinds[entry.kind]
        info = {"type": kind, "yaml_path": rel(entry.yaml_path, roots) if kind != "tag" else None}
        if kind == "tag":
            info["members"] = sorted(entry.tags)
        elif kind == "group":
            info["members"] = group_members((entry.cfg or {}).get("task"))
        names[name] = info
    # The public lists must say the same as the index they come from.
    assert sorted(names) == tm.all_tasks
    assert sorted(n for n, i in names.items() if i["type"] == "group") == tm.all_groups
    assert sorted(n for n, i in names.items() if i["type"] == "tag") == tm.all_tags
    return importlib.metadata.version("lm_eval"), roots, names


def lmms_eval(include):
    from lmms_eval.tasks import TaskManager
    from lmms_eval.utils import load_yaml_config

    tm = TaskManager(include_path=include or None)
    import lmms_eval.tasks as pkg

    roots = [os.path.dirname(pkg.__file__)] + include
    names = {}
    for name, entry in tm.task_index.items():
        kind = entry["type"]
        info = {"type": kind, "yaml_path": rel(entry.get("yaml_path"), roots) if kind != "tag" else None}
        if kind == "tag":
            info["members"] = sorted(entry["task"])
        elif kind == "group":
            info["members"] = group_members(load_yaml_config(entry["yaml_path"], mode="simple").get("task"))
        names[name] = info
    assert sorted(names) == sorted(tm.all_tasks)
    return importlib.metadata.version("lmms_eval"), roots, names


def lm_eval_models():
    import lm_eval.models  # noqa: F401  (registers MODEL_MAPPING's placeholders)
    from lm_eval.api.registry import model_registry

    targets = {name: model_registry._objs[name] for name in model_registry.keys()}
    # Names on one class are aliases of each other (lm-eval has no other notion of alias).
    key = {name: t if isinstance(t, str) else f"{t.__module__}:{t.__qualname__}" for name, t in targets.items()}
    return {
        name: {"aliases": sorted(n for n in key if n != name and key[n] == key[name]), "target": key[name]}
        for name in key
    }


def lmms_eval_models():
    import lmms_eval.models as m

    out = {}
    for model_id in m.list_available_models(False):
        man = m.get_model_manifest(model_id)
        kind = "chat+simple" if man.chat_class_path and man.simple_class_path else "chat" if man.chat_class_path else "simple"
        out[model_id] = {"aliases": sorted(man.aliases), "kind": kind}
    return out


if __name__ == "__main__":
    what, harness, include = sys.argv[1], sys.argv[2], sys.argv[3:]
    if what == "models":
        json.dump(lm_eval_models() if harness == "lm-eval" else lmms_eval_models(), sys.stdout)
    else:
        version, roots, names = (lm_eval if harness == "lm-eval" else lmms_eval)(include)
        json.dump({"version": version, "roots": roots, "names": names}, sys.stdout)
