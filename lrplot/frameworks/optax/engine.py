"""Evaluating an optax schedule through a run the way optax's optimizers do.

``scale_by_learning_rate`` (and ``inject_hyperparams``) call the schedule with ``state.count`` (0 at
the first update) and increment the count after the update: optimizer step k trains with
``schedule(k)``. The schedule is a pure function of the count, so every step is evaluated at once,
in the run's dtype (float32: jax's default; float64: jax with x64). ``exact`` takes float64's
transcendental functions from the C library, as XLA's CPU backend does.
"""

from __future__ import annotations

import numpy as np

from ...config import Spec
from ...engine import Simulated, initial_momentum, tracks_momentum
from ...engine.precision import Arith
from ...errors import TorchWouldRaise
from . import schedules


def simulate(spec: Spec, exact: bool = False) -> Simulated:
    n = spec.run.total_steps
    count = np.arange(n, dtype=np.int64)
    try:
        lr = schedules.lr(spec.scheduler, count, Arith(spec.run.dtype, exact))
    except OverflowError as exc:  # a boundary int(pct_start * transition_steps) of inf: optax's own int() raises
        raise TorchWouldRaise(
            spec.scheduler.path,
            f"optax raises OverflowError ({exc}) building {spec.scheduler.info.library_name}: a keyword makes a step count "
            "beyond a float; give smaller numbers",
        ) from None
    momentum = np.repeat(initial_momentum(spec)[:, None], n, axis=1) if tracks_momentum(spec) else None
    return Simulated(lr.astype(np.float64)[None, :], momentum, count)
