"""Simulation: a validated Spec -> a Trace, following DESIGN.md's stepping convention.

For each optimizer step k the trace records the lr (and momentum) the step trains with, then the
scheduler is stepped: after every step (``iteration``), after each epoch's last step (``epoch``), or
with ``step(epoch + i / steps_per_epoch)`` after step i of each epoch (``fractional``).

Two engines produce the same numbers: ``vectorized`` evaluates closed forms over whole numpy arrays
(fast, within 1e-12 of torch relative to the peak lr), and ``stateful`` replays torch's own
step-by-step arithmetic (bit-identical to torch). ``exact=True`` forces the second; otherwise the
vectorized engine is used wherever it covers the config.
"""

from __future__ import annotations

import os
from typing import Any, Mapping

import numpy as np

from ..config import Spec, load
from ..errors import ConfigError, TorchWouldRaise
from . import vectorized
from ..metric import MetricFeed
from .trace import PlateauLog, Trace

__all__ = ["Trace", "simulate"]


def simulate(config: Spec | Mapping[str, Any] | str | os.PathLike, exact: bool = False) -> Trace:
    """Simulate a config (a Spec, a mapping in the YAML schema, or a YAML path) into a Trace."""
    spec = config if isinstance(config, Spec) else load(config)
    result = None if exact else vectorized.simulate(spec)
    plateau = None
    if result is None:
        lr, momentum, fed, plateau = _run_stateful(spec)
    else:
        (lr, momentum), fed = result, None
    _check_finite(spec, lr, "lr")
    run = spec.run
    n = run.total_steps
    steps = np.arange(n, dtype=np.int64)
    metric = None
    if spec.metric is not None:
        at = _scheduler_step_positions(spec)
        if fed is None:
            # A schedule that does not react to the metric: feed the model the lrs it chose.
            feed = MetricFeed(spec.metric, spec.optimizer.groups[0].lr)
            fed = [feed.next(float(lr[0, k])) for k in at]
        metric = np.full(n, np.nan)
        metric[at] = np.asarray(fed, dtype=np.float64)
        _check_finite(spec, metric[at][None, :], "metric", allow_nan=True)
        if plateau is not None:
            plateau = PlateauLog(at, *(np.asarray(col) for col in zip(*plateau)))
    return Trace(spec, steps, steps / run.steps_per_epoch, lr, momentum, metric, plateau)


def tracks_momentum(spec: Spec) -> bool:
    """A trace carries momentum when the optimizer names it or a scheduler cycles it."""
    opt = spec.optimizer
    if opt.momentum is not None or opt.betas is not None:
        return True
    return any(s.params.get("cycle_momentum", False) for s in spec.scheduler.walk())


def _scheduler_step_positions(spec: Spec) -> np.ndarray:
    """The optimizer steps after which scheduler.step() is called."""
    run = spec.run
    if run.step == "epoch":
        return np.arange(run.epochs) * run.steps_per_epoch + run.steps_per_epoch - 1
    return np.arange(run.total_steps)


def _run_stateful(spec: Spec):
    from . import stateful  # the replica loads only when a config needs it

    run = spec.run
    opt = stateful.FakeOptimizer(spec.optimizer)
    with_momentum = tracks_momentum(spec)
    feed = MetricFeed(spec.metric, spec.optimizer.groups[0].lr) if spec.metric is not None else None
    metric = feed if spec.scheduler.type == "ReduceLROnPlateau" else None
    lrs: list[list[float]] = []
    momenta: list[list[float]] = []
    where = "while constructing it"
    try:
        sched = stateful.build(opt, spec.scheduler)
        spe = run.steps_per_epoch
        for epoch in range(run.epochs):
            for i in range(spe):
                lrs.append(opt.lrs())
                if with_momentum:
                    momenta.append(opt.momenta())
                where = f"at optimizer step {epoch * spe + i}"
                if run.step == "iteration":
                    _step(sched, metric)
                elif run.step == "fractional":
                    # Python's int + float, exactly as in torch's documented idiom.
                    _step(sched, metric, epoch + i / spe)
            if run.step == "epoch":
                _step(sched, metric)
    except stateful.TorchRaised as exc:
        raise _torch_would_raise(spec, exc.kind, exc.message, where) from None
    except (ZeroDivisionError, OverflowError, ValueError) as exc:
        # The replica does torch's arithmetic; Python raising here means torch raises too.
        raise _torch_would_raise(spec, type(exc).__name__, str(exc), where) from None
    lr = np.array(lrs, dtype=np.float64).T.copy()
    momentum = np.array(momenta, dtype=np.float64).T.copy() if with_momentum else None
    if metric is None:
        return lr, momentum, None, None
    return lr, momentum, metric.fed, sched.log


def _step(sched: Any, metric: MetricFeed | None, epoch: Any = None) -> None:
    if metric is not None:
        # The metric of the epoch (or iteration) just trained, at the lr it trained with.
        sched.step(metric.next(sched.opt.param_groups[0]["lr"]), epoch)
    else:
        sched.step(epoch)


def _torch_would_raise(spec: Spec, kind: str, message: str, where: str) -> ConfigError:
    total_steps = next((s for s in spec.scheduler.walk() if s.type == "OneCycleLR"), None)
    if kind == "ValueError" and message.startswith("Tried to step") and total_steps is not None:
        return TorchWouldRaise(
            f"{total_steps.path}.total_steps",
            f"torch raises ValueError {where} ({message}): OneCycleLR cannot be stepped past its "
            f"total steps; set total_steps to at least {spec.run.scheduler_steps} (the run's scheduler "
            "steps), or leave it out so lrplot fills it from the run",
        )
    return TorchWouldRaise(
        spec.scheduler.path,
        f"torch raises {kind} {where} ({message}); change the scheduler's keywords so it can run",
    )


def _check_finite(spec: Spec, lr: np.ndarray, what: str, allow_nan: bool = False) -> None:
    bad = np.isinf(lr) if allow_nan else ~np.isfinite(lr)
    if bad.any():
        g, k = (int(i[0]) for i in np.nonzero(bad))
        raise ConfigError(
            spec.scheduler.path,
            f"the {what} of group {spec.group_names[g]!r} becomes {lr[g, k]} at step {k}; "
            "the schedule overflows, so lrplot cannot draw it",
        )

