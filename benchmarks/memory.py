"""Peak memory of lrplot's engines, exports and log readers at its bounds, side by side with torch
and pandas, in one run.

    python benchmarks/memory.py [--steps 10000000] [--engines-only | --logs-only] [--log-points 1000000]

Logs: `lrplot verify` and `lrplot compare` read a logged run as a stream and keep one step and one
lr per group for each point (runlog.py), so their memory beyond a run with a one-line log is held
to at most 3x the log's size: here 1,000,000 points as JSON lines and as a Lightning-style CSV,
each with a loss beside the lr. And `lrplot verify` of such a log, as a command (a fresh process),
takes at most 2x what a script reading the same file with pandas does (pandas is needed for that
comparison, which is skipped without it).

Engines: the same 10,000,000-step OneCycleLR (one group, momentum cycled) simulated by the default
engine (closed forms over numpy arrays), by the exact engine (``--exact``, torch's arithmetic step
by step), and stepped by torch itself recording its lr and momentum in lists as a script does
(needs the reference extra; skipped without torch). The exact engine writes straight into the
trace's arrays: its peak is held to at most 1.5x the default engine's.

The bound is 20,000,000 traced values (README, "What a config can and cannot do"): here two param
groups over 10,000,000 steps, with momentum, so an export writes 40,000,000 floats besides the
step and epoch columns. Each contender runs as a fresh process; its peak resident memory is the
ru_maxrss that os.wait4 reports for that one child. Contenders:

- simulate: ``lrplot.simulate`` of the same config and nothing else (the trace itself)
- export json / csv: ``lrplot export ... -o FILE``, streamed to an atomic temporary file
- export json to stdout: ``-o -``, streamed into a pipe
- read a 64 MiB log: a log of one-character rows at the log limit, replayed one value per epoch,
  so that every row is parsed (the log is held as bytes and parsed as a stream)

What to read is each export's peak minus the trace's: the cost of writing, which streaming keeps
to a few megabytes however long the run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def peak(command: list[str], cwd: str) -> tuple[float, float]:
    """(peak resident MB, wall seconds) of one fresh process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{proc.stderr.read().decode()}")
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    return usage.ru_maxrss * scale / 2**20, wall


TORCH_LOOP = """
import torch, warnings
warnings.simplefilter("ignore")
opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1, momentum=0.9)
sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps={steps})
group, lrs, momenta = opt.param_groups[0], [], []
for _ in range({steps}):
    lrs.append(group["lr"])
    momenta.append(group["momentum"])
    sched.step()
"""


def engines(steps: int) -> None:
    config = {"scheduler": {"type": "OneCycleLR", "max_lr": 0.1, "total_steps": steps}, "optimizer": {"momentum": 0.9},
              "run": {"iterations": steps, "step": "iteration"}}
    contenders = {
        "default engine": [sys.executable, "-c", f"import lrplot; lrplot.simulate({config!r})"],
        "exact engine (--exact)": [sys.executable, "-c", f"import lrplot; lrplot.simulate({config!r}, exact=True)"],
    }
    try:
        import torch  # noqa: F401
    except ImportError:
        print("  (torch is not installed: its loop is left out)")
    else:
        contenders["torch, its scheduler stepped"] = [sys.executable, "-c", TORCH_LOOP.format(steps=steps)]
    print(f"OneCycleLR over {steps:,} iterations (lr and momentum), one fresh process each")
    with tempfile.TemporaryDirectory() as folder:
        results = {name: peak(command, folder) for name, command in contenders.items()}
    base = results["default engine"][0]
    for name, (mb, wall) in results.items():
        print(f"  {name:<30} peak {mb:7,.0f} MB  {wall:6.1f} s  ({mb / base:.2f}x the default engine's)")
    exact = results["exact engine (--exact)"][0]
    print(f"  the exact engine's peak is {exact / base:.2f}x the default's (held to at most 1.5x)")


def cpu_peak(command: list[str], cwd: str) -> tuple[float, float, float]:
    """(peak resident MB, wall seconds, cpu seconds) of one fresh process that may exit 1 (a diverged verify)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed:\n{proc.stderr.read().decode()}")
    scale = 1 if sys.platform == "darwin" else 1024
    return usage.ru_maxrss * scale / 2**20, wall, usage.ru_utime + usage.ru_stime


def logs(points: int) -> None:
    import random

    lrplot = [sys.executable, "-m", "lrplot"]
    rng = random.Random(0)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        # the plan the logs follow: the lr falls linearly from 1 to 0
        plan = (f"optimizer: {{lr: 1.0}}\nscheduler: {{type: linear, start_factor: 1.0, end_factor: 0.0, total_iters: {points}}}\n"
                f"run: {{iterations: {points}, step: iteration}}\n")
        (root / "plan.yaml").write_text(plan)
        with open(root / "run.jsonl", "w") as f:
            for k in range(points):
                f.write('{"step": %d, "lr": %r, "loss": %r, "epoch": %r}\n' % (k, 1 - k / points, rng.random(), k / 1000))
        with open(root / "metrics.csv", "w") as f:  # Lightning's CSVLogger: an lr row per step, a loss row every 50
            f.write("epoch,lr-SGD,step,train_loss\n")
            for k in range(points):
                f.write(f",{1 - k / points!r},{k},\n")
                if k % 50 == 49:
                    f.write(f"{k // 1000},,{k},{rng.random()!r}\n")
        (root / "tiny.jsonl").write_text('{"step": 0, "lr": 1.0}\n')
        contenders = {
            "verify, a one-line log (the base)": [*lrplot, "verify", "plan.yaml", "tiny.jsonl"],
            "verify, JSON lines": [*lrplot, "verify", "plan.yaml", "run.jsonl"],
            "verify, Lightning CSV": [*lrplot, "verify", "plan.yaml", "metrics.csv"],
            "compare, a one-line log (the base)": [*lrplot, "compare", "plan.yaml", "tiny.jsonl", "-o", "c.png"],
            "compare, JSON lines": [*lrplot, "compare", "plan.yaml", "run.jsonl", "-o", "c.png"],
        }
        try:
            import pandas  # noqa: F401
        except ImportError:
            print("  (pandas is not installed: the reading comparison is left out)")
        else:
            contenders["pandas.read_json(lines=True)"] = [sys.executable, "-c", "import pandas; pandas.read_json('run.jsonl', lines=True)"]
            contenders["pandas.read_csv"] = [sys.executable, "-c", "import pandas; pandas.read_csv('metrics.csv')"]
        sizes = {"JSON lines": (root / "run.jsonl").stat().st_size, "Lightning CSV": (root / "metrics.csv").stat().st_size}
        results = {name: cpu_peak(command, folder) for name, command in contenders.items()}
    print(f"logs of {points:,} points: JSON lines {sizes['JSON lines'] / 2**20:,.0f} MiB, Lightning CSV {sizes['Lightning CSV'] / 2**20:,.0f} MiB; one fresh process each")
    for name, (mb, wall, cpu) in results.items():
        kind = next((k for k in sizes if name.endswith(k)), None)
        base = results[f"{name.split(',')[0]}, a one-line log (the base)"][0] if kind else None
        ratio = f"  (+{mb - base:,.0f} MB over the base: {(mb - base) * 2**20 / sizes[kind]:.2f}x the log's size; at most 3x)" if kind else ""
        print(f"  {name:<36} peak {mb:7,.0f} MB  wall {wall:6.2f} s  cpu {cpu:6.2f} s{ratio}")
    for ours, theirs in (("verify, JSON lines", "pandas.read_json(lines=True)"), ("verify, Lightning CSV", "pandas.read_csv")):
        if theirs in results:
            _, wall, cpu = results[ours]
            _, their_wall, their_cpu = results[theirs]
            print(f"  {ours}: {cpu / their_cpu:.2f}x the cpu and {wall / their_wall:.2f}x the wall time of {theirs} in a script (at most 2x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10_000_000, help="optimizer steps (two param groups each)")
    parser.add_argument("--log-points", type=int, default=1_000_000, help="points of the logs read")
    parser.add_argument("--engines-only", action="store_true", help="only the engines")
    parser.add_argument("--logs-only", action="store_true", help="only the log readers")
    args = parser.parse_args()
    if not args.logs_only:
        engines(args.steps)
        print()
    if not args.engines_only:
        logs(args.log_points)
        print()
    if args.engines_only or args.logs_only:
        return
    run = ["--lr", "0.1,0.2", "--momentum", "0.9", "--epochs", str(args.steps)]
    config = {"scheduler": "cosine", "optimizer": {"lr": [0.1, 0.2], "momentum": 0.9}, "run": {"epochs": args.steps}}
    lrplot = [sys.executable, "-m", "lrplot"]
    contenders = {
        "simulate (the trace alone)": [sys.executable, "-c", f"import lrplot; lrplot.simulate({config!r})"],
        "export json -o FILE": [*lrplot, "export", "cosine", *run, "-o", "trace.json"],
        "export csv -o FILE": [*lrplot, "export", "cosine", *run, "-o", "trace.csv"],
        "export json -o - (a pipe)": [*lrplot, "export", "cosine", *run, "-o", "-"],
    }
    contenders["read a 64 MiB log"] = [*lrplot, "export", "log.yaml", "-o", "log.json"]
    values = 2 * args.steps
    print(f"{values:,} lr values and {values:,} momentum values (2 groups x {args.steps:,} steps), one fresh process each")
    with tempfile.TemporaryDirectory() as folder:
        with open(Path(folder) / "log.csv", "w") as log:  # in pieces: a child's peak counts this process's size at fork
            log.write("x\n" + "1\n" * ((1 << 19) - 1))
            for _ in range(63):
                log.write("1\n" * (1 << 19))
        (Path(folder) / "log.yaml").write_text("scheduler: plateau\nrun: {epochs: 1}\nmetric: {csv: log.csv, column: x, epoch_column: x}\n")
        results = {name: peak(command, folder) for name, command in contenders.items()}
        sizes = {name: (Path(folder) / f"trace.{ext}").stat().st_size for name, ext in (("json", "json"), ("csv", "csv"))}
    base = results["simulate (the trace alone)"][0]
    for name, (mb, wall) in results.items():
        extra = f"  (+{mb - base:,.0f} MB over the trace)" if name.startswith("export") else ""
        print(f"  {name:<28} peak {mb:7,.0f} MB  {wall:6.1f} s{extra}")
    print(f"  files written: JSON {sizes['json'] / 2**20:,.0f} MiB, CSV {sizes['csv'] / 2**20:,.0f} MiB")


if __name__ == "__main__":
    main()
