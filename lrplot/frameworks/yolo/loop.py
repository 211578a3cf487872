"""The arithmetic of YOLO's training loops: the warmup's length, which batches it sets, and the per-epoch lambda.

Transcribed (arithmetic only; ultralytics and YOLOv5 are AGPL-3.0) from:

- ultralytics ``ultralytics/engine/trainer.py`` (``BaseTrainer._setup_scheduler``,
  ``_get_warmup_iterations`` and the warmup block of ``_do_train``) and
  ``ultralytics/utils/torch_utils.py`` (``one_cycle``), read in the released wheels 8.4.0, 8.4.2,
  8.4.3, 8.4.7, 8.4.8, 8.4.102, 8.4.103, 8.4.182, 8.4.183 and 8.4.190;
- YOLOv5 ``train.py`` at commit 5081342f04fb287fc2e5f2b5a4e06752b7937b1c (github.com/ultralytics/yolov5):
  lines 234-248 (the LambdaLR), 338-343 (``nw``, ``scheduler.last_epoch = start_epoch - 1``),
  382-390 (the warmup) and 437-438 (``scheduler.step()`` after the epoch's batches).

Both loops count batches ``ni = i + nb * epoch`` (``nb = len(train_loader)``) and, while the
warmup lasts, set every param group's lr to ``np.interp(ni, [0, nw], [start, initial_lr *
lf(epoch)])`` (start: ``warmup_bias_lr`` for the bias group, 0.0 for the others) and its momentum to
``np.interp(ni, [0, nw], [warmup_momentum, momentum])`` where the group has one. The warmup's rule
changed twice in ultralytics 8.4:

- ``min100`` (8.4.0-8.4.102): ``nw = max(round(warmup_epochs * nb), 100) if warmup_epochs > 0 else
  -1``, warm while ``ni <= nw``: at least 101 batches of warmup, however short the run;
- ``strict`` (8.4.103-8.4.182, ultralytics PR #25321): ``nw = round(min(warmup_epochs, max(epochs -
  1, 0)) * nb)`` (0 when that is 0), warm while ``ni < nw``: the last warm batch is ``nw - 1``, so
  the momentum never reaches its target, and a warmup ending inside an epoch leaves that epoch's
  other batches at the last warm lr, short of the schedule's;
- ``inclusive`` (8.4.183 on): the same ``nw``, warm while ``nw and ni <= nw``.

YOLOv5 computes ``nw = max(round(warmup_epochs * nb), 100)`` even for ``warmup_epochs: 0`` and warms
while ``ni <= nw``. The epoch schedule is a torch ``LambdaLR`` with ``lf`` (linear:
``max(1 - x / epochs, 0) * (1 - lrf) + lrf``, YOLOv5's without the max; ``cos_lr``: ``one_cycle(1,
lrf, epochs)``); ultralytics calls ``scheduler.step()`` *before* each epoch's batches (after setting
``last_epoch = start_epoch - 1``), so epoch e trains at ``lf(e)``; YOLOv5 calls it *after* them, so
epoch 0 trains at the constructor's ``lf(0)`` and epoch e >= 1 at ``lf(e - 1)``: its last epoch
never reaches ``lrf``. Nothing resets the momentum after the warmup: it keeps the last warm value.
"""

from __future__ import annotations

import math

import numpy as np

from .records import CODES, RULE_VERSIONS, RULES  # noqa: F401 - the rules' names live with the records (no numpy there)


def warmup_iterations(code: str, rule: str, warmup_epochs: float, nb: int, epochs: int) -> int:
    """``nw``: the trainer's warmup iterations (-1: none, in the min100 rule's own words)."""
    if code == "yolov5":
        return max(round(warmup_epochs * nb), 100)
    if rule == "min100":
        return max(round(warmup_epochs * nb), 100) if warmup_epochs > 0 else -1
    capped = min(warmup_epochs, max(epochs - 1, 0))  # "leaving at least the final epoch for regular training"
    return round(capped * nb) if capped > 0 else 0


def warm_batches(code: str, rule: str, nw: int) -> int:
    """How many batches, from the first, the warmup sets (``ni <= nw``, ``ni < nw`` or ``nw and ni <= nw``)."""
    if code == "yolov5" or rule == "min100":
        return nw + 1 if nw >= 0 else 0
    if rule == "strict":
        return nw
    return nw + 1 if nw else 0


def lf_python(code: str, cos_lr: bool, lrf: float, epochs: int):
    """The lambda itself, in Python floats (the library's own operation order)."""
    if cos_lr:
        # one_cycle(y1=1, y2=lrf, steps=epochs)
        return lambda x: max((1 - math.cos(x * math.pi / epochs)) / 2, 0) * (lrf - 1) + 1
    if code == "yolov5":
        return lambda x: (1 - x / epochs) * (1.0 - lrf) + lrf
    return lambda x: max(1 - x / epochs, 0) * (1.0 - lrf) + lrf


def lf_values(code: str, cos_lr: bool, lrf: float, epochs: int, count: int, exact: bool) -> np.ndarray:
    """``lf(0) .. lf(count - 1)``: in Python floats with ``exact``, else over a numpy array (where
    numpy's cos may differ from libm's in the last bit)."""
    if exact:
        f = lf_python(code, cos_lr, lrf, epochs)
        return np.array([f(x) for x in range(count)], dtype=np.float64)
    x = np.arange(count, dtype=np.float64)
    with np.errstate(all="ignore"):
        if cos_lr:
            return np.maximum((1 - np.cos(x * math.pi / epochs)) / 2, 0) * (lrf - 1) + 1
        ramp = 1 - x / epochs
        if code != "yolov5":
            ramp = np.maximum(ramp, 0)
        return ramp * (1.0 - lrf) + lrf


def epoch_factors(code: str, lf: np.ndarray) -> np.ndarray:
    """The LambdaLR factor each epoch trains at (outside the warmup): ``lf(e)``, or YOLOv5's ``lf(e - 1)``."""
    if code == "yolov5":
        return np.concatenate([lf[:1], lf[:-1]])
    return lf
