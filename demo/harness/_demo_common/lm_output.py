"""lm-eval's results JSON shape and its end-of-run tables (harness-facts §5.2, §6.2)."""
from __future__ import annotations

import sys

from . import common, simulate, term

HIB = {True: "\u2191", False: "\u2193"}


def leaves(node) -> list:
    return [node] if node.kind == "task" else [leaf for child in node.children for leaf in leaves(child)]


def build_results(args, nodes: list, runs: dict) -> dict:
    """results (tasks and groups, with name/alias/sample_len), groups, group_subtasks, configs, versions, …"""
    tables: dict = {k: {} for k in ("results", "groups", "group_subtasks", "configs", "versions", "n-shot", "higher_is_better", "n-samples")}

    def visit(node, top: bool) -> list:
        if node.kind == "task":
            run = runs[node.name]
            shots = args.num_fewshot if args.num_fewshot is not None else int(node.config.get("num_fewshot") or 0)
            tables["results"][node.name] = {"name": node.name, "alias": str(node.config.get("task_alias") or node.name),
                                            "sample_len": run.effective, **run.values}
            tables["configs"][node.name] = common.jsonable_config({**node.config, "task": node.name, "num_fewshot": shots})
            tables["versions"][node.name] = common.version_of(node.config)
            tables["n-shot"][node.name] = shots
            tables["higher_is_better"][node.name] = {"bypass": True} if args.predict_only else dict(run.metrics)
            tables["n-samples"][node.name] = {"original": run.original, "effective": run.effective}
            if top:
                tables["group_subtasks"][node.name] = []
            return [run]
        entry = {"name": node.name, "alias": str(node.config.get("group_alias") or node.name)}
        tables["results"][node.name] = entry
        found = [run for child in node.children for run in visit(child, False)]
        agg = simulate.aggregate(node.config, found)
        if agg:
            entry.update(agg)
            entry["sample_count"] = {k: sum(r.effective for r in found) for k in agg if "_stderr" not in k}
            tables["groups"][node.name] = dict(entry)
            tables["higher_is_better"][node.name] = {k.split(",")[0]: True for k in agg if "_stderr" not in k}
        tables["group_subtasks"][node.name] = [c.name for c in node.children]
        tables["versions"][node.name] = common.version_of(node.config)
        return found

    for node in nodes:
        visit(node, True)
    if not tables["groups"]:
        del tables["groups"]
    return {"simulated": True, **tables}


def _order(results: dict, keys) -> list:
    """(key, depth) in lm-eval's hierarchical order: roots, each followed by its subtree from group_subtasks."""
    children = results.get("group_subtasks", {})
    nested = {c for kids in children.values() for c in kids}
    out: list = []

    def walk(name: str, depth: int) -> None:
        if name in keys and name not in (k for k, _ in out):
            out.append((name, depth))
        for child in children.get(name, []):
            walk(child, depth + 1)

    for name in results.get("group_subtasks", {}):
        if name not in nested:
            walk(name, 0)
    out.extend((k, 0) for k in keys if k not in (n for n, _ in out))
    return out


def _version(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "    N/A" if value is None else str(value)


def make_table(results: dict, column: str = "results") -> str:
    """`Tasks|Version|Filter|n-shot|Metric| |Value| |Stderr`; subtasks indented `<depth spaces>- name`."""
    rows = []
    for key, depth in _order(results, results[column]):
        entry = results[column][key]
        version = _version(results["versions"].get(key))
        shots = str(results.get("n-shot", {}).get(key, " "))
        hib = results.get("higher_is_better", {}).get(key, {})
        name = entry.get("alias", key)
        name = " " * depth + "- " + name if depth else name
        skip = {"alias", "name", "sample_len", "sample_count"}
        for metric_filter, value in sorted((k, v) for k, v in entry.items() if k not in skip):
            metric, _, filt = metric_filter.partition(",")
            if metric.endswith("_stderr"):
                continue
            shown = f"{value:.4f}" if isinstance(value, float) else value
            se_key = f"{metric}_stderr,{filt}"
            if se_key in entry:
                se = entry[se_key]
                rows.append([name, version, filt, shots, metric, HIB.get(hib.get(metric), ""), shown, "\u00b1",
                             "   N/A" if se == "N/A" else f"{se:.4f}"])
            else:
                rows.append([name, version, filt, shots, metric, HIB.get(hib.get(metric), ""), shown, "", ""])
            name, version = "", ""  # only the first row of a task names it
    headers = ["Groups" if column == "groups" else "Tasks", "Version", "Filter", "n-shot", "Metric", "", "Value", "", "Stderr"]
    return term.markdown_table(headers, rows)


def print_tables(args, model: str, model_args: dict, results: dict) -> None:
    out = sys.stdout
    gen = args.gen_kwargs or {}
    term.write_out(out, f"{model} ({model_args}), gen_kwargs: ({gen}), limit: {args.limit}, "
                        f"num_fewshot: {args.num_fewshot}, batch_size: {args.batch_size}")
    term.write_out(out, make_table(results))
    if "groups" in results:
        term.write_out(out, make_table(results, "groups"))
