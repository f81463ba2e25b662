"""Simulated evaluation: doc counts, request bars, deterministic metric values and group aggregates.

Values are pseudo-random but seeded by model + model name + task + metric + filter, so the same run gives the
same numbers every time and different models give different, plausible numbers.
"""
from __future__ import annotations

import hashlib
import math
import time

# (low, high, has_stderr) for metric names whose scale is not a 0-1 fraction.
_RANGES = {
    "mme_perception_score": (1150.0, 1650.0, False),
    "mme_cognition_score": (230.0, 480.0, False),
    "gpt_eval_score": (35.0, 75.0, False),
    "videomme_perception_score": (45.0, 70.0, False),
    "submission": (0.0, 0.0, False),
    "bypass": (999.0, 999.0, False),
    "perplexity": (4.0, 25.0, False),
    "word_perplexity": (8.0, 40.0, False),
    "byte_perplexity": (1.3, 2.2, False),
    "bits_per_byte": (0.4, 1.1, False),
    "pope_accuracy": (0.82, 0.9, True),
    "pope_precision": (0.85, 0.96, True),
    "pope_recall": (0.75, 0.88, True),
    "pope_f1_score": (0.8, 0.9, True),
    "pope_yes_ratio": (0.4, 0.5, True),
    "anls": (0.6, 0.92, True),
}
_DEFAULT_METRICS = {
    "multiple_choice": ["acc", "acc_norm"],
    "loglikelihood": ["perplexity", "acc"],
    "loglikelihood_rolling": ["word_perplexity", "byte_perplexity", "bits_per_byte"],
    "generate_until": ["exact_match"],
}
_LOWER_IS_BETTER = {"perplexity", "word_perplexity", "byte_perplexity", "bits_per_byte"}


def request_type(output_type: str) -> str:
    return "loglikelihood" if output_type == "multiple_choice" else output_type


def unit(model_key: str, *parts: str) -> float:
    digest = hashlib.sha256("|".join((model_key,) + parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64


def metrics_of(config: dict) -> list:
    """[(metric, higher_is_better)] from metric_list, else the output type's default metrics."""
    out = []
    for item in config.get("metric_list") or []:
        if isinstance(item, dict) and item.get("metric"):
            hib = item.get("higher_is_better")
            name = str(item["metric"])
            out.append((name, hib if isinstance(hib, bool) else name not in _LOWER_IS_BETTER))
    if not out:
        names = _DEFAULT_METRICS.get(config.get("output_type", "generate_until"), ["exact_match"])
        out = [(m, m not in _LOWER_IS_BETTER) for m in names]
    return out


def filters_of(config: dict) -> list:
    names = [f.get("name") for f in config.get("filter_list") or [] if isinstance(f, dict) and f.get("name")]
    return [str(n) for n in names] or ["none"]


class TaskRun:
    """One leaf task of a run: how many docs it has, how many the run evaluates, and its metric values."""

    def __init__(self, name: str, config: dict, docs: int, limit, offset: int, flavour: str) -> None:
        self.name, self.config = name, config
        self.original = docs
        available = max(0, docs - offset)
        if limit is None or limit == -1:
            count = available
        elif limit < 1:
            count = int(math.ceil(docs * limit))
        else:
            count = int(limit)
        self.effective = min(count, available)
        # lmms-eval records min(limit, len), which keeps a fractional limit as the fraction (a real quirk).
        self.reported_effective = (min(limit, docs) if limit not in (None, -1) else docs) if flavour == "lmms" \
            else self.effective
        self.output_type = str(config.get("output_type", "generate_until"))
        choices = config.get("doc_to_choice")
        # A multiple-choice doc costs one loglikelihood request per choice (a template counts as 4 choices).
        self.requests_per_doc = (len(choices) if isinstance(choices, list) else 4) if self.output_type == "multiple_choice" else 1
        self.metrics = metrics_of(config)
        self.filters = filters_of(config)
        self.values: dict = {}

    def score(self, model_key: str, predict_only: bool) -> dict:
        """Fill and return {"metric,filter": value, "metric_stderr,filter": stderr or "N/A"}."""
        n = self.effective
        metrics = [("bypass", True)] if predict_only else self.metrics
        for f in self.filters:
            for metric, _ in metrics:
                low, high, has_stderr = _RANGES.get(metric, (0.25, 0.88, True))
                u = unit(model_key, self.name, metric, f)
                if has_stderr and n > 0:
                    value = round((low + (high - low) * u) * n) / n  # a fraction of n docs, like a real accuracy
                    stderr = math.sqrt(value * (1 - value) / max(n - 1, 1))
                else:
                    value, stderr = round(low + (high - low) * u, 4), "N/A"
                self.values[f"{metric},{f}"] = value
                self.values[f"{metric}_stderr,{f}"] = stderr
        return self.values


def aggregate(group_config: dict, runs: list) -> dict:
    """A group's aggregate_metric_list over its leaf runs: weighted (by docs) or plain means, pooled stderr."""
    out: dict = {}
    for spec in group_config.get("aggregate_metric_list") or []:
        if not isinstance(spec, dict) or not spec.get("metric"):
            continue
        metric = str(spec["metric"])
        for f in spec.get("filter_list") or ["none"]:
            key = f"{metric},{f}"
            having = [r for r in runs if key in r.values]
            if not having:
                continue
            weights = [r.effective if spec.get("weight_by_size", True) else 1 for r in having]
            total = sum(weights) or 1
            out[key] = sum(w * r.values[key] for w, r in zip(weights, having)) / total
            stderrs = [r.values.get(f"{metric}_stderr,{f}") for r in having]
            if all(isinstance(s, float) for s in stderrs):
                out[f"{metric}_stderr,{f}"] = math.sqrt(sum((w / total) ** 2 * s * s for w, s in zip(weights, stderrs)))
            else:
                out[f"{metric}_stderr,{f}"] = "N/A"
    return out


def run_requests(runs: list, log, make_bar, pace: float, fail_hook=None) -> None:
    """The request phase shared by both harnesses: one bar per request type, spanning all tasks.

    `pace` seconds pass per doc. fail_hook, if given, is called halfway through the first request type.
    """
    by_type: dict = {}
    for run in runs:
        by_type.setdefault(request_type(run.output_type), []).append(run)
    for reqtype, group in by_type.items():
        log(reqtype)
        bar = make_bar(reqtype, sum(r.effective * r.requests_per_doc for r in group))
        fail_at = max(1, sum(r.effective for r in group) // 2) if fail_hook else -1
        done = 0
        for run in group:
            for _ in range(run.effective):
                if pace > 0:
                    time.sleep(pace)
                bar.update(run.requests_per_doc)
                done += 1
                if done == fail_at:
                    bar.close()
                    fail_hook()
        bar.close()
        if fail_hook:
            fail_hook()  # nothing ran (every task had 0 docs): fail anyway
