"""`lrplot gallery --check` of an unchanged 200-config gallery, against `lrplot list`.

    python benchmarks/gallery.py [--configs 200] [--runs 9]

Generates CONFIGS configs (StepLR, MultiStepLR, cosine, OneCycleLR, SequentialLR warmups, each
with its own numbers), writes their gallery once (drawing every figure into a fresh figure cache),
then times, in turn so that load on this shared machine hits them alike, fresh processes of

- check: `lrplot gallery configs -o gallery --check` (every figure found in the cache: nothing drawn)
- list: `lrplot list`, which pays the same start-up (Python, click, lrplot's registry)

and reports the median wall times and their ratio. Target: check under a second, a small multiple
of list. A last check with one config edited shows the cost of one stale figure (drawn, its
difference image written).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def config(i: int) -> str:
    """The i-th generated config: five kinds of schedule, each with numbers of its own."""
    epochs = 20 + i % 80
    kind = i % 5
    if kind == 0:
        scheduler = f"{{type: StepLR, step_size: {2 + i % 9}, gamma: {0.3 + (i % 6) / 10}}}"
    elif kind == 1:
        scheduler = f"{{type: MultiStepLR, milestones: [{epochs // 2}, {3 * epochs // 4}], gamma: 0.1}}"
    elif kind == 2:
        scheduler = f"{{type: CosineAnnealingLR, T_max: {epochs}, eta_min: {i % 7}e-4}}"
    elif kind == 3:
        scheduler = f"{{type: OneCycleLR, max_lr: {0.05 + (i % 10) / 100}, total_steps: {epochs * 10}}}"
        return f"# generated config {i}: OneCycleLR per batch.\nrun: {{epochs: {epochs}, steps_per_epoch: 10}}\nscheduler: {scheduler}\n"
    else:
        w = 1 + i % 5
        scheduler = (f"{{type: SequentialLR, milestones: [{w}], schedulers: [{{type: LinearLR, start_factor: 0.1, total_iters: {w}}}, "
                     f"{{type: CosineAnnealingLR, T_max: {epochs - w}}}]}}")
    return f"# generated config {i}: a schedule with numbers of its own.\noptimizer: {{lr: 0.1, momentum: 0.9}}\nrun: {{epochs: {epochs}}}\nscheduler: {scheduler}\n"


def timed(args: list[str], cwd: Path, env: dict[str, str], expect: int = 0) -> float:
    start = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True)
    elapsed = time.perf_counter() - start
    if done.returncode != expect:
        sys.exit(f"{' '.join(args)} exited {done.returncode}: {done.stderr.decode()[-500:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", type=int, default=200)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    lrplot = [sys.executable, "-m", "lrplot"]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "configs").mkdir()
        for i in range(args.configs):
            (root / "configs" / f"schedule-{i:03d}.yaml").write_text(config(i))
        env = {**os.environ, "LRPLOT_CACHE_DIR": str(root / "cache")}
        first = timed([*lrplot, "gallery", "configs", "-o", "gallery"], root, env)
        print(f"first gallery of {args.configs} configs (every figure drawn): {first:.1f} s")
        check, listing = [], []
        for _ in range(args.runs):
            check.append(timed([*lrplot, "gallery", "configs", "-o", "gallery", "--check"], root, env))
            listing.append(timed([*lrplot, "list"], root, env))
        c, l = statistics.median(check), statistics.median(listing)
        print(f"lrplot gallery --check, unchanged: {c:.3f} s (median of {args.runs})")
        print(f"lrplot list:                       {l:.3f} s")
        print(f"ratio:                             {c / l:.2f}")
        edited = root / "configs" / "schedule-000.yaml"
        edited.write_text(edited.read_text().replace("step_size: 2", "step_size: 3"))
        stale = timed([*lrplot, "gallery", "configs", "-o", "gallery", "--check"], root, env, expect=1)
        print(f"--check with one config edited (one figure drawn, its difference image written): {stale:.3f} s")


if __name__ == "__main__":
    main()
