"""`python -m accelerate.commands.launch [launcher flags] -m <module> [args…]`: the demo's `accelerate launch`.

lmms-tui runs multi-GPU jobs through this command line (harness-facts §7.6). The real accelerate needs torch,
so the demo ships this stand-in: it takes the same launcher flags and starts N local processes
`python -m <module> <args…>`, one per rank, with the environment torch's launcher gives its workers (RANK,
LOCAL_RANK, WORLD_SIZE, …). The demo harnesses read those variables exactly as the real ones do: every rank
logs, only rank 0 draws bars, prints tables and writes results.

Process behaviour matters more than flag coverage here, because it is what the engine must cope with:
- the workers stay in our process group and share our stdout/stderr, so a reader of those pipes sees
  end-of-file only when every rank is gone;
- SIGTERM/SIGINT sent to us are forwarded to the workers, then we wait for them; once they are gone we die of
  that same signal, like a single-process harness would;
- without a signal we exit with the first non-zero worker exit code (128+N for a worker killed by signal N).
Stdlib only, Python 3.8+.
"""
from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys

DEFAULT_PORT = 29500
PRECISIONS = ("no", "fp16", "bf16", "fp8")
DYNAMO_BACKENDS = ("no", "eager", "aot_eager", "inductor", "cudagraphs", "onnxrt", "tensorrt", "ipex", "tvm")
# Flags whose absence makes the real launcher print its "defaults used instead" notice.
_NOTICE_FLAGS = ("num_processes", "num_machines", "mixed_precision", "dynamo_backend")


def _count(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 (got {text})")
    return value


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port number 0-65535 (got {text})")
    return value


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="accelerate <command> [<args>] launch",
        usage="accelerate <command> [<args>] launch [launcher flags] [-m] training_script [training_script_args …]",
        description="DEMO stand-in for `accelerate launch` (lmms-tui demo harness): local processes, no GPUs.",
    )
    p.add_argument("--num_processes", type=_count, default=None, help="ranks to start (default: visible GPUs, or 1)")
    p.add_argument("--num_machines", type=int, default=None, help="must be 1 in the demo")
    p.add_argument("--machine_rank", type=int, default=0, help="must be 0 in the demo")
    p.add_argument("--main_process_ip", default="127.0.0.1")
    p.add_argument("--main_process_port", type=_port, default=None, help=f"default {DEFAULT_PORT}; 0 picks a free port")
    p.add_argument("--mixed_precision", type=str.lower, choices=PRECISIONS, default=None)
    p.add_argument("--dynamo_backend", type=str.lower, choices=DYNAMO_BACKENDS, default=None)
    p.add_argument("--multi_gpu", action="store_true")
    p.add_argument("--cpu", action="store_true")
    p.add_argument("--gpu_ids", default=None, help="comma-separated GPU ids, or `all`; becomes CUDA_VISIBLE_DEVICES")
    p.add_argument("--num_cpu_threads_per_process", type=_count, default=None)
    p.add_argument("-m", "--module", action="store_true", help="training_script is a module name (python -m)")
    p.add_argument("training_script")
    p.add_argument("training_script_args", nargs=argparse.REMAINDER)
    return p


def visible_gpus(env) -> list:
    raw = env.get("CUDA_VISIBLE_DEVICES")
    return [x.strip() for x in raw.split(",") if x.strip()] if raw is not None else []


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def exit_code(status: int) -> int:
    """A wait status as the shell reports it (os.waitstatus_to_exitcode is Python 3.9+)."""
    return 128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


def worker_env(base, rank: int, size: int, args, port: int) -> dict:
    env = dict(base)
    env.update({
        "RANK": str(rank), "LOCAL_RANK": str(rank), "WORLD_SIZE": str(size), "LOCAL_WORLD_SIZE": str(size),
        "GROUP_RANK": "0", "ROLE_RANK": str(rank), "ROLE_WORLD_SIZE": str(size),
        "MASTER_ADDR": args.main_process_ip, "MASTER_PORT": str(port),
        "ACCELERATE_MIXED_PRECISION": args.mixed_precision or "no",
        "ACCELERATE_DYNAMO_BACKEND": (args.dynamo_backend or "no").upper(),
    })
    if args.gpu_ids and args.gpu_ids != "all":
        env["CUDA_VISIBLE_DEVICES"] = args.gpu_ids
    if args.num_cpu_threads_per_process:
        env["OMP_NUM_THREADS"] = str(args.num_cpu_threads_per_process)
    return env


class Launch:
    """The running ranks: started together, signals forwarded, reaped in the order they finish."""

    def __init__(self, commands: list, envs: list) -> None:
        self.commands, self.envs = commands, envs
        self.live: dict = {}  # pid -> (rank, Popen), until reaped
        self.signalled = 0

    def forward(self, signum, _frame) -> None:
        self.signalled = self.signalled or signum
        for pid in list(self.live):
            try:
                os.kill(pid, signum)
            except ProcessLookupError:
                pass

    def run(self) -> int:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self.forward)
        for rank, (cmd, env) in enumerate(zip(self.commands, self.envs)):
            if self.signalled:
                break  # stopped while starting: do not start more ranks
            # No setsid: the ranks share our group, so a stop aimed at the group reaches them all.
            proc = subprocess.Popen(cmd, env=env)
            self.live[proc.pid] = (rank, proc)
        first_failure = 0
        while self.live:
            try:
                pid, status = os.waitpid(-1, 0)  # retried after a forwarded signal (PEP 475)
            except ChildProcessError:
                break
            if pid not in self.live:
                continue
            rank, proc = self.live.pop(pid)
            proc.returncode = code = exit_code(status)
            if code and not self.signalled:
                sys.stderr.write(f"ERROR [demo accelerate launch] rank {rank} (pid {pid}) exited with code {code}\n")
                sys.stderr.flush()
            first_failure = first_failure or code
        if self.signalled:
            # Die of the signal we were sent, so callers see what they would see for the harness alone.
            signal.signal(self.signalled, signal.SIG_DFL)
            os.kill(os.getpid(), self.signalled)
            return 128 + self.signalled
        return first_failure


def defaults_notice(args, num_processes: int) -> str:
    missing = [f for f in _NOTICE_FLAGS if getattr(args, f) is None]
    if not missing:
        return ""
    shown = {"num_processes": num_processes, "num_machines": 1, "mixed_precision": "'no'", "dynamo_backend": "'no'"}
    lines = ["The following values were not passed to `accelerate launch` and had defaults used instead:"]
    lines += [f"\t`--{f}` was set to a value of `{shown[f]}`" for f in missing]
    lines.append("To avoid this warning pass in values for each of the problematic parameters or run `accelerate config`.")
    return "\n".join(lines) + "\n"


def main(argv=None) -> None:
    parser = build_parser()
    args = parser.parse_args(argv)
    if (args.num_machines or 1) != 1 or args.machine_rank != 0:
        parser.error("the demo launcher runs on one machine only (--num_machines 1, --machine_rank 0)")
    if args.gpu_ids and args.gpu_ids != "all":
        gpus = [x.strip() for x in args.gpu_ids.split(",") if x.strip()]
    else:
        gpus = visible_gpus(os.environ)
    size = args.num_processes or (1 if args.cpu else len(gpus) or 1)
    port = args.main_process_port if args.main_process_port is not None else DEFAULT_PORT
    port = port or free_port()
    target = ["-m", args.training_script] if args.module else [args.training_script]
    cmd = [sys.executable] + target + list(args.training_script_args)
    sys.stderr.write(defaults_notice(args, size))
    sys.stderr.write(
        f"INFO [demo accelerate launch] DEMO LAUNCHER: simulated `accelerate launch` (not the real accelerate, no GPU "
        f"is used): starting {size} process{'es' if size != 1 else ''} of `{' '.join(target)}` with "
        f"MASTER_ADDR={args.main_process_ip} MASTER_PORT={port}\n"
    )
    sys.stderr.flush()
    envs = [worker_env(os.environ, rank, size, args, port) for rank in range(size)]
    sys.exit(Launch([cmd] * size, envs).run())


if __name__ == "__main__":
    main()
