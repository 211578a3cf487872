"""The lr_lambdas of transformers 5.23 (optimization.py), twice: as the library computes them, and over numpy.

Every LambdaLR schedule ``get_scheduler`` builds is ``base_lr * lr_lambda(step)``. ``keywords``
does what the ``get_*`` function does before it binds its lambda with ``functools.partial`` (the
defaults it fills, the optimizer lr it reads, the errors it raises); ``EXACT[name]`` is the lambda
itself, copied statement for statement so Python floats round exactly as they do in transformers
(the exact engine); ``VECTOR[name]`` evaluates the same expressions over a numpy array of steps (the
default engine: the same IEEE operations, but numpy's cos, sqrt and pow may differ by an ulp).
"""

from __future__ import annotations

import math
from typing import Any, Callable, Mapping

import numpy as np

# ----------------------------------------------------------------------------------------------
# Construction: what each get_* function does before binding its lambda (optimization.py:39-578)


def keywords(name: str, params: Mapping[str, Any], lr_init: float) -> dict[str, Any]:
    """The keywords transformers binds into the lambda (``partial.keywords``).

    ``lr_init`` is ``optimizer.defaults["lr"]``, which polynomial and ``min_lr`` read. Raises
    ValueError (or ZeroDivisionError) with transformers' message where the get_* function raises.
    """
    p = dict(params)
    if name == "constant":
        return {}
    if name == "constant_with_warmup":
        return {"num_warmup_steps": p["num_warmup_steps"]}
    if name == "inverse_sqrt":  # :296
        timescale = p["timescale"]
        if timescale is None:
            timescale = p["num_warmup_steps"] or 10_000
        return {"num_warmup_steps": p["num_warmup_steps"], "timescale": timescale}
    common = {"num_warmup_steps": p["num_warmup_steps"], "num_training_steps": p["num_training_steps"]}
    if name == "linear":
        return common
    if name == "cosine":  # runs the :326 lambda (a redefinition shadows :134) with min_lr_rate 0.0
        return {**common, "num_cycles": p["num_cycles"], "min_lr_rate": 0.0}
    if name == "cosine_with_restarts":
        return {**common, "num_cycles": p["num_cycles"]}
    if name == "polynomial":  # :242
        lr_end = p["lr_end"]
        if not (lr_init > lr_end):
            raise ValueError(f"lr_end ({lr_end}) must be smaller than initial lr ({lr_init})")
        return {**common, "lr_end": lr_end, "power": p["power"], "lr_init": lr_init}
    if name in ("cosine_with_min_lr", "cosine_warmup_with_min_lr"):  # :337, :414
        min_lr_rate = p["min_lr_rate"]
        if p["min_lr"] is not None:
            min_lr_rate = p["min_lr"] / lr_init  # ZeroDivisionError at lr 0, as in transformers
        out = {**common, "num_cycles": p["num_cycles"], "min_lr_rate": min_lr_rate}
        if name == "cosine_warmup_with_min_lr":
            out["warmup_lr_rate"] = p["warmup_lr_rate"]
        return out
    if name == "warmup_stable_decay":  # :508
        stable = p["num_stable_steps"]
        if stable is None:
            stable = p["num_training_steps"] - p["num_warmup_steps"] - p["num_decay_steps"]
        return {
            "num_warmup_steps": p["num_warmup_steps"],
            "num_stable_steps": stable,
            "num_decay_steps": p["num_decay_steps"],
            "warmup_type": p["warmup_type"],
            "decay_type": p["decay_type"],
            "min_lr_ratio": p["min_lr_ratio"],
            "num_cycles": p["num_cycles"],
        }
    raise KeyError(name)


# ----------------------------------------------------------------------------------------------
# The lambdas, verbatim (transformers 5.23.0 optimization.py, line numbers cited)


def _constant(_=None):  # :35
    return 1


def _constant_with_warmup(current_step, *, num_warmup_steps):  # :74
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1.0, num_warmup_steps))
    return 1.0


def _linear(current_step, *, num_warmup_steps, num_training_steps):  # :101
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    return max(0.0, float(num_training_steps - current_step) / float(max(1, num_training_steps - num_warmup_steps)))


def _cosine(current_step, *, num_warmup_steps, num_training_steps, num_cycles, min_lr_rate=0.0):  # :326
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    progress = float(current_step - num_warmup_steps) / float(max(1, num_training_steps - num_warmup_steps))
    factor = 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress))
    factor = factor * (1 - min_lr_rate) + min_lr_rate
    return max(0, factor)


def _cosine_with_restarts(current_step, *, num_warmup_steps, num_training_steps, num_cycles):  # :177
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    progress = float(current_step - num_warmup_steps) / float(max(1, num_training_steps - num_warmup_steps))
    if progress >= 1.0:
        return 0.0
    return max(0.0, 0.5 * (1.0 + math.cos(math.pi * ((float(num_cycles) * progress) % 1.0))))


def _polynomial(current_step, *, num_warmup_steps, num_training_steps, lr_end, power, lr_init):  # :221
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    elif current_step > num_training_steps:
        return lr_end / lr_init  # as LambdaLR multiplies by lr_init
    else:
        lr_range = lr_init - lr_end
        decay_steps = num_training_steps - num_warmup_steps
        pct_remaining = 1 - (current_step - num_warmup_steps) / decay_steps
        decay = lr_range * pct_remaining**power + lr_end
        return decay / lr_init  # as LambdaLR multiplies by lr_init


def _inverse_sqrt(current_step, *, num_warmup_steps, timescale=None):  # :288
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    shift = timescale - num_warmup_steps
    decay = 1.0 / math.sqrt((current_step + shift) / timescale)
    return decay


def _cosine_warmup_with_min_lr(
    current_step, *, num_warmup_steps, num_training_steps, num_cycles, min_lr_rate=0.0, warmup_lr_rate=None
):  # :389
    current_step = float(current_step)
    num_warmup_steps = float(num_warmup_steps)
    num_training_steps = float(num_training_steps)
    if current_step < num_warmup_steps:
        if warmup_lr_rate is None:
            return (current_step + 1.0) / max(1.0, num_warmup_steps)
        else:
            warmup_lr_rate = float(warmup_lr_rate)
            return warmup_lr_rate + (1.0 - warmup_lr_rate) * (current_step) / (max(1, num_warmup_steps - 1))
    progress = (current_step - num_warmup_steps + 1.0) / (max(1.0, num_training_steps - num_warmup_steps))
    factor = 0.5 * (1.0 + math.cos(math.pi * num_cycles * 2.0 * progress))
    factor = factor * (1 - min_lr_rate) + min_lr_rate
    return max(0, factor)


def _wsd(
    current_step, *, num_warmup_steps, num_stable_steps, num_decay_steps, warmup_type, decay_type, min_lr_ratio, num_cycles
):  # :470
    if current_step < num_warmup_steps:
        progress = float(current_step) / float(max(1, num_warmup_steps))
        if warmup_type == "linear":
            factor = progress
        elif warmup_type == "cosine":
            factor = 0.5 * (1.0 - math.cos(math.pi * progress))
        elif warmup_type == "1-sqrt":
            factor = 1.0 - math.sqrt(1.0 - progress)
        factor = factor * (1.0 - min_lr_ratio) + min_lr_ratio
        return max(0.0, factor)
    if current_step < num_warmup_steps + num_stable_steps:
        return 1.0
    if current_step < num_warmup_steps + num_stable_steps + num_decay_steps:
        progress = float(current_step - num_warmup_steps - num_stable_steps) / float(max(1, num_decay_steps))
        if decay_type == "linear":
            factor = 1.0 - progress
        elif decay_type == "cosine":
            factor = 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress))
        elif decay_type == "1-sqrt":
            factor = 1.0 - math.sqrt(progress)
        factor = factor * (1.0 - min_lr_ratio) + min_lr_ratio
        return max(0.0, factor)
    return min_lr_ratio


EXACT: dict[str, Callable[..., Any]] = {
    "constant": _constant,
    "constant_with_warmup": _constant_with_warmup,
    "linear": _linear,
    "cosine": _cosine,
    "cosine_with_min_lr": _cosine,  # the same :326 lambda, with the min_lr_rate given
    "cosine_with_restarts": _cosine_with_restarts,
    "polynomial": _polynomial,
    "inverse_sqrt": _inverse_sqrt,
    "cosine_warmup_with_min_lr": _cosine_warmup_with_min_lr,
    "warmup_stable_decay": _wsd,
}


def exact_lambda(name: str, kw: Mapping[str, Any]) -> Callable[[Any], Any]:
    """The lambda as transformers binds it: ``partial(lambda, **keywords)``."""
    fn = EXACT[name]
    if name == "constant":
        return fn
    return lambda step: fn(step, **kw)


# ----------------------------------------------------------------------------------------------
# The same expressions over the scheduler's positions: a sorted float64 array (whole numbers are exact
# there, so ``float(a - b)`` of ints and ``a - b`` of their floats are the same number). Each piece of a
# lambda covers a slice of the sorted positions, so each formula runs only where it applies. Where
# Python would divide by zero the result is NaN; the engine then lets the exact lambdas decide (they
# raise what transformers raises).


def _pieces(k: np.ndarray, bounds: list[float], *pieces: Callable[[np.ndarray], Any]) -> np.ndarray:
    """``pieces[i]`` on the positions in [bounds[i-1], bounds[i]) (``side`` "right" for a bound given as
    ``(value, "right")``: the positions up to and including it)."""
    out = np.empty(k.shape)
    start = 0
    for i, piece in enumerate(pieces):
        if i < len(bounds):
            bound = bounds[i]
            side = "left"
            if isinstance(bound, tuple):
                bound, side = bound
            stop = max(start, int(np.searchsorted(k, bound, side=side)))
        else:
            stop = k.shape[0]
        if stop > start:
            out[start:stop] = piece(k[start:stop])
        start = stop
    return out


def _ramp(denominator: float) -> Callable[[np.ndarray], np.ndarray]:
    """The warmup every lambda shares: ``float(current_step) / float(max(1, num_warmup_steps))``."""
    return lambda k: k / denominator


def _v_constant(k, **kw):
    return np.ones(k.shape)


def _v_constant_with_warmup(k, *, num_warmup_steps):
    w = num_warmup_steps
    return _pieces(k, [w], _ramp(float(max(1.0, w))), lambda k: 1.0)


def _v_linear(k, *, num_warmup_steps, num_training_steps):
    w, t = num_warmup_steps, num_training_steps
    return _pieces(k, [w], _ramp(float(max(1, w))), lambda k: np.maximum(0.0, (t - k) / float(max(1, t - w))))


def _cosine_decay(w, t, num_cycles, min_lr_rate):
    def decay(k):
        # in place, in transformers' order: ((pi * num_cycles * 2.0) * progress), 0.5 * (1.0 + cos), ...
        factor = np.subtract(k, w)
        factor /= float(max(1, t - w))
        factor *= math.pi * float(num_cycles) * 2.0
        np.cos(factor, out=factor)
        factor += 1.0
        factor *= 0.5
        if min_lr_rate:  # x * (1 - 0.0) + 0.0 is x: skip two passes for plain cosine
            factor *= 1 - min_lr_rate
            factor += min_lr_rate
        # max(0, factor) changes nothing: 1 + cos >= 0, and min_lr_rate >= 0 keeps the blend >= 0
        return factor

    return decay


def _v_cosine(k, *, num_warmup_steps, num_training_steps, num_cycles, min_lr_rate=0.0):
    w = num_warmup_steps
    return _pieces(k, [w], _ramp(float(max(1, w))), _cosine_decay(w, num_training_steps, num_cycles, min_lr_rate))


def _v_cosine_with_restarts(k, *, num_warmup_steps, num_training_steps, num_cycles):
    w, t = num_warmup_steps, num_training_steps

    def decay(k):
        progress = (k - w) / float(max(1, t - w))
        wave = np.maximum(0.0, 0.5 * (1.0 + np.cos(math.pi * np.remainder(float(num_cycles) * progress, 1.0))))
        return np.where(progress >= 1.0, 0.0, wave)

    return _pieces(k, [w], _ramp(float(max(1, w))), decay)


def _v_polynomial(k, *, num_warmup_steps, num_training_steps, lr_end, power, lr_init):
    w, t = num_warmup_steps, num_training_steps
    decay_steps = t - w

    def decay(k):
        if decay_steps == 0:
            return np.full(k.shape, np.nan)  # transformers divides by zero here
        pct_remaining = 1 - (k - w) / decay_steps
        return ((lr_init - lr_end) * pct_remaining**power + lr_end) / lr_init

    return _pieces(k, [w, (t, "right")], _ramp(float(max(1, w))), decay, lambda k: lr_end / lr_init)


def _v_inverse_sqrt(k, *, num_warmup_steps, timescale):
    w = num_warmup_steps
    shift = timescale - w

    def decay(k):
        if not timescale:
            return np.full(k.shape, np.nan)  # transformers divides by zero here
        return 1.0 / np.sqrt((k + shift) / timescale)

    return _pieces(k, [w], _ramp(float(max(1, w))), decay)


def _v_cosine_warmup_with_min_lr(k, *, num_warmup_steps, num_training_steps, num_cycles, min_lr_rate=0.0, warmup_lr_rate=None):
    w, t = float(num_warmup_steps), float(num_training_steps)
    if warmup_lr_rate is None:
        warm = lambda k: (k + 1.0) / max(1.0, w)  # noqa: E731
    else:
        rate = float(warmup_lr_rate)
        warm = lambda k: rate + (1.0 - rate) * k / (max(1, w - 1))  # noqa: E731

    def decay(k):
        progress = (k - w + 1.0) / (max(1.0, t - w))
        factor = 0.5 * (1.0 + np.cos(math.pi * num_cycles * 2.0 * progress))
        factor = factor * (1 - min_lr_rate) + min_lr_rate
        return np.maximum(0, factor)

    return _pieces(k, [w], warm, decay)


def _v_wsd(k, *, num_warmup_steps, num_stable_steps, num_decay_steps, warmup_type, decay_type, min_lr_ratio, num_cycles):
    w, s, d = num_warmup_steps, num_stable_steps, num_decay_steps

    def warm(k):
        progress = k / float(max(1, w))
        if warmup_type == "linear":
            factor = progress
        elif warmup_type == "cosine":
            factor = 0.5 * (1.0 - np.cos(math.pi * progress))
        else:
            factor = 1.0 - np.sqrt(1.0 - progress)
        return np.maximum(0.0, factor * (1.0 - min_lr_ratio) + min_lr_ratio)

    def decay(k):
        progress = (k - w - s) / float(max(1, d))
        if decay_type == "linear":
            factor = 1.0 - progress
        elif decay_type == "cosine":
            factor = 0.5 * (1.0 + np.cos(math.pi * float(num_cycles) * 2.0 * progress))
        else:
            factor = 1.0 - np.sqrt(progress)
        return np.maximum(0.0, factor * (1.0 - min_lr_ratio) + min_lr_ratio)

    # the ifs in order: warmup below w, stable below w + s, decay below w + s + d (a negative stable
    # phase leaves no stable steps and starts the decay at w)
    stable_end = max(w, w + s)
    return _pieces(k, [w, stable_end, max(stable_end, w + s + d)], warm, lambda k: 1.0, decay, lambda k: float(min_lr_ratio))


VECTOR: dict[str, Callable[..., np.ndarray]] = {
    "constant": _v_constant,
    "constant_with_warmup": _v_constant_with_warmup,
    "linear": _v_linear,
    "cosine": _v_cosine,
    "cosine_with_min_lr": _v_cosine,
    "cosine_with_restarts": _v_cosine_with_restarts,
    "polynomial": _v_polynomial,
    "inverse_sqrt": _v_inverse_sqrt,
    "cosine_warmup_with_min_lr": _v_cosine_warmup_with_min_lr,
    "warmup_stable_decay": _v_wsd,
}
