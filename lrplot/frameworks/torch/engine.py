"""Stepping torch's schedulers through a run, as DESIGN.md's stepping convention says.

For each optimizer step k the trace records the lr (and momentum) the step trains with, then the
scheduler is stepped: after every step (``iteration``), after each epoch's last step (``epoch``), or
with ``step(epoch + i / steps_per_epoch)`` after step i of each epoch (``fractional``).

Two engines produce the same numbers: ``closed`` evaluates closed forms over whole numpy arrays
(fast, within 1e-12 of torch relative to the peak lr), and ``replica`` replays torch's own
step-by-step arithmetic (bit-identical to torch). ``exact=True`` forces the second; otherwise the
closed forms are used wherever they cover the config.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ...config import Spec
from ...engine import Simulated, tracks_momentum
from ...errors import ConfigError, TorchWouldRaise
from ...metric import MetricFeed
from . import closed


def simulate(spec: Spec, exact: bool = False) -> Simulated:
    at = scheduler_step_positions(spec)
    result = None if exact else closed.simulate(spec)
    if result is not None:
        lr, momentum = result
        return Simulated(lr, momentum, at)
    return _replay(spec, at)


def scheduler_step_positions(spec: Spec) -> np.ndarray:
    """The optimizer steps after which scheduler.step() is called."""
    run = spec.run
    if run.step == "epoch":
        return np.arange(run.steps_per_epoch - 1, run.total_steps, run.steps_per_epoch)
    return np.arange(run.total_steps)


def _replay(spec: Spec, at: np.ndarray) -> Simulated:
    from . import replica  # the replica loads only when a config needs it

    return replay(spec, at, lambda opt: replica.build(opt, spec.scheduler), lambda kind, message, where: _torch_would_raise(spec, kind, message, where))


def replay(spec: Spec, at: np.ndarray, build: Callable[[Any], Any], raised: Callable[[str, str, str], ConfigError]) -> Simulated:
    """Step a replica scheduler (``build(optimizer)``) through the run the way torch's loop does.

    Also the replay of schedules that are torch schedulers underneath (transformers' LambdaLR and
    metric-driven ones); ``raised(kind, message, where)`` words what the library raises.
    """
    from . import replica

    run = spec.run
    opt = replica.FakeOptimizer(spec.optimizer)
    with_momentum = tracks_momentum(spec)
    metric = MetricFeed(spec.metric, spec.optimizer.groups[0].lr) if spec.scheduler.info.steps_on_metric else None
    lrs: list[list[float]] = []
    momenta: list[list[float]] = []
    where = "while constructing it"
    spe = run.steps_per_epoch
    try:
        sched = build(opt)
        for k in range(run.total_steps):
            epoch, i = divmod(k, spe)
            lrs.append(opt.lrs())
            if with_momentum:
                momenta.append(opt.momenta())
            where = f"at optimizer step {k}"
            if run.step == "iteration":
                _step(sched, metric)
            elif run.step == "fractional":
                # Python's int + float, exactly as in torch's documented idiom.
                _step(sched, metric, epoch + i / spe)
            elif i == spe - 1:
                _step(sched, metric)
    except replica.TorchRaised as exc:
        raise raised(exc.kind, exc.message, where) from None
    except (ZeroDivisionError, OverflowError, ValueError) as exc:
        # The replica does the library's arithmetic; Python raising here means the library raises too.
        raise raised(type(exc).__name__, str(exc), where) from None
    lr = np.array(lrs, dtype=np.float64).T.copy()
    momentum = np.array(momenta, dtype=np.float64).T.copy() if with_momentum else None
    if metric is None:
        return Simulated(lr, momentum, at)
    return Simulated(lr, momentum, at, metric.fed, sched.log)


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
