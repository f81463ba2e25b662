"""lmms-eval's flat argument parser (harness-facts §4.1), flag for flag, so spellings and errors match."""
from __future__ import annotations

import argparse

DEFAULT_SEED = "0,1234,1234,1234"


def _seed_list(value: str) -> list:
    """One int (used for all four seeds) or 3-4 comma items, each an int or None; 3 items take the 4th default."""

    def one(item: str):
        item = item.strip().lower()
        if item == "none":
            return None
        try:
            return int(item)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{item} is not an integer or None") from None

    items = [one(v) for v in value.split(",")]
    if len(items) == 1:
        return items * 4
    if len(items) not in (3, 4):
        raise argparse.ArgumentTypeError("Argument requires 4 integers or None, separated by ','")
    return items + [one(v) for v in DEFAULT_SEED.split(",")][len(items) :]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(formatter_class=argparse.RawTextHelpFormatter)
    add = p.add_argument
    add("--config", default="", help="Path to a yaml file specifying all eval arguments (overrides the CLI)")
    add("--model", default="hf", help="Name of model e.g. `hf`")
    add("--tasks", default=None, help="To get full list of tasks, use the command lmms-eval --tasks list")
    add("--model_args", default="", help="String arguments for model, e.g. `pretrained=org/model,dtype=float32`")
    add("--launcher_args", default=None, help="Local judge launcher, e.g. `name=sglang,tp=8`")
    add("--num_fewshot", type=int, default=None, help="Number of examples in few-shot context")
    add("--batch_size", "-b", type=str, default=1)
    add("--max_batch_size", type=int, default=None, help="Maximal batch size to try with --batch_size auto")
    add("--device", type=str, default=None, help="Device to use (e.g. cuda, cuda:0, cpu)")
    add("--output_path", default=None, type=str, metavar="= [dir/file.jsonl] [DIR]", help="The path to the output file.")
    add("--limit", type=float, default=None, help="Limit the number of examples per task (a fraction below 1)")
    add("--offset", type=int, default=0, help="Start evaluating from this document index")
    add("--use_cache", "-c", type=str, default=None, help="A path to a response cache")
    add("--cache_requests", type=str, default=None, choices=["true", "refresh", "delete"])
    add("--check_integrity", action="store_true", help="Whether to run the relevant part of the test suite")
    add("--write_out", "-w", action="store_true", default=False, help="Prints the prompt for the first few documents")
    add("--log_samples", action="store_true", default=False, help="Write per-sample outputs (needs --output_path)")
    add("--wandb_log_samples", action="store_true", default=False)
    add("--swanlab_log_samples", action="store_true", default=False)
    add("--log_samples_suffix", type=str, default="model_outputs")
    add("--system_instruction", type=str, default=None)
    add("--apply_chat_template", action="store_true", default=False)
    add("--fewshot_as_multiturn", action="store_true", default=False)
    add("--show_config", action="store_true", default=False)
    add("--include_path", type=str, default=None, help="Additional path to include if there are external tasks")
    add("--gen_kwargs", default="", help="String arguments for model generation")
    add("--reasoning_tags", type=str, default='[["<think>", "</think>"], ["<analysis>", "</analysis>"]]')
    add("--verbosity", type=str, default="INFO", help="Log error when tasks are not registered.")
    add("--wandb_args", default="", help="Comma separated string arguments passed to wandb.init")
    add("--swanlab_args", default="")
    add("--timezone", default="Asia/Singapore", help="Timezone for datetime string, e.g. Asia/Singapore")
    add("--hf_hub_log_args", type=str, default="")
    add("--predict_only", "-x", action="store_true", default=False)
    add("--seed", type=_seed_list, default=DEFAULT_SEED, help="Python, numpy, torch and fewshot seeds")
    add("--trust_remote_code", action="store_true")
    add("--process_with_media", action="store_true")
    add("--agentic_trace_mode", type=str, default="basic", choices=["basic", "full"])
    add("--force_simple", action="store_true")
    add("--tui", action="store_true")
    add("-n", "--repeats", "--num_samples", dest="repeats", type=int, default=1)
    add("--baseline", type=str, default=None, help="Baseline for paired t-test comparison")
    add("--max_tokens", type=int, default=None)
    add("--power-analysis", action="store_true", default=False)
    add("--effect-size", type=float, default=0.03)
    add("--alpha", type=float, default=0.05)
    add("--power", type=float, default=0.80)
    add("--correlation", type=float, default=0.5)
    add("--std-a", type=float, default=None)
    add("--std-b", type=float, default=None)
    return p


def parse(argv: list) -> tuple:
    parser = build_parser()
    return parser, parser.parse_args(argv)  # argparse runs a string default through type= too
