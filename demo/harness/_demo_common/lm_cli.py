"""lm-eval's command line in the demo: `run` (inserted when missing), `ls` and `validate` (harness-facts §4.2).

Unlike lmms-eval there is no catch-all: an error is a traceback and exit 1, argparse errors exit 2.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

from . import common, taskindex, term

SUBCOMMANDS = ("run", "ls", "validate")
TASKS_DIR = os.path.join(common.HARNESS_DIR, "lm_eval", "tasks")


class SplitArgs(argparse.Action):
    """--tasks takes several values, each also split on commas."""

    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, [t.strip() for v in values for t in v.split(",") if t.strip()])


class MergeDict(argparse.Action):
    """--model_args / --gen_kwargs / --*_args: several JSON objects or `k=v,…` tokens, merged into one dict."""

    def __call__(self, parser, namespace, values, option_string=None):
        merged = dict(getattr(namespace, self.dest) or {})
        for value in values:
            merged.update(json.loads(value) if value.strip().startswith("{") else common.parse_args_string(value))
        setattr(namespace, self.dest, merged)


def _json_or_path(value: str):
    return json.loads(value) if value.strip().startswith("{") else value


def _fewshot_bool(value: str) -> bool:
    return value.lower() in ("true", "1", "yes")


def add_run_args(p: argparse.ArgumentParser) -> None:
    add = p.add_argument
    add("--config", "-C", default=None, type=str, metavar="<path>", help="YAML file with the arguments below")
    add("--tasks", "-t", default=None, nargs="+", action=SplitArgs, metavar="<task>", help="names, patterns, YAML files or one directory")
    add("--model", "-M", type=str, default=None, metavar="<model>", help="model name (default: hf)")
    add("--model_args", "-a", default=None, nargs="+", action=MergeDict, metavar="<arg>")
    add("--apply_chat_template", type=str, nargs="?", const=True, default=False, metavar="<template>")
    add("--limit", "-L", type=float, default=None, metavar="<limit>")
    add("--use_cache", "-c", type=str, default=None, metavar="<path>")
    add("--num_fewshot", "-f", type=int, default=None, metavar="<n>")
    add("--batch_size", "-b", type=str, default=None, metavar="<size>", help="auto, auto:N or N (default: 1)")
    add("--max_batch_size", type=int, default=None, metavar="<n>")
    add("--device", type=str, default=None, metavar="<device>")
    add("--gen_kwargs", default=None, nargs="+", action=MergeDict, metavar="<arg>")
    add("--output_path", "-o", default=None, type=str, metavar="<path>")
    add("--log_samples", "-s", action="store_true", default=False)
    add("--samples", "-E", default=None, type=_json_or_path, metavar="<json>")
    add("--cache_requests", type=str, nargs="?", const="true", default=None, choices=["true", "refresh", "delete"])
    add("--check_integrity", action="store_true", default=False)
    add("--system_instruction", type=str, default=None, metavar="<text>")
    add("--fewshot_as_multiturn", type=_fewshot_bool, nargs="?", const=True, default=None, metavar="<bool>")
    add("--include_path", type=str, default=None, metavar="<path>")
    add("--verbosity", "-v", type=str.upper, default=None, metavar="<level>")
    add("--write_out", "-w", action="store_true", default=False)
    add("--show_config", action="store_true", default=False)
    for name in ("--wandb_args", "--wandb_config_args", "--trackio_args", "--hf_hub_log_args"):
        add(name, default=None, nargs="+", action=MergeDict, metavar="<args>")
    add("--predict_only", "-x", action="store_true", default=False)
    add("--seed", type=str, default=None, metavar="<seed>", help="one int or 3-4 comma items (default: 0,1234,1234,1234)")
    add("--trust_remote_code", action="store_true", default=False)
    add("--confirm_run_unsafe_code", action="store_true", default=False)
    add("--metadata", type=json.loads, default=None, metavar="<json>")


def _index(include_path):
    return taskindex.build_index(taskindex.LM, [TASKS_DIR] + ([include_path] if include_path else []))


def run_ls(args) -> None:
    """`ls [tasks|groups|subtasks|tags]`: the markdown tables of lm-eval's TaskManager.list_all_tasks."""
    index = _index(args.include_path)
    names = sorted(index)
    want = args.what
    out = "\n"
    if want in ("tasks", "groups"):
        rows = [[n, taskindex.display_path(index[n].yaml_path, "lm_eval")] for n in names if index[n].kind == "group"]
        out += term.markdown_table(["Group", "Config Location"], rows) + "\n\n"
    if want in ("tasks", "tags"):
        out += term.markdown_table(["Tag"], [[n] for n in names if index[n].kind == "tag"]) + "\n\n"
    if want in ("tasks", "subtasks"):
        rows = [[n, taskindex.display_path(index[n].yaml_path, "lm_eval"),
                 taskindex.load_config(index[n].yaml_path, taskindex.LM).get("output_type", "")]
                for n in names if index[n].kind in ("task", "python_task")]
        out += term.markdown_table(["Task", "Config Location", "Output Type"], rows) + "\n\n"
    print(out)


def run_validate(args) -> None:
    index = _index(args.include_path)
    task_list = args.tasks.split(",")
    print(f"Validating tasks: {task_list}")
    found = taskindex.match(index, task_list)
    missing = [t for t in task_list if t not in found]
    if missing:
        print(f"Tasks not found: {', '.join(missing)}")
        sys.exit(1)
    print("All tasks found and valid")


def _parser():
    parser = argparse.ArgumentParser(prog="lm-eval", description="Language Model Evaluation Harness (DEMO: results are simulated)")
    parser.set_defaults(func=lambda _args: parser.print_help())
    sub = parser.add_subparsers(dest="command", help="Available commands", metavar="COMMAND")
    run = sub.add_parser("run", help="Run the evaluation harness on specified models and tasks")
    add_run_args(run)
    from .lm_run import run_evaluation

    run.set_defaults(func=run_evaluation)
    ls = sub.add_parser("ls", help="List available tasks, groups, subtasks, or tags")
    ls.add_argument("what", nargs="?", default="tasks", choices=["tasks", "groups", "subtasks", "tags"])
    ls.add_argument("--include_path", type=str, default=None, metavar="<path>")
    ls.set_defaults(func=run_ls)
    validate = sub.add_parser("validate", help="Validate task configurations")
    validate.add_argument("--tasks", "-t", required=True, type=str, metavar="TASK1,TASK2")
    validate.add_argument("--include_path", type=str, default=None, metavar="DIR")
    validate.set_defaults(func=run_validate)
    return parser, sub


def main(argv=None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser, sub = _parser()
    if len(argv) > 1 and argv[0] not in sub.choices:
        argv.insert(0, "run")  # the legacy form: `lm-eval --model hf --tasks x` means `lm-eval run …`
    elif argv == ["run"]:
        sub.choices["run"].print_help()
        sys.exit(0)
    args = parser.parse_args(argv)
    args.func(args)
