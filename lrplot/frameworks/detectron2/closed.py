"""fvcore's ParamSchedulers as closed forms over whole numpy arrays of ``where``: a million iterations in milliseconds.

The same expressions as the replica, in the same operation order, evaluated for every where at once;
they differ from fvcore only where numpy's cos and pow differ from libm's in the last bit (the tests
hold them to 1e-12 of the peak lr). The step functions (MultiStep, Step, the Composite's choice of
scheduler) compare the same floats as fvcore, so they switch at the same iteration. ``values``
returns None where fvcore would raise, for the replica to say where.
"""

from __future__ import annotations

import math

import numpy as np

from ...config import SchedulerSpec
from .records import PREFIX
from .replica import WHERE_EPSILON, multiplier as scalar


def values(node: SchedulerSpec, where: np.ndarray) -> np.ndarray | None:
    """The multiplier at each ``where`` (float64, shape (T,)), or None where fvcore raises."""
    kind = node.type[len(PREFIX):]
    p = node.params
    with np.errstate(all="ignore"):
        if kind == "ConstantParamScheduler":
            return None if (where >= 1.0).any() else np.full(where.shape, float(p["value"]))
        if kind == "LinearParamScheduler":
            return p["end_value"] * where + p["start_value"] * (1 - where)
        if kind == "CosineParamScheduler":
            start, end = p["start_value"], p["end_value"]
            return end + 0.5 * (start - end) * (1 + np.cos(math.pi * where))
        if kind == "ExponentialParamScheduler":
            return p["start_value"] * np.power(float(p["decay"]), where)
        if kind == "PolynomialDecayParamScheduler":
            return p["base_value"] * np.power(1 - where, float(p["power"]))
        if kind == "MultiStepParamScheduler":
            if (where > 1.0).any():
                return None
            epoch_num = np.floor((where + WHERE_EPSILON) * p["num_updates"])  # int() of a positive float
            index = np.searchsorted(np.asarray(p["milestones"], dtype=np.float64), epoch_num, side="right")
            return np.asarray(p["values"], dtype=np.float64)[index]
        if kind in ("StepParamScheduler", "StepWithFixedGammaParamScheduler"):
            if kind == "StepParamScheduler":
                table = [float(v) for v in p["values"]]
            else:
                table = [p["base_value"]]
                for _ in range(p["num_decays"]):
                    table.append(table[-1] * p["gamma"])
            index = np.floor((where + WHERE_EPSILON) * len(table))
            if (index >= len(table)).any() or (index < -len(table)).any():
                return None
            return np.asarray(table, dtype=np.float64)[index.astype(np.int64)]
        if kind == "CompositeParamScheduler":
            lengths = list(p["lengths"])
            return _composite([lambda w, c=c: values(c, w) for c in p["schedulers"]], lengths, list(p["interval_scaling"]), where)
        if kind == "WarmupParamScheduler":
            return _warmup(node, where)
    raise AssertionError(node.type)


def _composite(schedulers, lengths: list[float], scaling: list[str], where: np.ndarray) -> np.ndarray | None:
    if sum(lengths) != 1.0:
        lengths[-1] = 1.0 - sum(lengths[:-1])
    totals = []  # running_total as fvcore's loop adds it up
    running = 0.0
    for i, length in enumerate(lengths):
        running = length if i == 0 else running + length
        totals.append(running)
    n = len(schedulers)
    shifted = where + WHERE_EPSILON
    # fvcore's loop stops at the first i with where + eps <= running_total[i] (or at the last one)
    chosen = np.full(where.shape, n - 1, dtype=np.int64)
    for i in reversed(range(n - 1)):
        chosen[shifted <= totals[i]] = i
    out = np.empty(where.shape)
    for i in range(n):
        mask = chosen == i
        if not mask.any():
            continue
        w = where[mask]
        if scaling[i] == "rescaled":
            w = (w - (totals[i] - lengths[i])) / lengths[i]
        part = schedulers[i](w)
        if part is None:
            return None
        out[mask] = part
    return out


def _warmup(node: SchedulerSpec, where: np.ndarray) -> np.ndarray | None:
    p = node.params
    inner = p["scheduler"]
    one = scalar(inner)  # WarmupParamScheduler's construction calls the scheduler at 0 and warmup_length
    length, rescale = p["warmup_length"], p["rescale_interval"]
    end_value = one(0.0) if rescale else one(length)
    start_value = p["warmup_factor"] * one(0.0)
    if p["warmup_method"] == "constant":
        def head(w: np.ndarray) -> np.ndarray | None:
            return None if (w >= 1.0).any() else np.full(w.shape, float(start_value))
    else:
        def head(w: np.ndarray) -> np.ndarray | None:
            return end_value * w + start_value * (1 - w)
    return _composite([head, lambda w: values(inner, w)], [length, 1 - length], ["rescaled", "rescaled" if rescale else "fixed"], where)
