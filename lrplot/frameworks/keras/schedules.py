"""Keras 3.15's schedules (keras/src/optimizers/schedules/learning_rate_schedule.py), over numpy arrays of steps.

Each function is the class's ``__call__``, operation for operation and in Keras' order, evaluated for
every step at once in one precision (:class:`lrplot.engine.precision.Arith`): Keras casts every
keyword to the dtype of ``initial_learning_rate`` (``ops.cast``), and a Python number inside an
expression (``(1 - self.alpha) * x``) meets the tensor in that dtype. ``ops.cond`` and the
branches of a Python ``if`` on tensors evaluate both sides here and pick with ``where``. Line
numbers cite keras 3.15.1.
"""

from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np

from ...engine.precision import Arith


def exponential_decay(p: Mapping[str, Any], step: np.ndarray, a: Arith) -> np.ndarray:  # :104
    lr0, decay_steps, decay_rate = a.c(p["initial_learning_rate"]), a.c(p["decay_steps"]), a.c(p["decay_rate"])
    ratio = a.c(step) / decay_steps
    if p["staircase"]:
        ratio = np.floor(ratio)
    return lr0 * a.power(decay_rate, ratio)


def piecewise_constant_decay(p: Mapping[str, Any], step: np.ndarray, a: Arith) -> np.ndarray:  # :205
    # boundaries are cast to the step's integer dtype; values keep the schedule's float dtype
    b = [int(x) for x in p["boundaries"]]
    v = [a.c(x) for x in p["values"]]
    out = np.zeros(step.shape, dtype=a.dtype)
    out += (step <= b[0]).astype(a.dtype) * v[0]
    out += (step > b[-1]).astype(a.dtype) * v[-1]
    for low, high, value in zip(b[:-1], b[1:], v[1:-1]):
        out += ((step > low) & (step <= high)).astype(a.dtype) * value
    return out


def polynomial_decay(p: Mapping[str, Any], step: np.ndarray, a: Arith) -> np.ndarray:  # :327
    lr0, end, power = a.c(p["initial_learning_rate"]), a.c(p["end_learning_rate"]), a.c(p["power"])
    g = a.c(step)
    decay_steps = a.c(p["decay_steps"])
    if p["cycle"]:
        # the first multiple of decay_steps above the step (1 at step 0)
        multiplier = np.where(g == 0, a.c(1.0), np.ceil(g / a.c(p["decay_steps"])))
        decay_steps = decay_steps * multiplier
    else:
        g = np.minimum(g, decay_steps)
    ratio = g / decay_steps
    return (lr0 - end) * a.power(a.c(1) - ratio, power) + end


def inverse_time_decay(p: Mapping[str, Any], step: np.ndarray, a: Arith) -> np.ndarray:  # :443
    lr0, decay_steps, decay_rate = a.c(p["initial_learning_rate"]), a.c(p["decay_steps"]), a.c(p["decay_rate"])
    ratio = a.c(step) / decay_steps
    if p["staircase"]:
        ratio = np.floor(ratio)
    return lr0 / (a.c(1) + decay_rate * ratio)


def _cosine(g: np.ndarray, decay_steps: np.ndarray, decay_from: np.ndarray, alpha: float, a: Arith) -> np.ndarray:  # :570
    fraction = g / decay_steps
    cosine = a.c(0.5) * (a.c(1.0) + a.cos(a.c(math.pi) * fraction))
    decayed = a.c(1 - alpha) * cosine + a.c(alpha)  # (1 - self.alpha): a Python float, then the dtype
    return decay_from * decayed


def cosine_decay(p: Mapping[str, Any], step: np.ndarray, a: Arith) -> np.ndarray:  # :590
    lr0, decay_steps = a.c(p["initial_learning_rate"]), a.c(p["decay_steps"])
    g = a.c(step)
    if p["warmup_target"] is None:
        return _cosine(np.minimum(g, decay_steps), decay_steps, lr0, p["alpha"], a)
    target, warmup = a.c(p["warmup_target"]), a.c(p["warmup_steps"])
    g = np.minimum(g, decay_steps + warmup)
    with np.errstate(all="ignore"):  # ops.cond evaluates one branch; here both, one is kept
        rising = (target - lr0) * (g / warmup) + lr0
        falling = _cosine(g - warmup, decay_steps, target, p["alpha"], a)
    return np.where(g < warmup, rising, falling)


def cosine_decay_restarts(p: Mapping[str, Any], step: np.ndarray, a: Arith) -> np.ndarray:  # :733
    lr0, first = a.c(p["initial_learning_rate"]), a.c(p["first_decay_steps"])
    alpha, t_mul, m_mul = a.c(p["alpha"]), a.c(p["t_mul"]), a.c(p["m_mul"])
    fraction = a.c(step) / first
    with np.errstate(all="ignore"):
        if t_mul == 1.0:  # ops.cond(ops.equal(t_mul, 1.0), ...): compared in the dtype
            restart = np.floor(fraction)
            fraction = fraction - restart
        else:
            restart = np.floor(a.log(a.c(1.0) - fraction * (a.c(1.0) - t_mul)) / a.log(t_mul))
            grown = a.power(t_mul, restart)
            done = (a.c(1.0) - grown) / (a.c(1.0) - t_mul)
            fraction = (fraction - done) / grown
        factor = a.power(m_mul, restart)
        cosine = a.c(0.5) * factor * (a.c(1.0) + a.cos(a.c(math.pi) * fraction))
    decayed = (a.c(1) - alpha) * cosine + alpha
    return lr0 * decayed


FORMULAS = {
    "ExponentialDecay": exponential_decay,
    "PiecewiseConstantDecay": piecewise_constant_decay,
    "PolynomialDecay": polynomial_decay,
    "InverseTimeDecay": inverse_time_decay,
    "CosineDecay": cosine_decay,
    "CosineDecayRestarts": cosine_decay_restarts,
}


def lr(name: str, params: Mapping[str, Any], step: np.ndarray, a: Arith) -> np.ndarray:
    """The schedule at every step (int64, the optimizer's iteration counts), in ``a``'s precision."""
    return np.asarray(FORMULAS[name](params, step, a), dtype=a.dtype)
