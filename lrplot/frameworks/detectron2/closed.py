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
    """The multiplier at each ``where`` (float64, ascending, shape (T,)), a fresh array, or None where fvcore raises."""
    kind = node.type[len(PREFIX):]
    p = node.params
    with np.errstate(all="ignore"):
        if kind == "ConstantParamScheduler":
            return None if where.size and where.max() >= 1.0 else np.full(where.shape, float(p["value"]))
        # In place, a million at a time: each operation is fvcore's, commuted where IEEE allows (x + 1 == 1 + x).
        if kind == "LinearParamScheduler":
            return _linear(p["start_value"], p["end_value"], where)
        if kind == "CosineParamScheduler":
            start, end = p["start_value"], p["end_value"]
            t = np.multiply(where, math.pi)  # end + 0.5 * (start - end) * (1 + cos(pi * where))
            np.cos(t, out=t)
            t += 1
            t *= 0.5 * (start - end)
            t += end
            return t
        if kind == "ExponentialParamScheduler":
            t = np.power(float(p["decay"]), where)  # start_value * (decay ** where)
            t *= p["start_value"]
            return t
        if kind == "PolynomialDecayParamScheduler":
            t = np.subtract(1, where)  # base_value * (1 - where) ** power
            np.power(t, float(p["power"]), out=t)
            t *= p["base_value"]
            return t
        if kind == "MultiStepParamScheduler":
            if where.size and where.max() > 1.0:
                return None
            epoch_num = np.floor((where + WHERE_EPSILON) * p["num_updates"])  # int() of a positive float
            return _levels(epoch_num, np.asarray(p["milestones"], dtype=np.float64), np.asarray(p["values"], dtype=np.float64))
        if kind in ("StepParamScheduler", "StepWithFixedGammaParamScheduler"):
            if kind == "StepParamScheduler":
                table = [float(v) for v in p["values"]]
            else:
                table = [p["base_value"]]
                for _ in range(p["num_decays"]):
                    table.append(table[-1] * p["gamma"])
            index = np.floor((where + WHERE_EPSILON) * len(table))
            if index.size and (index.max() >= len(table) or index.min() < 0):
                return None  # past the values: fvcore's IndexError (where is never negative here)
            return _levels(index, np.arange(1, len(table), dtype=np.float64), np.asarray(table, dtype=np.float64))
        if kind == "CompositeParamScheduler":
            lengths = list(p["lengths"])
            return _composite([lambda w, c=c: values(c, w) for c in p["schedulers"]], lengths, list(p["interval_scaling"]), where)
        if kind == "WarmupParamScheduler":
            return _warmup(node, where)
    raise AssertionError(node.type)


def _linear(start: float, end: float, where: np.ndarray) -> np.ndarray:
    """``end * where + start * (1 - where)``: LinearParamScheduler, and WarmupParamScheduler's linear warmup."""
    t = np.multiply(where, end)
    rest = np.subtract(1, where)
    rest *= start
    t += rest
    return t


def _levels(key: np.ndarray, bounds: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """``levels[bisect_right(bounds, key)]`` for every key, which ascend (``where`` always does: the run's,
    and a composite's part of it): one slice per level."""
    out = np.empty(key.shape)
    starts = np.searchsorted(key, bounds, side="left")  # the first key >= each bound
    edges = [0, *np.maximum.accumulate(starts).tolist(), key.size]
    for i, level in enumerate(levels.tolist()):
        out[edges[i]:edges[i + 1]] = level
    return out


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
    out = np.empty(where.shape)
    # fvcore's loop stops at the first i with where + eps <= running_total[i] (or at the last one):
    # with ascending where and totals, each scheduler's iterations are one slice
    if all(length > 0 for length in lengths[:-1]):  # the totals ascend, as where does
        ends = [int(np.searchsorted(shifted, totals[i], side="right")) for i in range(n - 1)] + [where.size]
        parts = [slice(a, b) for a, b in zip([0, *ends[:-1]], ends)]
    else:
        chosen = np.full(where.shape, n - 1, dtype=np.int64)
        for i in reversed(range(n - 1)):
            chosen[shifted <= totals[i]] = i
        parts = [chosen == i for i in range(n)]
    for i in range(n):
        mask = parts[i]
        w = where[mask]
        if not w.size:
            continue
        if scaling[i] == "rescaled":
            w = (w - (totals[i] - lengths[i])) / lengths[i]
        part = schedulers[i](w)
        if part is None:
            return None
        out[mask] = part
    return out


def legacy_lrs(node: SchedulerSpec, base: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Each group's lr of the legacy WarmupMultiStepLR / WarmupCosineLR at every ``last_epoch`` k (shape (G, K))."""
    p = node.params
    w, method, wf = p["warmup_iters"], p["warmup_method"], p["warmup_factor"]
    factor = np.ones(k.shape)
    warm = k < w
    if warm.any():
        if method == "constant":
            factor[warm] = wf
        else:
            alpha = k[warm] / w
            factor[warm] = wf * (1 - alpha) + alpha
    scaled = base[:, None] * factor[None, :]
    if node.type == PREFIX + "WarmupMultiStepLR":
        passed = np.searchsorted(np.asarray(p["milestones"], dtype=np.int64), k, side="right")
        return scaled * np.power(float(p["gamma"]), passed.astype(np.float64))[None, :]
    return scaled * 0.5 * (1.0 + np.cos(math.pi * k / p["max_iters"]))[None, :]


def _warmup(node: SchedulerSpec, where: np.ndarray) -> np.ndarray | None:
    p = node.params
    inner = p["scheduler"]
    one = scalar(inner)  # WarmupParamScheduler's construction calls the scheduler at 0 and warmup_length
    length, rescale = p["warmup_length"], p["rescale_interval"]
    end_value = one(0.0) if rescale else one(length)
    start_value = p["warmup_factor"] * one(0.0)
    if p["warmup_method"] == "constant":
        def head(w: np.ndarray) -> np.ndarray | None:
            return None if w.size and w.max() >= 1.0 else np.full(w.shape, float(start_value))
    else:
        def head(w: np.ndarray) -> np.ndarray | None:
            return _linear(start_value, end_value, w)
    return _composite([head, lambda w: values(inner, w)], [length, 1 - length], ["rescaled", "rescaled" if rescale else "fixed"], where)
