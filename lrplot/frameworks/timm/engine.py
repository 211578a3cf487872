"""Stepping timm's schedulers through a run the way timm's train.py does.

train.py builds the scheduler (which writes the lr the first epoch or update trains with), then
calls ``step_update(num_updates)`` after every optimizer update and ``step(epoch + 1, metric)`` after
every epoch. Only one of the two moves the lr (``t_in_epochs``), and the schedules are stateless
functions of the t passed, so

* per epoch (``t_in_epochs: true``, ``run.step: epoch``): epoch 0 trains with the constructor's lr,
  epoch e >= 1 with ``_get_lr(e)`` plus noise(e), every update of the epoch alike;
* per update (``t_in_epochs: false``, ``run.step: iteration``): update 0 with the constructor's lr,
  update k >= 1 (counted over the whole run) with ``_get_lr(k)`` plus noise(k).

train.py also steps after the last epoch or update; that value trains nothing, but timm computes
it, so where it raises lrplot refuses too. The metric goes to ``step(epoch + 1, metric)`` at every
epoch end (``Simulated.at``); only PlateauLRScheduler reads it, and only it keeps state, so it runs
step by step in every mode. The others are closed forms over numpy arrays by default and timm's
own float operations (the replica) with ``exact``.
"""

from __future__ import annotations

import numpy as np

from ...config import Spec
from ...engine import Simulated, initial_momentum, tracks_momentum
from ...errors import TorchWouldRaise
from ...metric import MetricFeed
from . import closed, noise, replica


def simulate(spec: Spec, exact: bool = False) -> Simulated:
    run = spec.run
    at = np.arange(run.steps_per_epoch - 1, run.total_steps, run.steps_per_epoch)
    momentum = None
    if tracks_momentum(spec):
        momentum = np.repeat(initial_momentum(spec)[:, None], run.total_steps, axis=1)
    if spec.scheduler.type == "timm.plateau":
        lr, fed, log = _plateau(spec)
        return Simulated(lr, momentum, at, fed, log)
    return Simulated(_stateless(spec, exact), momentum, at)


def _stateless(spec: Spec, exact: bool) -> np.ndarray:
    run, node = spec.run, spec.scheduler
    p = node.params
    per_update = not p["t_in_epochs"]
    base = [g.lr for g in spec.optimizer.groups]
    unit = "update" if per_update else "epoch"
    # t = 0 .. trained - 1 train (0 with the constructor's lr); train.py goes on to pass t up to
    # `last` (the step after the last epoch or update), which trains nothing but runs timm's code
    trained = run.total_steps if per_update else run.epochs
    last = run.total_steps if per_update else run.total_steps // run.steps_per_epoch
    t = np.arange(1, trained, dtype=np.int64)
    columns = np.empty((len(base), trained))
    columns[:, 0] = replica.constructor_lrs(node, base)
    lrs = columns[:, 1:]
    if exact or closed.values(node, np.array(base), t, out=lrs) is None or not np.isfinite(lrs).all():
        lrs[:] = _replay(spec, base, t, unit)
    _replay(spec, base, np.arange(trained, last + 1, dtype=np.int64), unit)  # where timm raises there, refuse too
    noisy = _noise_mask(p["noise_range_t"], t)
    if noisy.any():
        n = noise.noise(p["noise_seed"] + t[noisy], "normal", p["noise_pct"], p["noise_std"])
        lrs[:, noisy] = lrs[:, noisy] + lrs[:, noisy] * n[None, :]
    if per_update:
        return columns
    return np.repeat(columns, run.steps_per_epoch, axis=1)[:, : run.total_steps]


def _replay(spec: Spec, base: list[float], t: np.ndarray, unit: str) -> np.ndarray:
    node = spec.scheduler
    out = np.empty((len(base), t.size))
    k = -1  # -1: building the scheduler (TanhLRScheduler computes its warmup's target then)
    try:
        lr_at = replica.lr_function(node, base)
        if len(base) == 1:  # one row, written value by value: no array made per update
            row = out[0]
            for k, tk in enumerate(t.tolist()):
                row[k] = lr_at(tk)[0]
        else:
            for k, tk in enumerate(t.tolist()):
                out[:, k] = lr_at(tk)
    except (ValueError, ZeroDivisionError, OverflowError) as exc:
        # The replica does timm's arithmetic: Python raising here means timm raises too.
        name = node.info.library_name
        if k < 0:
            where = f"while building {name} (its warmup ramps to the lr at t = warmup_t {node.params['warmup_t']}, which it computes then)"
        else:
            where = f"when train.py steps {name} to {unit} {t[k]}"
        key, why = _why(node, exc)
        error = TorchWouldRaise(
            f"{node.path}.{key}" if key else node.path,
            f"timm raises {type(exc).__name__} ({_said(exc)}) {where}{why}; change its keywords so it can run",
        )
        if "timm" in spec.source:  # a `timm:` section: name train.py's argument
            from .section import section_error

            error = section_error(error, node.type)
        raise error from None
    return out


def _said(exc: BaseException) -> str:
    """What Python prints after the exception's name (``(34, 'Numerical result out of range')`` is its errno form)."""
    return str(exc.args[-1]) if isinstance(exc, OverflowError) and len(exc.args) == 2 else str(exc)


def _why(node, exc: BaseException) -> tuple[str | None, str]:
    """The keyword that makes timm's arithmetic fail and why, where lrplot knows: cycles that shrink
    end, and a log past their end fails; a huge k_decay overflows its power."""
    p = node.params
    mul = p.get("cycle_mul", 1.0)
    if isinstance(exc, ValueError) and "domain" in str(exc) and mul < 1:
        end = p["t_initial"] / (1 - mul)
        return "cycle_mul", (
            f": with cycle_mul {mul:g} < 1 every cycle is shorter than the last and all of them end by t = t_initial "
            f"{p['t_initial']} / (1 - cycle_mul) = {end:.6g}, past which timm's cycle index takes the logarithm of a number <= 0"
        )
    if isinstance(exc, OverflowError) and p.get("k_decay", 1.0) != 1.0:
        return "k_decay", f": t ** k_decay {p['k_decay']:g} is beyond a float"
    return None, ""


def _noise_mask(range_t, t: np.ndarray) -> np.ndarray:
    if range_t is None:
        return np.zeros(t.shape, dtype=bool)
    if isinstance(range_t, tuple):
        return (range_t[0] <= t) & (t < range_t[1])
    return t >= range_t


def _plateau(spec: Spec):
    from ..torch.replica import FakeOptimizer

    run, node = spec.run, spec.scheduler
    p = node.params
    opt = FakeOptimizer(spec.optimizer)
    seed = 42 if p["noise_seed"] is None else p["noise_seed"]
    sched = replica.Plateau(node, opt, lambda epoch: float(noise.noise(np.array([seed + epoch]), p["noise_type"], p["noise_pct"], p["noise_std"])[0]))
    feed = MetricFeed(spec.metric, spec.optimizer.groups[0].lr)
    spe = run.steps_per_epoch
    lrs = np.empty((len(opt.param_groups), run.total_steps))
    for epoch in range(run.epochs):
        lrs[:, epoch * spe:(epoch + 1) * spe] = np.array(opt.lrs())[:, None]
        if (epoch + 1) * spe <= run.total_steps:
            # the eval metric of the epoch just trained, at the lr it trained with (group 0's)
            sched.step(epoch + 1, feed.next(opt.param_groups[0]["lr"]))
    return lrs, feed.fed, sched.log
