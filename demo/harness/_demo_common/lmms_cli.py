"""lmms-eval's command dispatch in the demo: the flat form, the light subcommands, and the ones we decline.

Routing follows lmms-eval's dispatcher (harness-facts §4.1): no arguments print a banner; a first argument
starting with `-` (or `eval …`) is the flat evaluation form; otherwise a subcommand runs. Nothing here ever
reads stdin, so the interactive wizard and the UIs are refused instead of simulated.
"""
from __future__ import annotations

import argparse
import importlib.metadata
import os
import sys

from . import common, taskindex

_BANNER = """
+--------------------------------------------------------------+
| LMMs-Eval (DEMO HARNESS: results are simulated)              |
+--------------------------------------------------------------+
|  lmms-eval eval   [--model X --tasks Y]   Run evaluation      |
|  lmms-eval tasks  [list|groups|subtasks]  Browse benchmarks   |
|  lmms-eval models [--aliases]             List model backends |
|  lmms-eval version                        Version info        |
|  lmms-eval <subcommand> --help            Subcommand help     |
+--------------------------------------------------------------+
"""


def _col(text: str, width: int) -> str:
    return text[:width].ljust(width)


def run_models(args) -> None:
    """`models [--aliases]`: the fixed-width listing of the real `lmms-eval models`."""
    from lmms_eval.models import AVAILABLE_CHAT_TEMPLATE_MODELS as chat, AVAILABLE_SIMPLE_MODELS as simple, MODEL_ALIASES

    chat_only = sorted(set(chat) - set(simple))
    simple_only = sorted(set(simple) - set(chat))
    dual = sorted(set(chat) & set(simple))
    if args.aliases:
        header, sep = f"{_col('Name', 28)}{_col('Type', 14)}{_col('Aliases', 40)}", "-" * 82
    else:
        header, sep = f"{_col('Name', 28)}{_col('Type', 14)}", "-" * 42
    print(f"\nRegistered Models ({len(chat_only) + len(simple_only) + len(dual)} total)\n")
    print(header)
    print(sep)
    for names, kind in ((chat_only, "chat"), (dual, "chat+simple"), (simple_only, "simple")):
        for name in names:
            alias = ", ".join(MODEL_ALIASES.get(name, ()))
            print(f"{_col(name, 28)}{_col(kind, 14)}{alias}" if args.aliases else f"{_col(name, 28)}{_col(kind, 14)}")
    print(sep)
    print(f"\n  chat-only: {len(chat_only)}  |  chat+simple: {len(dual)}  |  simple-only: {len(simple_only)}")
    print("  Tip: chat models are recommended for new evaluations.\n")


def run_tasks(args) -> None:
    """`tasks [list|groups|subtasks|tags] [--include-path DIR]` (note the dash, unlike the flat flag)."""
    from . import lmms_output

    roots = [os.path.join(common.HARNESS_DIR, "lmms_eval", "tasks")] + ([args.include_path] if args.include_path else [])
    index = taskindex.build_index(taskindex.LMMS, roots)
    if args.action == "list":
        names = sorted(index)
        print(f"Available tasks ({len(names)}):\n")
        for name in names:
            print(f"  {name}")
    else:
        print(lmms_output.list_tables(index, args.action == "groups", args.action == "tags", args.action == "subtasks"))


def run_version(_args) -> None:
    try:
        version = importlib.metadata.version("lmms-eval")
    except importlib.metadata.PackageNotFoundError:
        version = "dev (not installed)"
    print(f"lmms-eval {version}")
    print(f"Python     {sys.version.split()[0]}")
    print("Git        unknown")
    print("Note       demo harness: results are simulated")


def _declined(name: str):
    def run(_args) -> None:
        print(f"`lmms-eval {name}` is not part of the demo harness (it only simulates evaluation runs).")
        sys.exit(1)

    return run


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lmms-eval", description="LMMs-Eval (demo harness: results are simulated)")
    sub = parser.add_subparsers(dest="subcommand")
    tasks = sub.add_parser("tasks", help="List available evaluation tasks, groups, and tags")
    tasks.add_argument("action", nargs="?", default="list", choices=["list", "groups", "subtasks", "tags"])
    tasks.add_argument("--include-path", type=str, default=None)
    tasks.add_argument("--verbosity", type=str, default="WARNING")
    tasks.set_defaults(func=run_tasks)
    models = sub.add_parser("models", help="List available model backends")
    models.add_argument("--aliases", action="store_true", default=False)
    models.set_defaults(func=run_models)
    sub.add_parser("version", help="Print version and environment information").set_defaults(func=run_version)
    sub.add_parser("eval", help="Run model evaluation", add_help=False).set_defaults(func=None)
    for name in ("ui", "serve", "power", "mcp", "tui"):
        declined = sub.add_parser(name, help="(not in the demo harness)")
        declined.add_argument("rest", nargs=argparse.REMAINDER)
        declined.set_defaults(func=_declined(name))
    return parser


def main(argv=None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        print(_BANNER)
        sys.exit(0)
    if argv in (["--help"], ["-h"]):
        _parser().print_help()
        sys.exit(0)
    if "--tui" in argv:
        _declined("--tui")(None)
    if argv == ["eval"]:
        print("The interactive `lmms-eval eval` wizard is not part of the demo harness; pass --model and --tasks.")
        sys.exit(1)
    if argv[0].startswith("-") or argv[0] == "eval":
        from .lmms_run import cli_evaluate

        cli_evaluate(argv[1:] if argv[0] == "eval" else argv)
        return
    parser = _parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        sys.exit(1)
    args.func(args)
