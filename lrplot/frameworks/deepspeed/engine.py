"""Stepping DeepSpeed's schedulers through a run, as its engine does.

The scheduler is built with ``last_batch_iteration = -1`` (the lr the first optimizer step trains
with: ``warmup_min_lr``, 0 for WarmupCosineLR, ``cycle_min_lr``); ``DeepSpeedEngine._take_model_step``
then calls ``lr_scheduler.step()`` after every optimizer step it applies, which moves
``last_batch_iteration`` by one, and after a step an fp16 overflow skipped it does not. So optimizer
step k trains with the lr at ``last_batch_iteration = k - 1 - (skipped steps before k)``. The
default engine evaluates the lr over all steps at once with numpy; ``exact=True`` runs DeepSpeed's
own Python float arithmetic step by step.
"""

from __future__ import annotations

import numpy as np

from ...config import Spec
from ...engine import Simulated, initial_momentum, tracks_momentum
from . import schedules


def iterations(spec: Spec) -> np.ndarray:
    """last_batch_iteration when each optimizer step trains: -1, then one more per applied step."""
    n = spec.run.total_steps
    j = np.arange(n, dtype=np.int64) - 1
    skipped = spec.scheduler.params["skipped_steps"]
    if skipped:
        held = np.zeros(n, dtype=np.int64)
        after = np.asarray(skipped, dtype=np.int64) + 1
        np.add.at(held, after[after < n], 1)
        j -= np.cumsum(held)
    return j


def simulate(spec: Spec, exact: bool = False) -> Simulated:
    node = spec.scheduler
    name, p = node.info.library_name, node.params
    groups = [g.lr for g in spec.optimizer.groups]
    j = iterations(spec)
    n = j.size
    momentum = np.repeat(initial_momentum(spec)[:, None], n, axis=1) if tracks_momentum(spec) else None
    if name == "OneCycle":
        has_betas = spec.optimizer.betas is not None
        if exact:
            pairs = [schedules.one_cycle(int(i), groups, p, has_betas) for i in j]
            lr = np.array([a for a, _ in pairs], dtype=np.float64).T.reshape(len(groups), n)
            moms = None if pairs and pairs[0][1] is None else np.array([b for _, b in pairs], dtype=np.float64).T.reshape(len(groups), n)
        else:
            lr, moms = schedules.one_cycle_vector(j, groups, p, has_betas)
        if moms is not None:
            momentum = moms
        elif not has_betas and spec.optimizer.momentum is None:
            momentum = None  # DeepSpeed disables cycle_momentum without betas: nothing is cycled or set
        return Simulated(lr, momentum, np.arange(n))
    if exact:
        f = schedules.EXACT[name]
        lr = np.array([f(int(i), groups, p) for i in j], dtype=np.float64).T.reshape(len(groups), n)
    else:
        lr = schedules.VECTOR[name](j, groups, p)
    return Simulated(np.ascontiguousarray(lr), momentum, np.arange(n))
