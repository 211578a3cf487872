"""The result of a simulation: plain numpy arrays, one column per optimizer step."""

from __future__ import annotations

import numpy as np

from ..frozen import record
from ..config import Spec


@record(eq=False)
class PlateauLog:
    """ReduceLROnPlateau's state after each of its steps (``at``: the optimizer step it followed)."""

    at: np.ndarray
    best: np.ndarray
    bad_epochs: np.ndarray
    cooldown: np.ndarray
    reduced: np.ndarray  # the patience ran out here (the lr may still stay, by min_lr or eps)


@record(eq=False)
class Simulated:
    """What a framework's engine hands back: the arrays of a Trace, before the metric is laid out.

    ``at`` holds the optimizer steps after which the scheduler consumed a metric value (or would
    have: a synthetic metric is shown for any schedule); ``fed`` the values a metric-driven
    scheduler was fed, in order (None when the schedule does not read the metric); ``plateau`` a
    ReduceLROnPlateau's state rows (best, bad epochs, cooldown, reduced) after each of its steps.
    """

    lr: np.ndarray
    momentum: np.ndarray | None
    at: np.ndarray
    fed: list[float] | None = None
    plateau: list[tuple[float, int, int, bool]] | None = None


@record(eq=False)
class Trace:
    """What each optimizer step trains with (values read before ``optimizer.step()``).

    ``lr[g, k]`` is param group g's lr at optimizer step k; ``momentum`` likewise (SGD momentum or
    Adam beta1), or None when the optimizer has neither; ``metric[k]`` is the value fed to
    ReduceLROnPlateau right after step k (NaN after steps with no scheduler step), or None.
    """

    spec: Spec
    step: np.ndarray
    epoch: np.ndarray
    lr: np.ndarray
    momentum: np.ndarray | None = None
    metric: np.ndarray | None = None
    plateau: PlateauLog | None = None

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def groups(self) -> tuple[str, ...]:
        return self.spec.group_names

    @property
    def steps_per_epoch(self) -> int:
        return self.spec.run.steps_per_epoch

    @property
    def unit(self) -> str:
        """What the run is counted in: epochs (one step per epoch), else iterations."""
        run = self.spec.run
        return "epoch" if run.unit == "epoch" and run.steps_per_epoch == 1 else "iteration"

    @property
    def has_epochs(self) -> bool:
        return self.spec.run.has_epochs

    def __len__(self) -> int:
        return int(self.step.shape[0])
