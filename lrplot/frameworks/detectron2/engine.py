"""Stepping detectron2's schedules through a run the way its trainer does.

``TrainerBase.train`` (facebookresearch/detectron2 at ``records.COMMIT``, ``engine/train_loop.py``)
runs iterations ``start_iter .. max_iter - 1``; after each, the LRScheduler hook (``engine/hooks.py``)
logs the lr and calls ``scheduler.step()``. The scheduler is built before
the first iteration (``before_train``: ``LRMultiplier(optimizer, multiplier, max_iter, last_iter=-1)``,
whose construction steps once), so iteration k trains with ``base_lr * multiplier(k / max_iter)``
(the legacy LRSchedulers: their ``get_lr`` at ``last_epoch == k``).

After the last iteration the hook steps once more: ``multiplier(1.0)``, which trains nothing, but
fvcore computes it, and some schedulers raise there (StepParamScheduler and StepWithFixedGamma index
past their values: IndexError; ConstantParamScheduler refuses ``where >= 1``: RuntimeError). The
trainer then stops with that exception, after every iteration trained: the curve is whole, and
:func:`after_last` says what detectron2 raises (``describe`` and ``checks`` show it). A raise at an
earlier iteration stops training there: lrplot refuses the config, naming the iteration.
"""

from __future__ import annotations

import numpy as np

from ...config import Spec
from ...engine import Simulated, initial_momentum, tracks_momentum
from ...errors import TorchWouldRaise
from . import closed, replica
from .records import LEGACY


def simulate(spec: Spec, exact: bool = False) -> Simulated:
    run = spec.run
    n = run.total_steps
    base = [g.lr for g in spec.optimizer.groups]
    momentum = None
    if tracks_momentum(spec):
        momentum = np.repeat(initial_momentum(spec)[:, None], n, axis=1)
    lr = None
    if not exact:
        lr = _closed(spec, base)
    if lr is None:
        lr = _replay(spec, base, range(n))
    return Simulated(lr, momentum, np.arange(n))


def _closed(spec: Spec, base: list[float]) -> np.ndarray | None:
    n = spec.run.total_steps
    if spec.scheduler.type in LEGACY:  # get_lr in the same operations, its warmup method already checked
        lr = closed.legacy_lrs(spec.scheduler, np.asarray(base, dtype=np.float64), np.arange(n))
        return lr if np.isfinite(lr).all() else None
    where = np.arange(n, dtype=np.float64)
    where /= n  # k / max_iter, as LRMultiplier divides
    try:
        m = closed.values(spec.scheduler, where)
    except (ValueError, ZeroDivisionError, OverflowError, IndexError, RuntimeError, TypeError):
        return None  # raised while building (WarmupParamScheduler calls its scheduler): the replica says where
    if m is None or not np.isfinite(m).all():
        return None
    if len(base) == 1:  # base_lr * multiplier, in place on the fresh multipliers
        m *= base[0]
        return m[None, :]
    return np.asarray(base, dtype=np.float64)[:, None] * m[None, :]


def lr_at(spec: Spec):
    """The top-level scheduler as detectron2 builds it: a function of the scheduler step, raising as it raises."""
    base = [g.lr for g in spec.optimizer.groups]
    try:
        return replica.lr_function(spec.scheduler, base, spec.run.total_steps)
    except Exception as exc:  # noqa: BLE001 - whatever the transcription raises, the libraries raise
        raise _refusal(spec, exc, None) from None


def _replay(spec: Spec, base: list[float], steps: range) -> np.ndarray:
    f = lr_at(spec)
    out = np.empty((len(base), len(steps)))
    k = 0
    try:
        for k in steps:
            out[:, k] = f(k)
    except Exception as exc:  # noqa: BLE001
        raise _refusal(spec, exc, k) from None
    return out


def after_last(spec: Spec) -> Exception | None:
    """What the hook's step after the last iteration raises (None: nothing)."""
    try:
        lr_at(spec)(spec.run.total_steps)
    except TorchWouldRaise:
        raise
    except Exception as exc:  # noqa: BLE001
        return exc
    return None


def _refusal(spec: Spec, exc: Exception, k: int | None) -> TorchWouldRaise:
    node = spec.scheduler
    kind = type(exc).__name__
    where = "while building the scheduler" if k is None else f"at iteration {k} (where {k}/{spec.run.total_steps})"
    return TorchWouldRaise(
        node.path,
        f"detectron2 raises {kind} ({exc}) {where}, so training stops there; change the schedule's keywords so it can run",
    )
