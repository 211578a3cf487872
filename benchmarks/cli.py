"""lrplot's first figure against the alternatives, end to end, side by side in one run.

    python benchmarks/cli.py [--runs 15]

Each contender runs as a fresh process drawing StepLR(step_size=10, gamma=0.5) over 100 epochs into
a PNG, in turn with the others, so that load on this shared machine hits them alike. Reported: the
median wall time and the ratios. Contenders:

- lrplot: `lrplot plot step --step-size 10 --gamma 0.5 -o x.png`
- lrplot --term: the same figure drawn in the terminal (braille, no matplotlib): target under 0.15 s,
  and about what `lrplot export` (the floor: Python, numpy, the simulation) takes
- minimal: the smallest script that draws the same line with matplotlib's Figure API and saves a PNG
- traditional: what people write today: import torch, step a real StepLR, plot with pyplot
  (needs the reference extra; skipped without torch)
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MINIMAL = """
import numpy as np
from matplotlib.figure import Figure
lr = 0.1 * 0.5 ** (np.arange(100) // 10)
fig = Figure()
fig.subplots().plot(lr)
fig.savefig("minimal.png")
"""

TRADITIONAL = """
import torch
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
model = torch.nn.Linear(1, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.5)
lrs = []
for epoch in range(100):
    lrs.append(optimizer.param_groups[0]["lr"])
    optimizer.step()
    scheduler.step()
plt.plot(lrs)
plt.xlabel("epoch")
plt.ylabel("learning rate")
plt.savefig("traditional.png")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    # pip compiles an installed package to bytecode; an editable checkout under
    # PYTHONDONTWRITEBYTECODE would recompile lrplot's sources on every run instead.
    import compileall

    import lrplot

    compileall.compile_dir(Path(lrplot.__file__).parent, quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "minimal.py").write_text(MINIMAL)
        (folder / "traditional.py").write_text(TRADITIONAL)
        contenders = {
            "lrplot": [sys.executable, "-m", "lrplot", "plot", "step", "--step-size", "10", "--gamma", "0.5", "-o", "x.png"],
            "minimal": [sys.executable, "minimal.py"],
            "lrplot --term": [sys.executable, "-m", "lrplot", "plot", "step", "--step-size", "10", "--gamma", "0.5", "--term"],
            "lrplot export": [sys.executable, "-m", "lrplot", "export", "step", "--step-size", "10", "--gamma", "0.5", "-o", "x.json"],
            "lrplot --help": [sys.executable, "-m", "lrplot", "--help"],
        }
        # the terminal figure at a fixed size, as a terminal of 100 x 30 would get it
        env = {**os.environ, "COLUMNS": "100", "LINES": "30"}
        if importlib.util.find_spec("torch") is not None:
            contenders["traditional"] = [sys.executable, "traditional.py"]
        times: dict[str, list[float]] = {name: [] for name in contenders}
        for _ in range(args.runs):
            for name, command in contenders.items():
                t0 = time.perf_counter()
                subprocess.run(command, cwd=folder, check=True, capture_output=True, env=env)
                times[name].append(time.perf_counter() - t0)
    median = {name: statistics.median(values) for name, values in times.items()}
    print(f"median of {args.runs} alternating runs, each a fresh process (lrplot compiled to bytecode, as pip installs it)")
    for name, value in median.items():
        print(f"  {name:<14} {value * 1e3:7.0f} ms")
    print(f"lrplot / minimal Figure script: {median['lrplot'] / median['minimal']:.2f}x  (target: at most 1.2x)")
    print(f"lrplot --term / lrplot PNG: {median['lrplot --term'] / median['lrplot']:.2f}x  ({median['lrplot --term'] * 1e3:.0f} ms; target: under 150 ms)")
    print(f"lrplot --term / lrplot export: {median['lrplot --term'] / median['lrplot export']:.2f}x")
    if "traditional" in median:
        print(f"traditional torch + pyplot / lrplot: {median['traditional'] / median['lrplot']:.1f}x")
    else:
        print("traditional torch + pyplot: skipped, torch is not installed (pip install -e .[reference])")


if __name__ == "__main__":
    main()
