"""What lmms-eval prints on stdout at the end of a run and for its list commands (harness-facts §1.3, §6.1)."""
from __future__ import annotations

import math
import sys

from . import taskindex, term

HIB = {True: "\u2191", False: "\u2193"}
_HIDDEN_SUFFIXES = ("_stderr", "_stderr_clt", "_stderr_clustered", "_expected_accuracy", "_consensus_accuracy",
                    "_internal_variance", "_consistency_rate")


def _fmt_se(value) -> str:
    return "%.4f" % value if isinstance(value, (int, float)) else "N/A"


def make_table(results: dict, column: str = "results") -> str:
    """Columns `Tasks|Filter|n-shot|Metric| |Value| |Stderr` (no Version column), rows in results order."""
    rows = []
    for key, entry in results[column].items():
        shots = str(results.get("n-shot", {}).get(key, " "))
        hib = results.get("higher_is_better", {}).get(key, {})
        name = entry.get("alias", key)
        for metric_filter, value in sorted((k, v) for k, v in entry.items() if k != "alias"):
            metric, _, filt = metric_filter.partition(",")
            if metric.endswith(_HIDDEN_SUFFIXES) or metric.startswith("paired_"):
                continue
            shown = "%.4f" % value if isinstance(value, float) else value
            rows.append([name, filt, shots, metric, HIB.get(hib.get(metric), ""), "N/A" if shown in ("", None) else shown,
                         "\u00b1", _fmt_se(entry.get(f"{metric}_stderr,{filt}"))])
    headers = ["Groups" if column == "groups" else "Tasks", "Filter", "n-shot", "Metric", "", "Value", "", "Stderr"]
    return term.markdown_table(headers, rows)


def print_tables(args, results: dict) -> None:
    out = sys.stdout
    term.write_out(out, f"{args.model} ({args.model_args}), gen_kwargs: ({args.gen_kwargs}), limit: {args.limit}, "
                        f"offset: {args.offset}, num_fewshot: {args.num_fewshot}, batch_size: {args.batch_size}")
    banner = ["", "LMMs-Eval: Probing Intelligence in the Real World", "> DEMO HARNESS: every number below is simulated.",
              "", f"branch: {results.get('git_branch')}", f"commit: {results.get('git_hash')}", ""]
    term.write_out(out, "\n".join(banner))
    term.write_out(out, make_table(results))
    if "groups" in results:
        term.write_out(out, make_table(results, "groups"))


def list_tables(index: dict, groups: bool, tags: bool, subtasks: bool) -> str:
    """`|Group|Config Location|`, `|Tag|` and `|Task|Config Location|Output Type|`, paths as `lmms_eval/tasks/…`."""
    parts = []
    names = sorted(index)
    if groups:
        rows = [[n, taskindex.display_path(index[n].yaml_path, "lmms_eval")] for n in names if index[n].kind == "group"]
        parts.append(term.markdown_table(["Group", "Config Location"], rows))
    if tags:
        parts.append(term.markdown_table(["Tag"], [[n] for n in names if index[n].kind == "tag"]))
    if subtasks:
        rows = []
        for n in names:
            if index[n].kind in ("task", "python_task"):
                try:
                    output_type = taskindex.load_config(index[n].yaml_path, taskindex.LMMS).get("output_type", "")
                except (OSError, ValueError):
                    output_type = ""
                rows.append([n, taskindex.display_path(index[n].yaml_path, "lmms_eval"), output_type])
        parts.append(term.markdown_table(["Task", "Config Location", "Output Type"], rows))
    return "\n" + "\n\n".join(parts)


def list_text(index: dict, which: str) -> str:
    """The message `--tasks list|list_groups|list_tags|list_subtasks` logs (one multi-line INFO record)."""
    if which == "list":
        return "Available Tasks:\n - {}".format("\n - ".join(sorted(index)))
    return list_tables(index, groups=which == "list_groups", tags=which == "list_tags", subtasks=which == "list_subtasks")


def power_analysis(args) -> None:
    """--power-analysis: minimum paired sample size for the effect size (normal approximation, stdlib only)."""
    from statistics import NormalDist

    z = NormalDist().inv_cdf
    std_a = args.std_a if args.std_a is not None else 0.5
    std_b = args.std_b if args.std_b is not None else 0.5
    var = std_a**2 + std_b**2 - 2 * args.correlation * std_a * std_b
    n = math.ceil(((z(1 - args.alpha / 2) + z(args.power)) ** 2) * var / args.effect_size**2)
    print("\n" + "=" * 60)
    print("POWER ANALYSIS RESULTS (demo harness: computed, not measured)")
    print("=" * 60)
    print(f"\n  Effect size (delta):     {args.effect_size:.1%}")
    print(f"  Significance level (α):  {args.alpha}")
    print(f"  Desired power (1-β):     {args.power}")
    print(f"  Correlation (ρ):         {args.correlation}")
    print(f"\n  Minimum sample size:     n = {n}")
    print("\n" + "=" * 60 + "\n")
