"""DeepSpeed 0.19.8's lr schedules (deepspeed/runtime/lr_schedules.py), twice: as the library computes
them, and over numpy.

Each class's lr is a function of ``last_batch_iteration`` j: -1 after construction (the lr the first
step trains with), then one more after every scheduler ``step()``. ``EXACT[name](j, groups, p)`` is
the class's ``get_lr`` (and OneCycle's ``get_mom``) statement for statement in Python floats (the
exact engine); ``VECTOR[name](j, groups, p)`` the same over a numpy array of j (the default engine:
the same IEEE operations, but numpy's log and cos may differ by an ulp). ``groups`` holds each
param group's lr (what WarmupLR's ``warmup_max_lr`` defaults to and WarmupCosineLR scales).
"""

from __future__ import annotations

import math
from typing import Any, Callable, Mapping, Sequence

import numpy as np


def _per_group(value: Any, n: int) -> list[float]:
    """_format_param: a scalar broadcast to every group, or one per group."""
    return list(value) if isinstance(value, (list, tuple)) else [value] * n


# ----------------------------------------------------------------------------------------------
# WarmupLR and WarmupDecayLR


def _warmup(p: Mapping[str, Any], groups: Sequence[float]) -> tuple[list[float], list[float], int, float]:
    n = len(groups)
    max_lr = p["warmup_max_lr"] if p["warmup_max_lr"] is not None else list(groups)
    mins, maxs = _per_group(p["warmup_min_lr"], n), _per_group(max_lr, n)
    deltas = [big - small for big, small in zip(maxs, mins)]
    steps = max(2, p["warmup_num_steps"])
    return mins, deltas, steps, 1.0 / math.log(steps)


def _warmup_gamma(j: int, p: Mapping[str, Any], steps: int, inverse_log: float) -> float | None:
    if j < steps:
        if p["warmup_type"] == "log":
            return inverse_log * math.log(j + 1)
        return j / steps
    return None


def warmup_lr(j: int, groups: Sequence[float], p: Mapping[str, Any]) -> list[float]:
    mins, deltas, steps, inverse_log = _warmup(p, groups)
    if j < 0:
        return mins  # "Attempting to get learning rate from scheduler before it has started"
    gamma = _warmup_gamma(j, p, steps, inverse_log)
    if gamma is None:
        if "total_num_steps" in p:  # WarmupDecayLR._get_gamma
            total = p["total_num_steps"]
            gamma = max(0.0, float(total - j) / float(max(1.0, total - steps)))
        else:
            gamma = 1.0
    return [min_lr + (delta_lr * gamma) for min_lr, delta_lr in zip(mins, deltas)]


def warmup_lr_vector(j: np.ndarray, groups: Sequence[float], p: Mapping[str, Any]) -> np.ndarray:
    mins, deltas, steps, inverse_log = _warmup(p, groups)
    jf = j.astype(np.float64)
    gamma = np.empty_like(jf)
    warm = j < steps
    gamma[j < 0] = 0.0  # construction: replaced by the min lrs below
    warm &= j >= 0
    gamma[warm] = inverse_log * np.log(jf[warm] + 1) if p["warmup_type"] == "log" else jf[warm] / steps
    if "total_num_steps" in p:
        total = p["total_num_steps"]
        gamma[j >= steps] = np.maximum(0.0, (total - jf[j >= steps]) / float(max(1.0, total - steps)))
    else:
        gamma[j >= steps] = 1.0
    out = np.array(mins)[:, None] + np.array(deltas)[:, None] * gamma[None, :]
    out[:, j < 0] = np.array(mins)[:, None]
    return out


# ----------------------------------------------------------------------------------------------
# WarmupCosineLR


def _cosine_ratio(j: int, p: Mapping[str, Any]) -> float:
    steps = max(2, p["warmup_num_steps"])
    if j < 0:
        return 0.0
    if j < steps:
        if p["warmup_type"] == "log":
            ratio = (1.0 / math.log(steps)) * math.log(j + 1)
        else:
            ratio = j / steps
        ratio_delta = 1.0 - p["warmup_min_ratio"]
        return p["warmup_min_ratio"] + ratio * ratio_delta
    real_last_step = j - steps + 1
    real_total_steps = max(1, p["total_num_steps"] - steps)
    cosine_progress = min(1.0, real_last_step / real_total_steps)
    ratio_delta = 1.0 - p["cos_min_ratio"]
    ratio = (1 + math.cos(math.pi * cosine_progress)) / 2
    return max(0.0, p["cos_min_ratio"] + ratio_delta * ratio)


def cosine_lr(j: int, groups: Sequence[float], p: Mapping[str, Any]) -> list[float]:
    if j < 0:
        return [0.0 for _ in groups]
    ratio = _cosine_ratio(j, p)
    return [org_lr * ratio for org_lr in groups]


def cosine_lr_vector(j: np.ndarray, groups: Sequence[float], p: Mapping[str, Any]) -> np.ndarray:
    steps = max(2, p["warmup_num_steps"])
    jf = j.astype(np.float64)
    ratio = np.zeros_like(jf)
    warm = (j >= 0) & (j < steps)
    rise = (1.0 / math.log(steps)) * np.log(jf[warm] + 1) if p["warmup_type"] == "log" else jf[warm] / steps
    ratio[warm] = p["warmup_min_ratio"] + rise * (1.0 - p["warmup_min_ratio"])
    after = j >= steps
    progress = np.minimum(1.0, (jf[after] - steps + 1) / max(1, p["total_num_steps"] - steps))
    ratio[after] = np.maximum(0.0, p["cos_min_ratio"] + (1.0 - p["cos_min_ratio"]) * ((1 + np.cos(math.pi * progress)) / 2))
    return np.array(groups, dtype=np.float64)[:, None] * ratio[None, :]


# ----------------------------------------------------------------------------------------------
# OneCycle


class _Cycle:
    """OneCycle's _initialize_* state."""

    def __init__(self, p: Mapping[str, Any], n: int, has_betas: bool):
        first = float(p["cycle_first_step_size"])
        second = float(p["cycle_second_step_size"]) if p["cycle_second_step_size"] is not None else first
        self.total_size = first + second
        self.step_ratio = first / self.total_size
        self.first_step_size, self.second_step_size = first, second
        self.first_stair_count = p["cycle_first_stair_count"]
        self.second_stair_count = p["cycle_first_stair_count"] if p["cycle_second_stair_count"] is None else p["cycle_second_stair_count"]
        self.decay_step_size = p["decay_step_size"]
        self.skip_lr_decay = self.skip_mom_decay = math.isclose(self.decay_step_size, 0)
        self.min_lrs, self.max_lrs = _per_group(p["cycle_min_lr"], n), _per_group(p["cycle_max_lr"], n)
        self.decay_lr_rate = p["decay_lr_rate"]
        if math.isclose(self.decay_lr_rate, 0):
            self.skip_lr_decay = True
        # _initialize_momentum: only an optimizer with betas in its defaults has its momentum cycled
        self.cycle_momentum = p["cycle_momentum"] and has_betas
        if self.cycle_momentum:
            self.decay_mom_rate = p["decay_mom_rate"]
            self.min_moms = [(mom, 0.99) for mom in _per_group(p["cycle_min_mom"], n)]
            self.max_moms = [(mom, 0.99) for mom in _per_group(p["cycle_max_mom"], n)]
            if math.isclose(self.decay_mom_rate, 0):
                self.skip_mom_decay = True

    def scale_factor(self, last_batch_iteration: int) -> float:
        batch_iteration = last_batch_iteration + 1
        cycle = math.floor(1 + batch_iteration / self.total_size)
        x = 1.0 + batch_iteration / self.total_size - cycle
        if x <= self.step_ratio:
            scale_factor = x / self.step_ratio
            stair_count = self.first_stair_count
        else:
            scale_factor = (x - 1) / (self.step_ratio - 1)
            stair_count = self.second_stair_count
        if stair_count > 0:
            cycle_iteration = batch_iteration % self.total_size
            if cycle_iteration <= self.first_step_size:
                stair_position = cycle_iteration * stair_count / self.first_step_size
            else:
                stair_position = (self.total_size - cycle_iteration) * stair_count / self.second_step_size
            scale_factor = math.floor(stair_position) / stair_count
        return scale_factor

    def lr(self, j: int) -> list[float]:
        if j < 0:
            return list(self.min_lrs)
        if j < self.total_size:
            s = self.scale_factor(j)
            return [lo + (hi - lo) * s for lo, hi in zip(self.min_lrs, self.max_lrs)]
        if self.skip_lr_decay:
            return list(self.min_lrs)
        decay_interval = (j - self.total_size + 1) / self.decay_step_size
        factor = 1 + self.decay_lr_rate * decay_interval
        return [lo / factor for lo in self.min_lrs]

    def momentum(self, j: int) -> list[float]:
        if j < 0:
            return [m for m, _ in self.min_moms]
        if j < self.total_size:
            s = self.scale_factor(j)
            return [hi - (hi - lo) * s for (lo, _), (hi, _) in zip(self.min_moms, self.max_moms)]
        if self.skip_mom_decay:
            return [m for m, _ in self.max_moms]
        decay_interval = (j - self.total_size + 1) / self.decay_step_size
        factor = 1 + self.decay_mom_rate * decay_interval
        return [b0 * factor for b0, _ in self.max_moms]


def one_cycle(j: int, groups: Sequence[float], p: Mapping[str, Any], has_betas: bool = True) -> tuple[list[float], list[float] | None]:
    c = _Cycle(p, len(groups), has_betas)
    return c.lr(j), (c.momentum(j) if c.cycle_momentum else None)


def one_cycle_vector(j: np.ndarray, groups: Sequence[float], p: Mapping[str, Any], has_betas: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
    c = _Cycle(p, len(groups), has_betas)
    b = (j + 1).astype(np.float64)
    cycle = np.floor(1 + b / c.total_size)
    x = 1.0 + b / c.total_size - cycle
    rising = x <= c.step_ratio
    scale = np.where(rising, x / c.step_ratio, (x - 1) / (c.step_ratio - 1))
    stairs = np.where(rising, c.first_stair_count, c.second_stair_count)
    if (stairs > 0).any():
        it = b % c.total_size
        position = np.where(it <= c.first_step_size, it * stairs / c.first_step_size, (c.total_size - it) * stairs / c.second_step_size)
        with np.errstate(all="ignore"):
            scale = np.where(stairs > 0, np.floor(position) / np.where(stairs > 0, stairs, 1), scale)
    in_cycle = (j >= 0) & (j < c.total_size)
    after = j >= c.total_size
    interval = (j - c.total_size + 1) / c.decay_step_size if not c.skip_lr_decay or not c.skip_mom_decay else None
    lo, hi = np.array(c.min_lrs)[:, None], np.array(c.max_lrs)[:, None]
    lr = np.repeat(lo, j.size, axis=1)
    lr[:, in_cycle] = lo + (hi - lo) * scale[None, in_cycle]
    if not c.skip_lr_decay:
        lr[:, after] = lo / (1 + c.decay_lr_rate * interval[None, after])
    if not c.cycle_momentum:
        return lr, None
    mlo = np.array([m for m, _ in c.min_moms])[:, None]
    mhi = np.array([m for m, _ in c.max_moms])[:, None]
    mom = np.repeat(mlo, j.size, axis=1)
    mom[:, in_cycle] = mhi - (mhi - mlo) * scale[None, in_cycle]
    mom[:, after] = mhi if c.skip_mom_decay else mhi * (1 + c.decay_mom_rate * interval[None, after])
    return lr, mom


# ----------------------------------------------------------------------------------------------
# LRRangeTest


def range_test(j: int, groups: Sequence[float], p: Mapping[str, Any]) -> list[float]:
    mins = _per_group(p["lr_range_test_min_lr"], len(groups))
    if j < 0:
        return mins
    step_size = p["lr_range_test_step_size"]
    interval = math.floor(float(j + 1) / step_size) if p["lr_range_test_staircase"] else float(j + 1) / step_size
    increase = 1 + p["lr_range_test_step_rate"] * interval
    return [m * increase for m in mins]


def range_test_vector(j: np.ndarray, groups: Sequence[float], p: Mapping[str, Any]) -> np.ndarray:
    mins = np.array(_per_group(p["lr_range_test_min_lr"], len(groups)), dtype=np.float64)[:, None]
    interval = (j + 1).astype(np.float64) / p["lr_range_test_step_size"]
    if p["lr_range_test_staircase"]:
        interval = np.floor(interval)
    out = mins * (1 + p["lr_range_test_step_rate"] * interval)[None, :]
    out[:, j < 0] = mins
    return out


EXACT: dict[str, Callable[..., Any]] = {
    "WarmupLR": warmup_lr, "WarmupDecayLR": warmup_lr, "WarmupCosineLR": cosine_lr, "LRRangeTest": range_test,
}
VECTOR: dict[str, Callable[..., Any]] = {
    "WarmupLR": warmup_lr_vector, "WarmupDecayLR": warmup_lr_vector, "WarmupCosineLR": cosine_lr_vector, "LRRangeTest": range_test_vector,
}
