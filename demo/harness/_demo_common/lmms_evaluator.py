"""lmms-eval's simple_evaluate, simulated: request phase, metrics, results JSON and the files it saves."""
from __future__ import annotations

import hashlib
import json
import os
import sys
import time

from . import common, knobs as knobs_mod, simulate, taskindex, term

EVALUATOR = "lmms_eval.evaluator"
TRACKER = "lmms_eval.loggers.evaluation_tracker"


def simple_evaluate(args, index: dict, selected: list, log, knobs, first: bool):
    start = time.perf_counter()
    datetime_str = common.timestamp(args.timezone)  # taken before the run: the file name shows the start time
    seed_names = ("Setting random seed to {}", "Setting numpy seed to {}", "Setting torch manual seed to {}")
    seeds = [text.format(s) for text, s in zip(seed_names, args.seed) if s is not None]
    if seeds:
        log("INFO", f"{EVALUATOR}:simple_evaluate:360", " | ".join(seeds))
    if not selected:
        raise AssertionError("No tasks specified, or no tasks found. Please verify the task names.")
    if args.gen_kwargs:
        log("WARNING", f"{EVALUATOR}:simple_evaluate:368",
            "generation_kwargs specified through cli, these settings will be used over set parameters in yaml tasks.")
    from lmms_eval.models import MODEL_REGISTRY_V2

    model_id, kind, class_path = MODEL_REGISTRY_V2.resolve(args.model, args.force_simple)
    log("INFO", f"lmms_eval.models.{kind}.{model_id}:__init__:61",
        f"Loading {model_id} ({kind}) with model_args '{args.model_args}' (simulated: no weights are loaded)")
    if knobs.hang and first:
        knobs_mod.hang_forever()
    rank, local_rank = int(os.environ.get("RANK") or 0), int(os.environ.get("LOCAL_RANK") or 0)
    log("INFO", f"{EVALUATOR}:evaluate:906", f"Running on rank {rank} (local rank {local_rank})")

    nodes = [node for item in selected for node in taskindex.expand(index, item, taskindex.LMMS)]
    runs: dict = {}
    for node in nodes:
        for leaf in _leaves(node):
            if leaf.name not in runs:
                runs[leaf.name] = simulate.TaskRun(leaf.name, leaf.config, knobs.docs, args.limit, args.offset, "lmms")
    quiet = rank != 0  # bars on other ranks are disabled, as in the real harness
    for run in runs.values():
        log("INFO", "lmms_eval.api.task:build_all_requests:471", f"Building contexts for {run.name} on rank {rank}...")
        bar = term.Bar(sys.stderr, run.effective, "", quiet)
        bar.update(run.effective)
        bar.close()

    line_progress = model_id in ("vllm", "sglang") and (os.environ.get("SLURM_JOB_ID") or not sys.stderr.isatty())

    def make_bar(_reqtype: str, total: int):
        if line_progress:  # these backends log progress lines when stderr is not a terminal (§6.1)
            return term.LogProgress(log, total, "Model Responding", knobs.progress_interval, rank, quiet)
        return term.Bar(sys.stderr, total, "Model Responding", quiet)

    def fail() -> None:
        raise common.simulated_failure(knobs.fail)

    simulate.run_requests(list(runs.values()), lambda reqtype: log("INFO", f"{EVALUATOR}:evaluate:1059", f"Running {reqtype} requests"),
                          make_bar, knobs.pace, fail if knobs.fail in ("exit0", "exit1") else None)
    for run in runs.values():
        bar = term.Bar(sys.stderr, run.effective, "Postprocessing", quiet)
        for _ in range(run.effective):
            if knobs.pace > 0:
                time.sleep(knobs.pace / 5)
            bar.update()
        bar.close()
    if quiet or knobs.fail == "noresults":
        return None  # rank != 0 builds no results; nothing is printed or saved, and nothing says so

    model_name = common.lmms_model_name(args.model_args)
    model_key = f"{model_id}|{model_name}"
    for run in runs.values():
        run.score(model_key, args.predict_only)
    results = _results(args, nodes, runs)
    results["config"] = {
        "model": args.model, "model_args": args.model_args, "model_backend": f"{class_path} ({kind})",
        "batch_size": args.batch_size, "batch_sizes": [], "device": args.device, "use_cache": args.use_cache,
        "limit": args.limit, "offset": args.offset, "bootstrap_iters": 100000, "gen_kwargs": args.gen_kwargs,
        "random_seed": args.seed[0], "numpy_seed": args.seed[1], "torch_seed": args.seed[2], "fewshot_seed": args.seed[3],
        "resolved_cli_args": {k: v for k, v in vars(args).items() if isinstance(v, (str, int, float, bool, list, type(None)))},
    }
    results.update({"git_hash": "demo", "git_branch": "demo", "lmms_eval_version": "demo@simulated", "date": datetime_str, "usage": {}})
    if args.show_config:
        print(json.dumps(results, indent=4, default=str))
    if args.output_path:
        _save(args, results, runs, model_key, model_name, datetime_str, start, log)
    else:
        log("INFO", f"{TRACKER}:save_results_aggregated:239", "Output path not provided, skipping saving results aggregated")
    return results


def _leaves(node) -> list:
    return [node] if node.kind == "task" else [leaf for child in node.children for leaf in _leaves(child)]


def _results(args, nodes: list, runs: dict) -> dict:
    """results / groups / group_subtasks / configs / versions / n-shot / higher_is_better / n-samples."""
    out = {"simulated": True}
    tables: dict = {k: {} for k in ("results", "groups", "group_subtasks", "configs", "versions", "n-shot", "higher_is_better", "n-samples")}

    def visit(node, depth: int) -> list:
        tab = " " * depth + "- " if depth else ""  # lmms-eval stores the hierarchy in the alias
        if node.kind == "task":
            run = runs[node.name]
            if node.name in tables["results"]:
                return [run]
            shots = args.num_fewshot if args.num_fewshot is not None else int(node.config.get("num_fewshot") or 0)
            entry = {"alias": tab + str(node.config.get("task_alias") or node.name), **run.values}
            # lmms-eval 0.7.3 also writes a CLT and a clustered stderr per metric (the latter "N/A"
            # unless the task declares clusters); lmms-tui hides both from the metrics.
            for key in [k for k in run.values if "," in k and "_stderr" not in k]:
                metric, filt = key.split(",", 1)
                entry[f"{metric}_stderr_clt,{filt}"] = run.values.get(f"{metric}_stderr,{filt}", "N/A")
                entry[f"{metric}_stderr_clustered,{filt}"] = "N/A"
            tables["results"][node.name] = entry
            tables["configs"][node.name] = common.jsonable_config({**node.config, "task": node.name, "num_fewshot": shots})
            tables["versions"][node.name] = common.version_of(node.config)
            tables["n-shot"][node.name] = shots
            tables["higher_is_better"][node.name] = {"bypass": True} if args.predict_only else dict(run.metrics)
            tables["n-samples"][node.name] = {"original": run.original, "effective": run.reported_effective}
            if depth == 0:
                tables["group_subtasks"][node.name] = []
            return [run]
        entry = {"alias": tab + str(node.config.get("group_alias") or node.name)}
        tables["results"][node.name] = entry  # before the children, so the table lists the group first
        leaves = [run for child in node.children for run in visit(child, depth + 1)]
        entry.update(simulate.aggregate(node.config, leaves))
        if len(entry) > 1:
            tables["groups"][node.name] = dict(entry)
            tables["higher_is_better"][node.name] = {k.split(",")[0]: True for k in entry if "," in k and "_stderr" not in k}
        else:
            entry[" "] = " "  # the real placeholder of a group without aggregate metrics
        tables["group_subtasks"][node.name] = [c.name for c in node.children]
        tables["versions"][node.name] = common.version_of(node.config)
        return leaves

    for node in nodes:
        visit(node, 0)
    if not tables["groups"]:
        del tables["groups"]
    out.update(tables)
    return out


def _efficiency(runs: dict) -> dict:
    """lmms-eval 0.7.3's token accounting block (`efficiency`: by_task and overall); the demo counts
    docs and, generating no tokens, zeros for the token fields."""

    def block(docs: int) -> dict:
        return {"docs": float(docs), "docs_with_token_counts": 0.0, "total_input_tokens": 0.0, "total_output_tokens": 0.0,
                "total_tokens": 0.0, "total_correct_score": 0.0, "avg_output_tokens_per_sample": 0.0, "tokens_per_correct_answer": 0.0}

    return {"by_task": {run.name: block(run.effective) for run in runs.values()}, "overall": block(sum(r.effective for r in runs.values()))}


def _save(args, results: dict, runs: dict, model_key: str, model_name: str, datetime_str: str, start: float, log) -> None:
    log("INFO", f"{TRACKER}:save_results_aggregated:186", "Saving results aggregated")
    sub = common.lmms_model_dir(args.model_args)
    folder = os.path.join(args.output_path, sub) if sub else args.output_path  # no model name: straight into output_path
    hashes = {}
    if args.log_samples:
        for run in runs.values():
            doc_hashes = "".join(f"sample_{i}" + common.sample_record(run, i, model_key, "lmms")["doc_hash"] for i in range(run.effective))
            hashes[run.name] = hashlib.sha256(doc_hashes.encode()).hexdigest()
    end = time.perf_counter()
    instruction = args.system_instruction
    results.update({
        "task_hashes": hashes, "model_source": args.model, "model_name": model_name,
        "model_name_sanitized": sub, "system_instruction": instruction,
        "system_instruction_sha": hashlib.sha256(instruction.encode()).hexdigest() if instruction else None,
        "fewshot_as_multiturn": args.fewshot_as_multiturn, "chat_template": None, "chat_template_sha": None,
        "start_time": start, "end_time": end, "total_evaluation_time_seconds": str(end - start),
        "efficiency": _efficiency(runs),
    })
    try:
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, f"{datetime_str}_results.json"), "w", encoding="utf-8") as f:
            f.write(json.dumps(results, indent=2, default=str, ensure_ascii=False))
    except OSError as e:
        log("WARNING", f"{TRACKER}:save_results_aggregated:236", "Could not save results aggregated")
        log("INFO", f"{TRACKER}:save_results_aggregated:237", repr(e))
        return
    if args.log_samples:
        for run in runs.values():
            path = os.path.join(folder, f"{datetime_str}_samples_{run.name}.jsonl")
            common.write_samples(path, run, model_key, "lmms")
            log("INFO", f"{TRACKER}:save_results_samples:300", f"Saving samples to {path}")
