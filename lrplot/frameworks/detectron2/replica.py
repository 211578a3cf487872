"""fvcore's ParamSchedulers and detectron2's solver, in their own float operations (``--exact``).

Each scheduler of a config becomes a Python function of ``where`` doing what its ``__call__`` does,
operation for operation, so the values are bit-identical to the libraries' (the golden tests hold
them to that), and raising where they raise: fvcore's ConstantParamScheduler at ``where >= 1``
(RuntimeError), MultiStepParamScheduler past 1, StepParamScheduler (and StepWithFixedGamma, which
is one) at 1 (IndexError: ``int((1 + 1e-6) * len)`` indexes past its values).

Transcribed from fvcore 0.1.5.post20221221 ``fvcore/common/param_scheduler.py`` (the reference
installs it: the recorder runs the real classes) and from facebookresearch/detectron2 at
``records.COMMIT``, ``detectron2/solver/lr_scheduler.py``: WarmupParamScheduler's construction,
LRMultiplier's ``base_lr * multiplier(last_epoch / max_iter)``, and the legacy WarmupMultiStepLR and
WarmupCosineLR with ``_get_warmup_factor_at_iter``.
"""

from __future__ import annotations

import bisect
import math
from typing import Callable

from ...config import SchedulerSpec
from .records import PREFIX

WHERE_EPSILON = 1e-6  # ParamScheduler.WHERE_EPSILON
Multiplier = Callable[[float], float]


def multiplier(node: SchedulerSpec) -> Multiplier:
    """The ParamScheduler ``node`` describes, as fvcore builds it (construction-time raises included)."""
    kind = node.type[len(PREFIX):]
    p = node.params
    if kind == "ConstantParamScheduler":
        value = p["value"]

        def constant(where: float) -> float:
            if where >= 1.0:
                raise RuntimeError(f"where in ParamScheduler must be in [0, 1]: got {where}")
            return value
        return constant
    if kind == "LinearParamScheduler":
        start, end = p["start_value"], p["end_value"]
        return lambda where: end * where + start * (1 - where)
    if kind == "CosineParamScheduler":
        start, end = p["start_value"], p["end_value"]
        return lambda where: end + 0.5 * (start - end) * (1 + math.cos(math.pi * where))
    if kind == "ExponentialParamScheduler":
        start, decay = p["start_value"], p["decay"]
        return lambda where: start * (decay ** where)
    if kind == "PolynomialDecayParamScheduler":
        base, power = p["base_value"], p["power"]
        return lambda where: base * (1 - where) ** power
    if kind == "MultiStepParamScheduler":
        values, n, milestones = list(p["values"]), p["num_updates"], list(p["milestones"])

        def multistep(where: float) -> float:
            if where > 1.0:
                raise RuntimeError(f"where in ParamScheduler must be in [0, 1]: got {where}")
            epoch_num = int((where + WHERE_EPSILON) * n)
            return values[bisect.bisect_right(milestones, epoch_num)]
        return multistep
    if kind == "StepParamScheduler":
        return _step(list(p["values"]))
    if kind == "StepWithFixedGammaParamScheduler":
        values = [p["base_value"]]
        for _ in range(p["num_decays"]):
            values.append(values[-1] * p["gamma"])
        return _step(values)
    if kind == "CompositeParamScheduler":
        return _composite([multiplier(c) for c in p["schedulers"]], list(p["lengths"]), list(p["interval_scaling"]))
    if kind == "WarmupParamScheduler":
        return warmup(multiplier(p["scheduler"]), p["warmup_factor"], p["warmup_length"], p["warmup_method"], p["rescale_interval"])
    raise AssertionError(node.type)


def _step(values: list[float]) -> Multiplier:
    def step(where: float) -> float:
        ind = int((where + WHERE_EPSILON) * len(values))
        return values[ind]
    return step


def _composite(schedulers: list[Multiplier], lengths: list[float], scaling: list[str]) -> Multiplier:
    if sum(lengths) != 1.0:
        lengths[-1] = 1.0 - sum(lengths[:-1])

    def composite(where: float) -> float:
        i = 0
        running_total = lengths[i]
        while (where + WHERE_EPSILON) > running_total and i < len(schedulers) - 1:
            i += 1
            running_total += lengths[i]
        scheduler_where = where
        if scaling[i] == "rescaled":
            scheduler_start = running_total - lengths[i]
            scheduler_where = (where - scheduler_start) / lengths[i]
        return schedulers[i](scheduler_where)
    return composite


def warmup(scheduler: Multiplier, factor: float, length: float, method: str, rescale: bool) -> Multiplier:
    """detectron2's WarmupParamScheduler: a Composite of the warmup and ``scheduler``."""
    end_value = scheduler(0.0) if rescale else scheduler(length)
    start_value = factor * scheduler(0.0)
    if method == "constant":
        head: Multiplier = _constant(start_value)
    elif method == "linear":
        head = lambda where: end_value * where + start_value * (1 - where)  # noqa: E731 - LinearParamScheduler
    else:
        raise ValueError(f"Unknown warmup method: {method}")
    return _composite([head, scheduler], [length, 1 - length], ["rescaled", "rescaled" if rescale else "fixed"])


def _constant(value: float) -> Multiplier:
    def constant(where: float) -> float:
        if where >= 1.0:
            raise RuntimeError(f"where in ParamScheduler must be in [0, 1]: got {where}")
        return value
    return constant


def warmup_factor_at(method: str, it: int, warmup_iters: int, warmup_factor: float) -> float:
    """detectron2's ``_get_warmup_factor_at_iter``."""
    if it >= warmup_iters:
        return 1.0
    if method == "constant":
        return warmup_factor
    if method == "linear":
        alpha = it / warmup_iters
        return warmup_factor * (1 - alpha) + alpha
    raise ValueError(f"Unknown warmup method: {method}")


def lr_function(node: SchedulerSpec, base_lrs: list[float], max_iter: int) -> Callable[[int], list[float]]:
    """Each group's lr after ``k`` scheduler steps (``last_epoch == k``), as the top-level scheduler computes it."""
    p = node.params
    if node.type == PREFIX + "WarmupMultiStepLR":
        milestones, gamma = list(p["milestones"]), p["gamma"]

        def multistep(k: int) -> list[float]:
            f = warmup_factor_at(p["warmup_method"], k, p["warmup_iters"], p["warmup_factor"])
            return [base_lr * f * gamma ** bisect.bisect_right(milestones, k) for base_lr in base_lrs]
        return multistep
    if node.type == PREFIX + "WarmupCosineLR":
        max_iters = p["max_iters"]

        def cosine(k: int) -> list[float]:
            f = warmup_factor_at(p["warmup_method"], k, p["warmup_iters"], p["warmup_factor"])
            return [base_lr * f * 0.5 * (1.0 + math.cos(math.pi * k / max_iters)) for base_lr in base_lrs]
        return cosine
    m = multiplier(node)

    def lr_multiplier(k: int) -> list[float]:  # LRMultiplier.get_lr
        value = m(k / max_iter)
        return [base_lr * value for base_lr in base_lrs]
    return lr_multiplier
