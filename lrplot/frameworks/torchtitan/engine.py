"""Stepping torchtitan's schedule through a run, as its trainer does.

Each optimizer has a ``LambdaLR`` with the same lambda: construction sets the lr of step 0 to
``lr * factor(0)``, and ``lr_schedulers.step()`` after every optimizer step sets step k's to
``lr * factor(k)``. The trainer also steps after the last step (``factor(n)``), which trains nothing
but runs torchtitan's code, so where it asserts lrplot refuses too. The default engine evaluates the
lambda over all steps at once with numpy; ``exact=True`` runs torchtitan's Python floats.
"""

from __future__ import annotations

import numpy as np

from ...config import Spec
from ...engine import Simulated, initial_momentum, tracks_momentum
from ...errors import TorchWouldRaise
from . import schedule


def simulate(spec: Spec, exact: bool = False) -> Simulated:
    n = spec.run.total_steps
    ph = schedule.phases(spec.scheduler.params)
    factors = None if exact else schedule.factor_vector(np.arange(n + 1), ph)
    if factors is None:
        factors = np.empty(n + 1)
        for k in range(n + 1):
            try:
                factors[k] = schedule.factor(k, ph)
            except AssertionError as exc:
                where = f"at optimizer step {k - 1}'s lr_schedulers.step()" if k else "while building the schedulers"
                raise TorchWouldRaise(
                    _path(spec, "total_steps"),
                    f"torchtitan raises AssertionError ({exc}) {where}: the run is longer than total_steps ({ph.total_steps}) "
                    "and the decay has no steps; make total_steps at least the run's steps",
                ) from None
    base = np.array([g.lr for g in spec.optimizer.groups])
    lr = base[:, None] * factors[None, :n]
    momentum = np.repeat(initial_momentum(spec)[:, None], n, axis=1) if tracks_momentum(spec) else None
    return Simulated(lr, momentum, np.arange(n))


def _path(spec: Spec, key: str) -> str:
    if "torchtitan" in spec.source:
        return f"torchtitan.lr_scheduler.{key}"
    return f"{spec.scheduler.path}.{key}"
