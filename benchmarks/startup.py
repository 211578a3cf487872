"""What `export`, `check` and `plot --term` cost beyond the libraries every lrplot command loads.

    python benchmarks/startup.py [--runs 21] [--instructions]

Each command runs as a fresh process on configs/warmup-cosine.yaml (a torch schedule), in turn with
`python -c "import numpy, yaml, click"` (the floor: the libraries lrplot cannot start without), so
that load on this shared machine hits them alike. lrplot's modules are compiled first, as pip
installs them. Reported: for each command, the median over runs of its CPU time (user + system)
divided by the floor's in the same round, and the same for wall time; the budget is 1.15x.
On a loaded machine, `--instructions` counts each command's instructions once under valgrind's
callgrind instead: the same count whatever else the machine is doing.

What keeps it there: a family's records load only for a config of that family (registry.py); the
json, csv, secrets, difflib and shutil modules, the expression language, the metric models, the
what-if records and the other frameworks' checks load only where a command needs them; click's
--version (whose help text looks up translations at every start) is lrplot's own.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET = 1.15


def run(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(cpu seconds, wall seconds) of one fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(command, capture_output=True, env=env, cwd=ROOT, check=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall


def instructions(command: list[str], env: dict[str, str]) -> int:
    """Instructions one fresh process executes, counted by callgrind (repeatable under load)."""
    import re
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={folder}/out", *command],
                              capture_output=True, text=True, env=env, cwd=ROOT, check=True)
    return int(re.search(r"Collected : (\d+)", done.stderr).group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--instructions", action="store_true", help="count instructions under valgrind instead of timing")
    args = parser.parse_args()
    import compileall

    import lrplot

    compileall.compile_dir(Path(lrplot.__file__).parent, quiet=1)  # as pip installs it
    config = "configs/warmup-cosine.yaml"
    lrplot_cmd = [sys.executable, "-m", "lrplot"]
    contenders = {
        "floor: import numpy, yaml, click": [sys.executable, "-c", "import numpy, yaml, click"],
        "export CONFIG": [*lrplot_cmd, "export", config],
        "check CONFIG": [*lrplot_cmd, "check", config],
        "plot CONFIG --term": [*lrplot_cmd, "plot", config, "--term"],
    }
    env = {**os.environ, "COLUMNS": "100", "LINES": "30", "NO_COLOR": "1"}
    floor = next(iter(contenders))
    if args.instructions:
        counts = {name: instructions(command, env) for name, command in contenders.items()}
        print("instructions of each command as a fresh process (callgrind), and the ratio to the floor")
        for name, count in counts.items():
            ratio = count / counts[floor]
            verdict = "" if name == floor else ("  within the budget" if ratio <= BUDGET else f"  OVER the {BUDGET}x budget")
            print(f"  {name:<34} {count / 1e6:7.1f} M ({ratio:.2f}x){verdict}")
        return
    cpu: dict[str, list[float]] = {name: [] for name in contenders}
    wall: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(args.runs):
        for name, command in contenders.items():
            c, w = run(command, env)
            cpu[name].append(c)
            wall[name].append(w)
    print(f"{args.runs} rounds, each command a fresh process; medians, and the median of each round's ratio to the floor")
    for name in contenders:
        cpu_ratio = statistics.median(c / f for c, f in zip(cpu[name], cpu[floor]))
        wall_ratio = statistics.median(w / f for w, f in zip(wall[name], wall[floor]))
        verdict = "" if name == floor else ("  within the budget" if cpu_ratio <= BUDGET else f"  OVER the {BUDGET}x budget")
        print(f"  {name:<34} cpu {statistics.median(cpu[name]) * 1e3:6.0f} ms ({cpu_ratio:.2f}x)  "
              f"wall {statistics.median(wall[name]) * 1e3:6.0f} ms ({wall_ratio:.2f}x){verdict}")


if __name__ == "__main__":
    main()
