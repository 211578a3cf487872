"""Peak memory of lrplot's engines and exports at its bound, side by side with torch, in one run.

    python benchmarks/memory.py [--steps 10000000] [--engines-only]

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10_000_000, help="optimizer steps (two param groups each)")
    parser.add_argument("--engines-only", action="store_true", help="only the engines, not the exports")
    args = parser.parse_args()
    engines(args.steps)
    if args.engines_only:
        return
    print()
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
