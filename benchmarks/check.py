"""`lrplot check` on a small config against the floor every lrplot command pays, side by side in one run.

    python benchmarks/check.py [--runs 15]

Each contender runs as a fresh process, in turn with the others, so that load on this shared machine
hits them alike. Reported: the median wall time and the ratios. Contenders:

- check: `lrplot check configs/warmup-cosine.yaml` (load, simulate, every rule; the issue's budget:
  under 0.2 s for a small config, and no matplotlib)
- check folder: `lrplot check configs/`, every recipe of the repository, per config
- export: `lrplot export configs/warmup-cosine.yaml` (the same load and simulation, written as JSON)
- imports: `python -c "import click, numpy, yaml"`, the libraries any lrplot command loads
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    import compileall

    import lrplot

    compileall.compile_dir(Path(lrplot.__file__).parent, quiet=1)  # as pip installs it
    config = str(ROOT / "configs" / "warmup-cosine.yaml")
    folder = ROOT / "configs"
    n_configs = len(list(folder.glob("*.yaml")))
    contenders = {
        "check": [sys.executable, "-m", "lrplot", "check", config],
        "check folder": [sys.executable, "-m", "lrplot", "check", str(folder)],
        "export": [sys.executable, "-m", "lrplot", "export", config, "-o", "-"],
        "imports": [sys.executable, "-c", "import click, numpy, yaml"],
    }
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(args.runs):
        for name, command in contenders.items():
            t0 = time.perf_counter()
            subprocess.run(command, capture_output=True)
            times[name].append(time.perf_counter() - t0)
    median = {name: statistics.median(values) for name, values in times.items()}
    print(f"median of {args.runs} alternating runs, each a fresh process")
    for name, value in median.items():
        print(f"  {name:<13} {value * 1e3:7.0f} ms")
    print(f"check / imports: {median['check'] / median['imports']:.2f}x   check / export: {median['check'] / median['export']:.2f}x")
    per_config = (median["check folder"] - median["imports"]) / n_configs
    print(f"check folder: {n_configs} configs, {per_config * 1e3:.0f} ms per config beyond the imports")


if __name__ == "__main__":
    main()
