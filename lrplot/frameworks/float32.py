"""What computing a schedule in float32 does to a run, for the frameworks that compute in it (Keras, optax).

Used by their ``checks`` (an ``info`` rule, so ``explain`` says it and ``check`` does not report it):
the run in the other precision, compared step by step with the trace.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..engine.pitfalls import Subject, num
from ..errors import LrplotError


def float32_moves(s: Subject, why: str) -> str | None:
    """How far float32 moves this run's lr from float64 (or, for a float32 run, float64 from it)."""
    from ..engine import simulate

    trace = s.trace
    if trace is None or s.spec.run.total_steps > 2_000_000:
        return None
    other = "float32" if s.spec.run.dtype == "float64" else "float64"
    try:
        other_lr = simulate(replace(s.spec, run=replace(s.spec.run, dtype=other))).lr
    except LrplotError as exc:  # the other precision cannot hold this run (an lr beyond float32's range)
        return f"{why}: in {other} this run cannot be computed ({exc.message if hasattr(exc, 'message') else exc})"
    diff = np.abs(other_lr - trace.lr)
    peak = float(np.abs(trace.lr).max()) or 1.0
    k = int(np.argmax(diff[0]))
    changed = int(np.count_nonzero(diff[0]))
    if not changed:  # every lr of this run is a float32 already
        return None
    if s.spec.run.dtype == "float64":
        head = f"{why}: on this run float32 moves the lr by at most {num(diff[0, k])} ({diff[0, k] / peak:.2g} of the peak) at {s.spec.run.at(k)}"
        return f"{head}, {changed:,} of {diff.shape[1]:,} steps differ; --dtype float32 shows the float32 run"
    return (f"{why}: float64 would move this float32 run's lr by at most {num(diff[0, k])} ({diff[0, k] / peak:.2g} of the peak) "
            f"at {s.spec.run.at(k)} ({changed:,} of {diff.shape[1]:,} steps differ)")
