"""Helpers both demo harnesses share: argument strings, names, timestamps, sample records, simulated errors."""
from __future__ import annotations

import datetime
import hashlib
import json
import os
import re

from . import miniyaml

HARNESS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEMO_NOTICE = "DEMO HARNESS: results are simulated (no model is loaded, nothing runs on a GPU)"
_UNSAFE = re.compile(r"[\"<>:/\|\\?\*\[\]]+")


class OutOfMemoryError(RuntimeError):
    """Shown in tracebacks as `torch.OutOfMemoryError`, the error a real run most often dies of."""


OutOfMemoryError.__module__ = "torch"


def simulated_failure(mode: str) -> Exception:
    return OutOfMemoryError(
        "CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.19 GiB of which "
        f"1.12 GiB is free. (simulated by LMMS_DEMO_FAIL={mode})"
    )


def split_args(text: str) -> list:
    """Split `k=v,k2=v2` on commas outside quotes and brackets (lmms-eval's simple_parse_args_string)."""
    parts, depth, quote, cur = [], 0, None, ""
    for ch in text:
        if quote:
            quote = None if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "[{(":
            depth += 1
        elif ch in "]})":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        cur += ch
    parts.append(cur)
    return [p.strip() for p in parts if p.strip()]


def parse_args_string(text) -> dict:
    """`k=v,…` to a dict, converting true/false/ints/floats as both harnesses do."""
    out = {}
    for part in split_args(text or ""):
        key, _, value = part.partition("=")
        out[key.strip()] = coerce(value.strip())
    return out


def coerce(value: str):
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    for cast in (int, float):
        try:
            return cast(value)
        except ValueError:
            pass
    return value


def sanitize(name: str) -> str:
    return _UNSAFE.sub("__", name)


def lmms_model_name(model_args: str) -> str:
    """lmms-eval: the value after the first prefix found as a *substring* of the raw string (so `base_model=`
    counts as `model=`), up to the next comma; "" when none is found."""
    for prefix in ("peft=", "delta=", "pretrained=", "model=", "model_version=", "model_name=", "model_id=", "path=", "engine="):
        if prefix in model_args:
            return model_args.split(prefix)[1].split(",")[0]
    return ""


def lmms_model_dir(model_args: str) -> str:
    """The results sub-directory: the model name's last two path parts, sanitised; "" puts files in output_path."""
    name = lmms_model_name(model_args)
    return sanitize("/".join(name.split("/")[-2:])) if name else ""


_FIXED_ZONES = {"Asia/Singapore": 8, "UTC": 0, "Etc/UTC": 0}  # no DST in any of them


def timestamp(timezone: str) -> str:
    """`YYYYMMDD_HHMMSS` in the given zone (lmms-eval's file-name stamp); an unknown zone raises like pytz.

    The default zone is computed without a tz database, which slim images and Python 3.8 may lack.
    """
    if timezone in _FIXED_ZONES:
        tz = datetime.timezone(datetime.timedelta(hours=_FIXED_ZONES[timezone]))
    else:
        try:
            from zoneinfo import ZoneInfo  # Python 3.9+

            tz = ZoneInfo(timezone)
        except ImportError:
            tz = None  # Python 3.8: local time
        except Exception:
            raise ValueError(f"UnknownTimeZoneError: '{timezone}'") from None
    return datetime.datetime.now(datetime.timezone.utc).astimezone(tz).strftime("%Y%m%d_%H%M%S")


def jsonable_config(config: dict) -> dict:
    """A task config as the results JSON shows it: `!function` values become `<function …>` strings."""

    def conv(v):
        if isinstance(v, miniyaml.FunctionTag):
            name = str(v).rsplit(".", 1)[-1]
            return f"<function {name} at 0x7f{hashlib.sha256(str(v).encode()).hexdigest()[:10]}>"
        if isinstance(v, dict):
            return {str(k): conv(x) for k, x in v.items()}
        if isinstance(v, list):
            return [conv(x) for x in v]
        return v

    return conv(config)


def version_of(config: dict):
    meta = config.get("metadata")
    if isinstance(meta, list):  # lmms-eval task files often write `metadata: [{version: 0.0}]`
        meta = next((m for m in meta if isinstance(m, dict)), {})
    return (meta or {}).get("version", 0.0) if isinstance(meta, dict) else 0.0


def sample_record(run, doc_id: int, model_key: str, flavour: str) -> dict:
    """One per-sample jsonl line in the flavour's shape (harness-facts §5.1)."""
    from .simulate import unit

    answer = "ABCD"[int(unit(model_key, run.name, "target", str(doc_id)) * 4)]
    guess = answer if unit(model_key, run.name, "correct", str(doc_id)) < 0.7 else "ABCD"[(doc_id + 1) % 4]
    prompt = f"[simulated] Question {doc_id} of {run.name}. Answer with the option's letter from the given choices directly."
    doc_hash = hashlib.sha256(f"{run.name}/{doc_id}".encode()).hexdigest()
    correct = 1.0 if guess == answer else 0.0
    metrics = {m: correct for m, _ in run.metrics}
    if flavour == "lmms":
        return {"doc_id": doc_id, "target": answer, "filtered_resps": guess, "input": prompt,
                "token_counts": [{"input_tokens": 512 + doc_id % 97, "output_tokens": 1}], "doc_hash": doc_hash, **metrics}
    return {"doc_id": doc_id, "doc": {"query": prompt, "label": answer}, "target": answer,
            "arguments": {"gen_args_0": {"arg_0": prompt, "arg_1": {"until": ["\n\n"]}}}, "resps": [[guess]],
            "filtered_resps": [guess], "filter": run.filters[0], "metrics": [m for m, _ in run.metrics],
            "doc_hash": doc_hash, "prompt_hash": hashlib.sha256(prompt.encode()).hexdigest(),
            "target_hash": hashlib.sha256(answer.encode()).hexdigest(), **metrics}


def write_samples(path: str, run, model_key: str, flavour: str) -> None:
    # Append, as the real trackers do: two runs in one directory in one second mix their lines.
    with open(path, "a", encoding="utf-8") as f:
        for doc_id in range(run.effective):
            f.write(json.dumps(sample_record(run, doc_id, model_key, flavour), ensure_ascii=False) + "\n")


def cuda_lines(log, knobs, origin: str) -> None:
    value = os.environ.get("CUDA_VISIBLE_DEVICES")
    text = f"CUDA_VISIBLE_DEVICES={value if value is not None else 'unset'}"
    log("INFO" if knobs.echo_cuda else "DEBUG", origin, text)
