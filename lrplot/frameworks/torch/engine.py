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

    The lrs (and momenta) go straight into the trace's arrays, 8 bytes a value, and the loop does
    nothing per step but read the groups and step the scheduler; where the library raised is
    worked out only when it does.
    """
    from . import replica

    run = spec.run
    n, spe, mode = run.total_steps, run.steps_per_epoch, run.step
    opt = replica.FakeOptimizer(spec.optimizer)
    lr = np.empty((len(spec.optimizer.groups), n))
    momentum = np.empty_like(lr) if tracks_momentum(spec) else None
    if momentum is not None and not any(s.params.get("cycle_momentum", False) for s in spec.scheduler.walk()):
        # Only CyclicLR and OneCycleLR move the momentum (beta1): for the rest it is the optimizer's
        # own throughout, written once here rather than read at every step.
        from ...engine import initial_momentum

        momentum[:] = initial_momentum(spec)[:, None]
        momentum, constant_momentum = None, momentum
    else:
        constant_momentum = None
    metric = None
    if spec.scheduler.info.steps_on_metric:
        from ...metric import MetricFeed

        metric = MetricFeed(spec.metric, spec.optimizer.groups[0].lr)
    k = -1  # the optimizer step being run; -1 while the scheduler is built
    try:
        sched = build(opt)
        if metric is None:
            step = sched.step
        else:
            def step(epoch: Any = None, sched: Any = sched) -> None:
                # The metric of the epoch (or iteration) just trained, at the lr it trained with.
                sched.step(metric.next(sched.opt.param_groups[0]["lr"]), epoch)
        if mode == "epoch":
            # The lr moves only when an epoch ends: each epoch's steps are recorded at once.
            record = _recorder(opt, lr, momentum)
            for first in range(0, n, spe):
                k = first
                record(slice(first, first + spe))
                if first + spe <= n:
                    k = first + spe - 1
                    step()
        elif mode == "fractional":
            record = _recorder(opt, lr, momentum)
            for k in range(n):
                record(k)
                epoch, i = divmod(k, spe)
                step(epoch + i / spe)  # Python's int + float, exactly as in torch's documented idiom
        elif len(lr) == 1:  # iteration, one group: the commonest long run, recorded inline
            row, group = lr[0], opt.param_groups[0]
            if momentum is None:
                for k in range(n):
                    row[k] = group["lr"]
                    step()
            else:
                m_row, key = momentum[0], "betas" if opt.use_betas else "momentum"
                for k in range(n):
                    row[k] = group["lr"]
                    m_row[k] = group[key][0] if key == "betas" else group[key]
                    step()
        else:
            record = _recorder(opt, lr, momentum)
            for k in range(n):
                record(k)
                step()
    except replica.TorchRaised as exc:
        raise raised(exc.kind, exc.message, _where(k)) from None
    except (ZeroDivisionError, OverflowError, ValueError) as exc:
        # The replica does the library's arithmetic; Python raising here means the library raises too.
        raise raised(type(exc).__name__, str(exc), _where(k)) from None
    if constant_momentum is not None:
        momentum = constant_momentum
    if metric is None:
        return Simulated(lr, momentum, at)
    return Simulated(lr, momentum, at, metric.fed, sched.log)


def _where(k: int) -> str:
    return "while constructing it" if k < 0 else f"at optimizer step {k}"


def _recorder(opt: Any, lr: np.ndarray, momentum: np.ndarray | None) -> Callable[[Any], None]:
    """``record(at)``: the groups' lrs (and momenta) as the optimizer holds them, into step ``at`` (an index or a slice)."""
    groups, rows = opt.param_groups, list(lr)
    if momentum is None:
        def record(at: Any) -> None:
            for group, row in zip(groups, rows):
                row[at] = group["lr"]
        return record
    m_rows = list(momentum)

    def record_with_momentum(at: Any) -> None:
        for group, row in zip(groups, rows):
            row[at] = group["lr"]
        for row, value in zip(m_rows, opt.momenta()):
            row[at] = value
    return record_with_momentum


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
