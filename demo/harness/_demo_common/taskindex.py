"""The demo's task index, following each real harness's discovery rules (harness-facts §1).

The two harnesses disagree on several details (include order, duplicate handling, root precedence, the legacy
`group:` key on a task), and our discovery code has to get each one right, so the demo follows them rather
than inventing a third set. One liberty: a file this stdlib YAML reader cannot parse is skipped with a DEBUG
line, where real lmms-eval would crash.
"""
from __future__ import annotations

import fnmatch
import os

from . import miniyaml

LMMS = "lmms"
LM = "lm"
_PRUNE = {"__pycache__", ".ipynb_checkpoints"}


class Entry:
    """One registered name: kind is task, group, tag or python_task; members for groups (raw list) and tags."""

    def __init__(self, name: str, kind: str, yaml_path, members=None) -> None:
        self.name = name
        self.kind = kind
        self.yaml_path = yaml_path
        self.members = members if members is not None else []


class Node:
    """A runnable piece of a request: a task with its config, or a group with children."""

    def __init__(self, name: str, kind: str, config: dict, children=None) -> None:
        self.name = name
        self.kind = kind
        self.config = config
        self.children = children or []


def load_config(path: str, flavour: str, _stack: tuple = ()) -> dict:
    """Load one YAML with its `include:` chain merged the way the flavour's harness merges it."""
    if path in _stack:
        raise ValueError(f"include cycle through {path}")
    cfg = miniyaml.load_file(path)
    if not isinstance(cfg, dict):
        raise ValueError(f"{path}: the file's root is not a mapping")
    includes = cfg.pop("include", None)
    if includes is None:
        return cfg
    if isinstance(includes, str):
        includes = [includes]
    base = os.path.dirname(path)
    merged: dict = {}
    # lmms-eval merges the list reversed, so the first include wins; lm-eval merges in order, so the last wins.
    for inc in reversed(includes) if flavour == LMMS else includes:
        if flavour == LMMS:
            # lmms-eval tries the value relative to the process's working directory first.
            inc_path = inc if os.path.isfile(inc) else os.path.join(base, inc)
        else:
            inc_path = inc if os.path.isabs(inc) else os.path.join(base, inc)
        sub = load_config(inc_path, flavour, _stack + (path,))
        if flavour == LM:
            sub.pop("task_list", None)
        merged.update(sub)
    merged.update(cfg)
    return merged


def _yaml_files(root: str, flavour: str):
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in _PRUNE)
        found.extend(os.path.join(dirpath, f) for f in sorted(filenames) if f.endswith(".yaml"))
    if flavour == LM:
        found.sort(key=lambda p: p.replace(os.sep, "/"))
    return found


def _as_list(value) -> list:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _index_root(root: str, flavour: str, log) -> dict:
    out: dict = {}
    for path in _yaml_files(root, flavour):
        try:
            cfg = load_config(path, flavour)
        except (OSError, ValueError) as e:
            log("DEBUG", f"Skip {path}: {e}")
            continue
        task = cfg.get("task")
        if flavour == LMMS:
            if "class" in cfg and isinstance(task, str):
                out[task] = Entry(task, "python_task", path)
            elif isinstance(task, list) and isinstance(cfg.get("group"), str):
                out[cfg["group"]] = Entry(cfg["group"], "group", path, task)
            elif isinstance(task, str):
                out[task] = Entry(task, "task", path)
                # Both `tag:` and the legacy `group:` key of a plain task register tags in lmms-eval.
                for key in ("tag", "group"):
                    for tag in _as_list(cfg.get(key)):
                        if tag in out and out[tag].kind != "tag":
                            log("WARNING", f"The tag '{tag}' is already registered as a group or task; skipping.")
                            break
                        out.setdefault(tag, Entry(tag, "tag", None)).members.append(task)
            else:
                log("DEBUG", f"File {path} could not be loaded as a task or group")
        else:
            if "class" in cfg or ("group" not in cfg and isinstance(task, str)):
                kind = "python_task" if "class" in cfg else "task"
                if not isinstance(task, str):
                    continue
                if task in out:
                    log("WARNING", f"Duplicate task name '{task}' in {path}; keeping {out[task].yaml_path}")
                    continue
                out[task] = Entry(task, kind, path)
                for tag in _as_list(cfg.get("tag")):
                    out.setdefault(tag, Entry(tag, "tag", None)).members.append(task)
            elif "group" in cfg:
                name = cfg["group"]
                if name not in out:
                    out[name] = Entry(name, "group", path, _as_list(task))
            else:
                log("DEBUG", f"Unknown config shape in {path}")
    return out


def build_index(flavour: str, roots: list, log=lambda level, msg: None) -> dict:
    """Index each root, then merge: lmms-eval keeps the earliest root's entry, lm-eval the latest's."""
    index: dict = {}
    for root in roots:
        part = _index_root(root, flavour, log)
        if flavour == LMMS:
            part.update(index)
            index = part
        else:
            for name, entry in part.items():
                if name in index:
                    log("WARNING", f"'{name}' from {entry.yaml_path} overrides {index[name].yaml_path}")
                index[name] = entry
    return index


def match(index: dict, patterns: list) -> list:
    """fnmatch each pattern against every name (case-sensitive, as on POSIX); sorted and de-duplicated."""
    names = set()
    for pattern in patterns:
        names.update(n for n in index if fnmatch.fnmatchcase(n, pattern))
    return sorted(names)


def expand(index: dict, item, flavour: str) -> list:
    """Nodes for one selected name (or inline config dict): a task, a group's tree, or a tag's tasks."""
    if isinstance(item, dict):
        return [Node(str(item.get("task")), "task", item)]
    entry = index[item]
    if entry.kind in ("task", "python_task"):
        return [Node(item, "task", load_config(entry.yaml_path, flavour))]
    if entry.kind == "tag":
        members = sorted(entry.members) if flavour == LM else entry.members
        return [node for m in members for node in expand(index, m, flavour)]
    cfg = load_config(entry.yaml_path, flavour)
    children: list = []
    for member in _as_list(cfg.get("task")):
        if isinstance(member, dict) and isinstance(member.get("task"), str) and member["task"] in index:
            # `- task: name` with overrides: the named task's config, updated with the overrides.
            for node in expand(index, member["task"], flavour):
                node.config = {**node.config, **member}
                children.append(node)
        elif isinstance(member, dict):
            children.append(Node(str(member.get("task")), "task", dict(member)))
        elif member in index:
            children.extend(expand(index, member, flavour))
        else:
            raise ValueError(f"Group '{item}' lists '{member}', which is not a known task, group or tag")
    return [Node(item, "group", cfg, children)]


def display_path(path, package: str) -> str:
    """Shorten a config path to `<package>/tasks/…` the way the harnesses' list tables do."""
    if path is None:
        return "---"
    marker = f"{package}/tasks/"
    text = str(path).replace(os.sep, "/")
    return marker + text.split(marker)[-1] if marker in text else text
