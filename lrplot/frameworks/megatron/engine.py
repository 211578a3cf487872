"""Stepping Megatron's OptimizerParamScheduler through a run, as training.py does.

The constructor calls ``step(0)``, so iteration 0 trains with ``get_lr`` at 0 samples; after every
iteration ``train_step`` calls ``step(increment=<the global batch>)``, so iteration k trains with
``get_lr(consumed)``, the samples consumed before it (``schedule.consumed``). The default engine
evaluates ``get_lr`` over all iterations at once with numpy; ``exact=True`` runs Megatron's own
Python float arithmetic iteration by iteration.
"""

from __future__ import annotations

import numpy as np

from ...config import Spec
from ...engine import Simulated, initial_momentum, tracks_momentum
from ...errors import TorchWouldRaise
from . import schedule


def simulate(spec: Spec, exact: bool = False) -> Simulated:
    run, node = spec.run, spec.scheduler
    p = node.params
    groups = spec.optimizer.groups
    mins = p["min_lr"] if isinstance(p["min_lr"], tuple) else (p["min_lr"],) * len(groups)
    _constructor_checks(spec, groups[0].lr, mins[0])
    samples = schedule.consumed(run.total_steps, p["increment"], p["rampup_batch_size"])
    lr = np.empty((len(groups), run.total_steps))
    for g, (group, floor) in enumerate(zip(groups, mins)):
        if exact:
            lr[g] = [schedule.get_lr(int(s), group.lr, floor, p) for s in samples]
        else:
            lr[g] = schedule.lr_vector(samples, group.lr, floor, p)
    momentum = np.repeat(initial_momentum(spec)[:, None], run.total_steps, axis=1) if tracks_momentum(spec) else None
    return Simulated(lr, momentum, np.arange(run.total_steps))


def _constructor_checks(spec: Spec, max_lr: float, min_lr: float) -> None:
    """OptimizerParamScheduler.__init__'s assertions on the lrs (the default group's max_lr is --lr)."""
    p = spec.scheduler.params
    where = _where(spec)
    if not max_lr >= min_lr:
        raise TorchWouldRaise(where["min_lr"], f"Megatron raises AssertionError (assert self.max_lr >= self.min_lr): min_lr {min_lr:g} is above the lr {max_lr:g}")
    if not p["init_lr"] <= max_lr:
        raise TorchWouldRaise(where["init_lr"], f"Megatron raises AssertionError (assert self.init_lr <= self.max_lr): the warmup starts at {p['init_lr']:g}, above the lr {max_lr:g}")


def _where(spec: Spec) -> dict[str, str]:
    if "megatron" in spec.source:
        from .section import SECTION

        return {"min_lr": f"{SECTION}.min-lr", "init_lr": f"{SECTION}.lr-warmup-init"}
    return {k: f"{spec.scheduler.path}.{k}" for k in ("min_lr", "init_lr")}
