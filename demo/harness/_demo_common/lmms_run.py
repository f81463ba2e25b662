"""`python -m lmms_eval --model … --tasks …` in the demo: lmms-eval's evaluation flow, simulated.

The order of log lines, the failure handling (every evaluation error is caught and the process still exits 0
unless --verbosity DEBUG), the RANK hazard and the output layout follow lmms-eval (harness-facts §4-§6).
"""
from __future__ import annotations

import argparse
import os
import sys
import traceback

from . import common, knobs as knobs_mod, lmms_evaluator, lmms_output, lmms_parser, taskindex, term

TASKS_DIR = os.path.join(common.HARNESS_DIR, "lmms_eval", "tasks")
MAIN = "lmms_eval.__main__"


def cli_evaluate(argv: list) -> None:
    knobs = knobs_mod.load_knobs()
    parser, args = lmms_parser.parse(argv)
    if args.power_analysis:
        lmms_output.power_analysis(args)
        sys.exit(0)
    if args.verbosity not in term.LEVELS:
        raise ValueError(f"Level '{args.verbosity}' does not exist")  # loguru's own error, uncaught: exit 1
    log = term.Logger(sys.stdout, args.verbosity, term.loguru_line).log
    log("INFO", f"{MAIN}:cli_evaluate:497", f"Verbosity set to {args.verbosity}")
    log("INFO", f"{MAIN}:cli_evaluate:498", common.DEMO_NOTICE)
    common.cuda_lines(log, knobs, f"{MAIN}:cli_evaluate:499")
    for flag in ("wandb_args", "swanlab_args"):
        if getattr(args, flag):
            log("WARNING", f"{MAIN}:cli_evaluate:482", f"--{flag} is ignored by the demo harness (nothing is logged remotely)")
    args_list = _config_runs(parser, args, log) if args.config else [args]

    workers = knobs_mod.Workers(knobs)
    try:
        workers.start()  # where real lmms-eval creates its Accelerator and any worker processes
        if knobs.flood:
            knobs_mod.flood(sys.stdout, knobs.flood, knobs.flood_seconds, _flood_template)
        results_list = []
        for index, run_args in enumerate(args_list):
            try:
                results_list.append(evaluate_single(run_args, log, knobs, first=index == 0))
            except Exception as e:
                if run_args.verbosity == "DEBUG" or (knobs.fail == "exit1" and isinstance(e, common.OutOfMemoryError)):
                    raise
                traceback.print_exc()
                log("ERROR", f"{MAIN}:cli_evaluate:597",
                    f"Error during evaluation: {e}. Please set `--verbosity=DEBUG` to get more information.")
                results_list.append(None)
        for run_args, results in zip(args_list, results_list):
            if results is not None:
                lmms_output.print_tables(run_args, results)
    finally:
        workers.stop()


def _flood_template(now: float) -> str:
    line = term.loguru_line("INFO", "lmms_eval.models.chat.demo:generate_until:214",
                            "[flood] request {N} done: prompt_tokens=1536 completion_tokens=16 latency=0.142s", now)
    return line.replace("%", "%%").replace("{N}", "%d")


def _config_runs(parser, args, log) -> list:
    """--config: one mapping or a list of them; an `env:` section; CLI flags that differ from defaults win."""
    from . import miniyaml

    if not os.path.exists(args.config):
        raise ValueError(f"Config file does not exist: {args.config}")
    loaded = miniyaml.load_file(args.config)
    configs = loaded if isinstance(loaded, list) else [loaded]
    for config in configs:
        env = config.pop("env", None) or {}
        if not isinstance(env, dict):
            raise ValueError(f"'env' in config must be a dict, got {type(env).__name__}")
        for key, value in env.items():
            resolved = os.path.expandvars(str(value))
            os.environ[key] = resolved
            secret = any(s in key.upper() for s in ("KEY", "TOKEN", "SECRET", "PASSWORD"))
            log("INFO", f"{MAIN}:cli_evaluate:520", f"Config env: {key}={'*' * min(len(resolved), 8) if secret else resolved}")
    valid = {a.dest for a in parser._actions}
    for config in configs:
        unknown = set(config) - valid
        if unknown:
            raise ValueError(f"Unknown keys in config file: {sorted(unknown)}. Valid keys are: {sorted(valid - {'help'})}")
    defaults = parser.parse_args([])
    explicit = {k: v for k, v in vars(args).items() if v != getattr(defaults, k, None)}
    runs = []
    for config in configs:
        run = argparse.Namespace(**vars(defaults))
        for key, value in list(config.items()) + list(explicit.items()):
            setattr(run, key, value)
        runs.append(run)
    return runs


def _resolve_tasks(args, index: dict, log) -> list:
    """--tasks as lmms-eval reads it: a task directory, or comma items matched by fnmatch, or YAML files."""
    if os.path.isdir(args.tasks):
        import glob

        return [taskindex.load_config(p, taskindex.LMMS) for p in sorted(glob.glob(os.path.join(args.tasks, "*.yaml")))]
    task_list = args.tasks.split(",")
    names: list = taskindex.match(index, task_list)
    for item in [t for t in task_list if t not in names]:
        if os.path.isfile(item):
            names.append(taskindex.load_config(item, taskindex.LMMS))
    found = {n for n in names if isinstance(n, str)} | {n.get("task") for n in names if isinstance(n, dict)}
    # Items with a `*` that matched nothing are dropped silently; anything else unknown is an error.
    missing = [t for t in task_list if t not in found and not os.path.isfile(t) and "*" not in t]
    if missing:
        joined = ", ".join(missing)
        log("ERROR", f"{MAIN}:cli_evaluate_single:703",
            f"Tasks were not found: {joined}\n{' ' * 47}Try `lmms-eval --tasks list` for list of available tasks")
        raise ValueError(
            f"Tasks not found: {joined}. Try `lmms-eval --tasks {{list_groups,list_subtasks,list_tags,list}}` to list out "
            "all available names for task groupings; only (sub)tasks; tags; or all of the above, or pass "
            "'--verbosity DEBUG' to troubleshoot task registration issues."
        )
    return names


def evaluate_single(args, log, knobs, first: bool):
    if args.include_path is not None:
        log("INFO", f"{MAIN}:cli_evaluate_single:612", f"Including path: {args.include_path}")
    roots = [TASKS_DIR] + ([args.include_path] if args.include_path else [])
    index = taskindex.build_index(taskindex.LMMS, roots, lambda lvl, msg: log(lvl, "lmms_eval.tasks:_get_task_and_group:484", msg))
    tracker_args = common.parse_args_string(args.hf_hub_log_args)
    if args.output_path:
        tracker_args["output_path"] = args.output_path
    if os.environ.get("HF_TOKEN"):
        tracker_args["token"] = os.environ["HF_TOKEN"]  # real lmms-eval logs the token in clear text (§7.4)
    log("INFO", f"{MAIN}:cli_evaluate_single:629", f"Evaluation tracker args: {tracker_args}")
    if args.write_out:
        log("WARNING", f"{MAIN}:cli_evaluate_single:634", "DEPRECATION WARNING: --write_out is deprecated and will be removed in v0.5.0.")
    if args.predict_only:
        args.log_samples = True
    if args.log_samples and not args.output_path:
        raise ValueError("Specify --output_path if providing --log_samples or --predict_only")
    if args.fewshot_as_multiturn and not args.apply_chat_template:
        raise ValueError("If fewshot_as_multiturn is set, apply_chat_template must be set to True.")
    if args.fewshot_as_multiturn and not args.num_fewshot:
        raise ValueError("If fewshot_as_multiturn is set, num_fewshot must be greater than 0.")
    if args.limit is not None and args.limit != -1:
        log("WARNING", f"{MAIN}:cli_evaluate_single:654",
            " --limit SHOULD ONLY BE USED FOR TESTING.REAL METRICS SHOULD NOT BE COMPUTED USING LIMIT.")
    if args.limit is not None and args.limit < 0 and args.limit != -1:
        raise ValueError("--limit must be -1 or non-negative")
    if args.offset < 0:
        raise ValueError("--offset must be >= 0")
    if args.tasks is None:
        log("ERROR", f"{MAIN}:cli_evaluate_single:672", "Need to specify task to evaluate.")
        sys.exit()
    if args.tasks in ("list", "list_groups", "list_tags", "list_subtasks"):
        text = lmms_output.list_text(index, args.tasks)
        log("INFO", f"{MAIN}:cli_evaluate_single:675", text)
        sys.exit()
    selected = _resolve_tasks(args, index, log)
    log("INFO", f"{MAIN}:cli_evaluate_single:713", f"Selected Tasks: {selected}")
    return lmms_evaluator.simple_evaluate(args, index, selected, log, knobs, first)
