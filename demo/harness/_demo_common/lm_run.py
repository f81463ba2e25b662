"""`python -m lm_eval run …` in the demo: lm-eval's evaluation flow, simulated (harness-facts §4.2, §5, §6.2)."""
from __future__ import annotations

import datetime
import glob
import hashlib
import json
import os
import secrets
import sys
import time

from . import common, knobs as knobs_mod, lm_output, simulate, taskindex, term
from .lm_cli import TASKS_DIR

RUN = "_cli.run"


def _logger(args):
    level = os.environ.get("LMEVAL_LOG_LEVEL", "").upper()
    if level not in term.LEVELS:
        level = args.verbosity if args.verbosity in term.LEVELS else "INFO"
    return term.Logger(sys.stderr, level, term.stdlib_line).log


def _apply_config(args) -> None:
    """--config: a single YAML mapping; CLI values that are truthy (or 0/False) win over it."""
    from . import miniyaml

    config = miniyaml.load_file(args.config)
    if not isinstance(config, dict):
        raise ValueError(f"Invalid YAML in {args.config}: the root must be a mapping")
    for key, value in config.items():
        if not hasattr(args, key):
            raise TypeError(f"EvaluatorConfig.__init__() got an unexpected keyword argument '{key}'")
        current = getattr(args, key)
        # A flag left at its default is "not given" (lm-eval's parser suppresses those defaults entirely).
        if current is None or current is False or current in ("", {}, []):
            dict_like = key.endswith("args") or key in ("gen_kwargs", "metadata")
            setattr(args, key, common.parse_args_string(value) if dict_like and isinstance(value, str) else value)
    print(json.dumps({k: v for k, v in vars(args).items() if k != "func"}, indent=2, default=str))


def _seeds(text) -> list:
    values = [v.strip() for v in str(text).split(",")] if not isinstance(text, list) else text
    if len(values) == 1:
        values = values * 4
    elif len(values) == 3:
        values = values + ["1234"]
    if len(values) != 4:
        raise ValueError(f"seed expects a single value or 4 values (random, numpy, torch, fewshot), got {len(values)}: {text!r}")
    return [None if str(v).lower() == "none" else int(v) for v in values]


def _resolve_tasks(args, index: dict) -> list:
    items = args.tasks.split(",") if isinstance(args.tasks, str) else [t for v in args.tasks for t in str(v).split(",")]
    if len(items) == 1 and os.path.isdir(items[0]):
        return [taskindex.load_config(p, taskindex.LM) for p in sorted(glob.glob(os.path.join(items[0], "*.yaml")))]
    selected, missing = [], []
    for item in dict.fromkeys(os.path.abspath(t) if t.endswith(".yaml") else t for t in items):
        found = [taskindex.load_config(p, taskindex.LM) for p in sorted(glob.glob(item))] if item.endswith(".yaml") \
            else taskindex.match(index, [item])
        if not found:
            missing.append(item)
        selected.extend(f for f in found if f not in selected)
    if missing:
        raise ValueError(f"Tasks not found: {', '.join(missing)}")  # wildcards included: lm-eval is strict
    return selected


def run_evaluation(args) -> None:
    knobs = knobs_mod.load_knobs()
    log = _logger(args)
    if args.config:
        _apply_config(args)
    model = args.model or "hf"
    model_args = args.model_args or {}
    if args.tasks is None:
        raise ValueError("Need to specify task to evaluate.")
    if args.limit:
        log("WARNING", "config.evaluate_config:337", "--limit SHOULD ONLY BE USED FOR TESTING. REAL METRICS SHOULD NOT BE COMPUTED USING LIMIT.")
    if args.predict_only:
        args.log_samples = True
    if args.log_samples and not args.output_path:
        raise ValueError("Specify --output_path if providing --log_samples or --predict_only")
    if args.fewshot_as_multiturn is True and not args.apply_chat_template:
        raise ValueError("When `fewshot_as_multiturn` is True, `apply_chat_template` must be set.")
    if args.samples and args.limit is not None:
        raise ValueError("If --samples is not None, then --limit must be None.")
    seeds = _seeds(args.seed if args.seed is not None else "0,1234,1234,1234")
    args.batch_size = args.batch_size if args.batch_size is not None else "1"
    log("INFO", f"{RUN}:356", common.DEMO_NOTICE)
    common.cuda_lines(log, knobs, f"{RUN}:357")
    index = taskindex.build_index(taskindex.LM, [TASKS_DIR] + ([args.include_path] if args.include_path else []),
                                  lambda lvl, msg: log(lvl, "tasks._index:64", msg))
    selected = _resolve_tasks(args, index)
    if args.include_path is not None:
        log("INFO", f"{RUN}:387", f"Including path: {args.include_path}")
    log("INFO", f"{RUN}:388", f"Selected Tasks: {selected}")

    workers = knobs_mod.Workers(knobs)
    try:
        workers.start()
        if knobs.flood:
            knobs_mod.flood(sys.stderr, knobs.flood, knobs.flood_seconds,
                            lambda now: term.stdlib_line("INFO", "models.huggingface:1402", "[flood] request {N} done: "
                                                         "context_tokens=1536 continuation_tokens=4", now).replace("%", "%%").replace("{N}", "%d"))
        results = simple_evaluate(args, model, model_args, index, selected, seeds, log, knobs)
        if results is not None:
            lm_output.print_tables(args, model, model_args, results)
    finally:
        workers.stop()


def simple_evaluate(args, model: str, model_args: dict, index: dict, selected: list, seeds: list, log, knobs):
    start = time.perf_counter()
    started_at = time.time()
    names = ("Setting random seed to {}", "Setting numpy seed to {}", "Setting torch manual seed to {}", "Setting fewshot manual seed to {}")
    messages = [text.format(s) for text, s in zip(names, seeds) if s is not None]
    if messages:
        log("INFO", "evaluator:214", " | ".join(messages))
    if not selected:
        raise ValueError("No tasks specified, or no tasks found. Please verify the task names.")
    if args.gen_kwargs:
        log("WARNING", "evaluator:226", f"generation_kwargs: {args.gen_kwargs} specified through cli, these settings will update "
            "set parameters in yaml tasks. Ensure 'do_sample=True' for non-greedy decoding!")
    from lm_eval.api.registry import get_model

    target = get_model(model)  # ValueError for an unknown name, as in lm-eval
    log("INFO", "evaluator:239", f"Initializing {model} model, with arguments: {model_args} (simulated: no weights are loaded)")
    if knobs.hang:
        knobs_mod.hang_forever()
    rank = int(os.environ.get("RANK") or 0)
    local_rank = int(os.environ.get("LOCAL_RANK") or 0)
    nodes = [node for item in selected for node in taskindex.expand(index, item, taskindex.LM)]
    runs: dict = {}
    for node in nodes:
        for leaf in lm_output.leaves(node):
            runs.setdefault(leaf.name, simulate.TaskRun(leaf.name, leaf.config, knobs.docs, args.limit, 0, "lm"))
    quiet = rank != 0
    for run in runs.values():
        log("INFO", "api.task:312", f"Building contexts for {run.name} on rank {rank}...")
        bar = term.Bar(sys.stderr, run.effective, "", quiet)
        bar.update(run.effective)
        bar.close()

    def fail() -> None:
        raise common.simulated_failure(knobs.fail)

    simulate.run_requests(list(runs.values()), lambda reqtype: log("INFO", "evaluator:589", f"Running {reqtype} requests"),
                          # The real `dummy` model (lm_eval/models/dummy.py) draws bare tqdm bars; the
                          # HF models label theirs (lm_eval/models/huggingface.py).
                          lambda reqtype, total: term.Bar(sys.stderr, total, "" if args.model == "dummy" else f"Running {reqtype} requests", quiet),
                          knobs.pace, fail if knobs.fail == "exit1" else None)
    if quiet or local_rank != 0 or knobs.fail == "noresults":
        return None  # only rank 0 with LOCAL_RANK 0 builds results (evaluator.py:385)

    name = next((str(model_args[k]) for k in ("peft", "delta", "pretrained", "model", "path", "engine") if k in model_args), None)
    model_key = f"{model}|{name or ''}"
    for run in runs.values():
        run.score(model_key, args.predict_only)
    results = lm_output.build_results(args, nodes, runs)
    results["config"] = {
        "model": model, "model_args": model_args, "model_num_parameters": 0, "model_dtype": "simulated",
        "batch_size": args.batch_size, "batch_sizes": [], "device": args.device, "use_cache": args.use_cache,
        "limit": args.limit, "bootstrap_iters": 100000, "gen_kwargs": args.gen_kwargs or {},
        "random_seed": seeds[0], "numpy_seed": seeds[1], "torch_seed": seeds[2], "fewshot_seed": seeds[3],
    }
    results.update({
        "git_hash": "demo", "date": started_at, "pretty_env_info": "N/A (demo harness: simulated)",
        "transformers_version": "N/A", "lm_eval_version": "0.4.13+demo", "upper_git_hash": None,
    })
    if model != "dummy":
        # Written only for a model with a tokenizer (lm_eval/loggers/utils.py add_tokenizer_info); the
        # real `dummy` model's results have none of these keys.
        results.update({
            "tokenizer_pad_token": ["<|endoftext|>", "0"], "tokenizer_eos_token": ["<|endoftext|>", "0"],
            "tokenizer_bos_token": [None, "None"], "eot_token_id": 0, "max_length": 2048,
        })
    if args.show_config:
        print(json.dumps(results, indent=2, default=str, ensure_ascii=False))
    if args.output_path:
        _save(args, model, name or secrets.token_hex(4), target, results, runs, model_key, start, log, knobs)
    else:
        log("INFO", "loggers.evaluation_tracker:316", "Output path not provided, skipping saving results aggregated")
    return results


def _save(args, model, model_name, target, results, runs, model_key, start, log, knobs) -> None:
    """`<output_path>/<model_dir>/results_<date_id>.json`, or `<stem>_<date_id>.json` for a `.json` path."""
    log("INFO", "loggers.evaluation_tracker:247", "Saving results aggregated")
    sanitized = common.sanitize(model_name)
    end = time.perf_counter()
    results.update({
        "task_hashes": {}, "model_source": model, "model_name": model_name, "model_name_sanitized": sanitized,
        "system_instruction": args.system_instruction,
        "system_instruction_sha": hashlib.sha256(args.system_instruction.encode()).hexdigest() if args.system_instruction else None,
        "fewshot_as_multiturn": bool(args.fewshot_as_multiturn), "chat_template": None, "chat_template_sha": None,
        "total_evaluation_time_seconds": str(end - start),
    })
    date_id = datetime.datetime.now().isoformat().replace(":", "-")
    out = args.output_path
    folder = (os.path.dirname(out) or ".") if out.endswith(".json") else os.path.join(out, sanitized)
    results_file = os.path.join(folder, f"{os.path.splitext(os.path.basename(out))[0]}_{date_id}.json") \
        if out.endswith(".json") else os.path.join(folder, f"results_{date_id}.json")
    try:
        if knobs.fail == "exit0":
            # lm-eval's one exit-0 failure: the tracker cannot write, warns, and the run still "succeeds".
            raise PermissionError(13, "Permission denied (simulated by LMMS_DEMO_FAIL=exit0)", results_file)
        os.makedirs(folder, exist_ok=True)
        with open(results_file, "w", encoding="utf-8") as f:
            f.write(json.dumps(results, indent=2, default=str, ensure_ascii=False))
    except OSError as e:
        log("WARNING", "loggers.evaluation_tracker:313", "Could not save results aggregated")
        log("INFO", "loggers.evaluation_tracker:314", repr(e))
        return
    if args.log_samples:
        for run in runs.values():
            log("DEBUG", "loggers.evaluation_tracker:335", f"Saving per-sample results for: {run.name}")
            common.write_samples(os.path.join(folder, f"samples_{run.name}_{date_id}.jsonl"), run, model_key, "lm")
