"""Peak memory of exports at lrplot's bound, against the trace alone, side by side in one run.

    python benchmarks/memory.py [--steps 10000000]

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10_000_000, help="optimizer steps (two param groups each)")
    args = parser.parse_args()
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
