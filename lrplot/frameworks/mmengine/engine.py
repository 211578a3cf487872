"""Stepping mmengine's schedulers through a run the way its Runner and ParamSchedulerHook do.

The Runner builds the ``param_scheduler`` list in order (each scheduler steps once as it is built,
at its step 0), then trains. After every iteration ParamSchedulerHook steps the schedulers with
``by_epoch`` false; after every epoch of an EpochBasedTrainLoop it steps those with ``by_epoch``
true (a ReduceOnPlateau scheduler only counts the epoch); then the validation runs (lrplot
validates every epoch) and ReduceOnPlateau schedulers step on its metric. An IterBasedTrainLoop
is one long epoch: its ``by_epoch`` schedulers step once, after the last iteration, which trains
nothing. Each iteration trains with the values its ``before_train_iter`` sees, which is what the
trace records, one column per iteration (mmengine's schedulers count iterations, not optimizer
updates, so with ``accumulative_counts`` a column is an iteration).

mmengine computes in Python floats, step by step (every scheduler multiplies the current value).
``exact`` runs its arithmetic (the replica) at every step where anything changes; stretches where
no per-iteration scheduler is active are skipped in one go (nothing changes there). By default, a
stretch where exactly one per-iteration scheduler is active and no epoch ends is computed at once
over numpy arrays (``closed``): the multiplicative shapes as cumulative products of mmengine's own
ratios (the same products in the same order), the others within 1e-12 of the peak.
"""

from __future__ import annotations

import numpy as np

from ...config import Spec
from ...engine import Simulated
from ...errors import TorchWouldRaise
from ...metric import MetricFeed
from . import closed, replica
from .records import is_momentum


def tracks_momentum(spec: Spec) -> bool:
    opt = spec.optimizer
    return opt.momentum is not None or opt.betas is not None or any(is_momentum(n.type) for n in spec.scheduler.walk())


def simulate(spec: Spec, exact: bool = False) -> Simulated:
    run = spec.run
    L, n = run.steps_per_epoch, run.total_steps
    epoch_loop = run.unit != "iteration"
    opt = spec.optimizer
    groups = replica.Groups([g.lr for g in opt.groups], opt.momentum, opt.betas)
    with_momentum = tracks_momentum(spec)
    plateau = next((s for s in spec.scheduler.walk() if s.info.steps_on_metric), None)
    feed = MetricFeed(spec.metric, opt.groups[0].lr) if plateau is not None else None
    lr = np.empty((len(opt.groups), n))
    momentum = np.empty((len(opt.groups), n)) if with_momentum else None
    where = "while the Runner builds the param schedulers"
    try:
        schedulers = replica.build(spec.scheduler, groups, L)
        per_iter = [s for s in schedulers if not s.by_epoch]
        per_epoch = [s for s in schedulers if s.by_epoch]
        plateaus = [s for s in per_epoch if isinstance(s, replica.Plateau)]
        def record(k: int, stop: int | None = None) -> None:
            cols = slice(k, min(stop if stop is not None else k + 1, n))
            lr[:, cols] = np.array(groups.lrs())[:, None]
            if momentum is not None:
                momentum[:, cols] = np.array(groups.momenta())[:, None]

        record(0)
        b = 1  # the boundary after iteration b - 1, whose steps set what iteration b trains with
        while b <= n:
            where = f"after iteration {b - 1}"
            stretch = _stretch(per_iter, b, n, L if epoch_loop and per_epoch else None)
            if stretch > 1:
                active = [s for s in per_iter if s.begin <= s._global_step + 1 < s.end]
                values = None if exact or len(active) != 1 else closed.values(active[0], stretch)
                if not active or values is not None:
                    for s in per_iter:  # outside their range, steps only count
                        s._global_step += stretch
                    record(b, b + stretch)
                    if values is not None:
                        s = active[0]
                        s.last_step += stretch
                        for g, group in enumerate(groups.param_groups):
                            group[s.param] = float(values[g, -1])
                        s.sync()
                        (lr if s.param == "lr" else momentum)[:, b:min(b + stretch, n)] = values[:, : min(stretch, n - b)]
                    b += stretch
                    continue
            for s in per_iter:
                s.step()
            if epoch_loop and b % L == 0:
                for s in per_epoch:
                    s.count() if isinstance(s, replica.Plateau) else s.step()
                for s in plateaus:  # the validation after the epoch (val_interval 1)
                    s.step(feed.next(groups.param_groups[0]["lr"]))
            if b < n:
                lr[:, b] = groups.lrs()
                if momentum is not None:
                    momentum[:, b] = groups.momenta()
            b += 1
        if not epoch_loop:
            where = "after the last iteration (IterBasedTrainLoop's after_train_epoch)"
            for s in per_epoch:
                s.step()
    except (ValueError, ZeroDivisionError, OverflowError) as exc:
        # The replica does mmengine's arithmetic: Python raising here means mmengine raises too.
        raise TorchWouldRaise(
            spec.scheduler.path, f"mmengine raises {type(exc).__name__} {where} ({exc}); change the schedulers' keywords so they can run"
        ) from None
    at = np.arange(L - 1, n, L) if epoch_loop else np.arange(n)
    if feed is None:
        return Simulated(lr, momentum, at)
    return Simulated(lr, momentum, at, feed.fed, plateaus[0].log if plateaus else None)


def _stretch(per_iter: list, b: int, n: int, epoch_length: int | None) -> int:
    """How many boundaries from ``b`` on have the same per-iteration schedulers active and no epoch end
    (``epoch_length`` given when epoch schedulers step there; the single steps handle it): those can
    be stepped at once."""
    limit = n + 1
    if epoch_length is not None:
        limit = min(limit, -(-b // epoch_length) * epoch_length)  # the next epoch end, stepped alone
    for s in per_iter:
        g = s._global_step + 1  # its global step at boundary b
        if g < s.begin:
            limit = min(limit, b + s.begin - g)
        elif g < s.end:
            limit = min(limit, b + s.end - g)
    return max(1, limit - b)
