"""Simulation: a validated Spec -> a Trace, following DESIGN.md's stepping convention.

For each optimizer step k the trace records the lr (and momentum) the step trains with. How the
scheduler is stepped between them is the framework's own convention (torch: after every step,
after each epoch's last step, or with ``step(epoch + i / steps_per_epoch)``), so each framework's
``engine`` module does the stepping; this module lays out the common parts: the step and epoch
axes, the metric, and the checks every trace passes.
"""

from __future__ import annotations

import os
from typing import Any, Mapping

import numpy as np

from ..config import Spec, load
from ..errors import ConfigError
from .trace import PlateauLog, Simulated, Trace

__all__ = ["Trace", "Simulated", "simulate", "tracks_momentum"]


def simulate(config: Spec | Mapping[str, Any] | str | os.PathLike, exact: bool = False) -> Trace:
    """Simulate a config (a Spec, a mapping in the YAML schema, or a YAML path) into a Trace.

    ``exact`` follows the framework's operation order step by step (bit-identical to it);
    otherwise closed forms over numpy arrays are used where they cover the config.
    """
    spec = config if isinstance(config, Spec) else load(config)
    # A schedule that overflows is refused below, by the values it made (check_finite), with the step
    # where it happens: numpy's own warnings on the way would only print lines around that error.
    with np.errstate(all="ignore"):
        result: Simulated = spec.family.part("engine").simulate(spec, exact)
    lr, fed = result.lr, result.fed
    check_finite(spec, lr, "lr")
    if result.momentum is not None:
        check_finite(spec, result.momentum, "momentum")
    run = spec.run
    n = run.total_steps
    steps = np.arange(n, dtype=np.int64)
    metric = plateau = None
    if spec.metric is not None:
        at = result.at
        if fed is None:
            # A schedule that does not react to the metric: feed the model the lrs it chose.
            from ..metric import MetricFeed

            feed = MetricFeed(spec.metric, spec.optimizer.groups[0].lr)
            fed = [feed.next(float(lr[0, k])) for k in at]
        metric = np.full(n, np.nan)
        metric[at] = np.asarray(fed, dtype=np.float64)
        check_finite(spec, metric[at][None, :], "metric", allow_nan=True)
        if result.plateau is not None:
            columns = list(zip(*result.plateau)) or [()] * 4  # a run that ends before the scheduler's first step
            plateau = PlateauLog(at, *(np.asarray(col) for col in columns))
    return Trace(spec, steps, steps / run.steps_per_epoch, lr, result.momentum, metric, plateau)


def tracks_momentum(spec: Spec) -> bool:
    """A trace carries momentum when the optimizer names it or a scheduler cycles it."""
    opt = spec.optimizer
    if opt.momentum is not None or opt.betas is not None:
        return True
    return any(s.params.get("cycle_momentum", False) for s in spec.scheduler.walk())


def initial_momentum(spec: Spec) -> np.ndarray:
    """Each group's momentum (or beta1) as the optimizer is built."""
    opt = spec.optimizer
    value = opt.betas[0] if opt.betas is not None else (opt.momentum or 0.0)
    return np.full(len(opt.groups), float(value))


def check_finite(spec: Spec, values: np.ndarray, what: str, allow_nan: bool = False) -> None:
    bad = np.isinf(values) if allow_nan else ~np.isfinite(values)
    if bad.any():
        g, k = (int(i[0]) for i in np.nonzero(bad))
        group = f" of group {spec.group_names[g]!r}" if what != "metric" else ""
        raise ConfigError(
            spec.scheduler.path,
            f"the {what}{group} becomes {values[g, k]} at step {k}; the schedule overflows, so lrplot cannot draw it",
        )
