"""Running the user's translated function through a run, as their training loop calls it.

Every call is evaluated (over numpy arrays, or call by call with Python's numbers with ``exact``
and for functions that read the lr they set before); the lr a call sets holds until the next call
sets it, and a step before the first call trains with the optimizer's own lr.
"""

from __future__ import annotations

import numpy as np

from ...config import Spec
from ...engine import Simulated, initial_momentum, tracks_momentum
from .schedule import lrs


def simulate(spec: Spec, exact: bool = False) -> Simulated:
    run = spec.run
    lr, _ = lrs(spec.scheduler.params["translated"], run, [g.lr for g in spec.optimizer.groups], exact)
    momentum = None
    if tracks_momentum(spec):
        momentum = np.repeat(initial_momentum(spec)[:, None], run.total_steps, axis=1)
    at = np.arange(run.steps_per_epoch - 1, run.total_steps, run.steps_per_epoch)
    return Simulated(lr, momentum, at)
