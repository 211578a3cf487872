"""Evaluating a Keras schedule through a run the way Keras' optimizer does.

``optimizer.apply`` reads ``learning_rate``, which calls the schedule with ``optimizer.iterations``
(0 before the first update), updates, then increments the count: optimizer step k trains with
``schedule(k)``. The schedule is stateless, so every step is evaluated at once, in the run's dtype
(float64: ``keras.config.set_floatx("float64")``; float32: Keras' default floatx). ``exact`` takes
float64's transcendental functions from the C library, as the backend does.
"""

from __future__ import annotations

import numpy as np

from ...config import Spec
from ...engine import Simulated, initial_momentum, tracks_momentum
from ...engine.precision import Arith
from . import schedules


def simulate(spec: Spec, exact: bool = False) -> Simulated:
    n = spec.run.total_steps
    steps = np.arange(n, dtype=np.int64)
    lr = schedules.lr(spec.scheduler.info.library_name, spec.scheduler.params, steps, Arith(spec.run.dtype, exact))
    momentum = np.repeat(initial_momentum(spec)[:, None], n, axis=1) if tracks_momentum(spec) else None
    return Simulated(lr.astype(np.float64)[None, :], momentum, steps)
