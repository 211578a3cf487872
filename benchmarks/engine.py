"""lrplot's engine against stepping real torch, side by side in one process.

    python benchmarks/engine.py            # needs the reference extra (torch==2.13.0)

For each run: lrplot's vectorized engine (the default), its exact step-by-step engine, and real torch
stepping the same scheduler over a fake optimizer the way DESIGN.md says. Torch is timed on a prefix
of the long runs and scaled per step (said in the output); the schedules are given explicit lengths
so a prefix steps exactly what the full run would. Times are the best of several repeats; the ratios
are what to read, since this machine is shared and noisy.
"""

from __future__ import annotations

import time

import lrplot
from lrplot.config import load
from lrplot.frameworks.torch.reference import torch_trace

RUNS = {
    "OneCycleLR, 1,000,000 iterations": (
        {"scheduler": {"type": "OneCycleLR", "max_lr": 0.1, "total_steps": 1_000_000}},
        {"epochs": 1000, "steps_per_epoch": 1000, "step": "iteration"},
    ),
    "SequentialLR(LinearLR, CosineAnnealingLR), 1,000,000 iterations": (
        {
            "scheduler": {
                "type": "SequentialLR",
                "milestones": [50_000],
                "schedulers": [
                    {"type": "LinearLR", "start_factor": 0.01, "total_iters": 50_000},
                    {"type": "CosineAnnealingLR", "T_max": 950_000},
                ],
            }
        },
        {"epochs": 1000, "steps_per_epoch": 1000, "step": "iteration"},
    ),
    "StepLR, 100 epochs": (
        {"scheduler": {"type": "StepLR", "step_size": 30, "gamma": 0.1}},
        {"epochs": 100, "steps_per_epoch": 1, "step": "epoch"},
    ),
}
TORCH_PREFIX_STEPS = 20_000


def best_of(fn, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.1f}ms" if seconds >= 1e-3 else f"{seconds * 1e6:.0f}us"


def main() -> None:
    import torch

    print(f"torch {torch.__version__}, lrplot {lrplot.__version__}")
    print(f"{'run':<68} {'lrplot':>10} {'exact':>10} {'torch':>10} {'torch/lrplot':>13}")
    for label, (config, run) in RUNS.items():
        spec = load({**config, "run": run})
        steps = spec.run.total_steps
        fast = best_of(lambda: lrplot.simulate(spec), 5)
        exact = best_of(lambda: lrplot.simulate(spec, exact=True), 1 if steps > 100_000 else 5)
        if steps > TORCH_PREFIX_STEPS:
            prefix = load({**config, "run": {**run, "epochs": TORCH_PREFIX_STEPS // run["steps_per_epoch"]}})
            torch_time = best_of(lambda: torch_trace(prefix), 2) * steps / prefix.run.total_steps
            note = f"  (torch timed on the first {prefix.run.total_steps:,} steps, scaled)"
        else:
            torch_time = best_of(lambda: torch_trace(spec), 5)
            note = ""
        print(f"{label:<68} {_ms(fast):>10} {_ms(exact):>10} {_ms(torch_time):>10} {torch_time / fast:>12.0f}x{note}")


if __name__ == "__main__":
    main()
