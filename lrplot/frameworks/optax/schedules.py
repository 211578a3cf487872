"""optax 0.2.8's schedules (optax/schedules/_schedule.py and _join.py), over numpy arrays of update counts.

Each function builds what the optax function builds (the constants it computes in Python, the
fallbacks it logs) and returns the schedule it returns, evaluated for every count at once in one
precision (:class:`lrplot.engine.precision.Arith`), operation for operation and in optax's order.
A Python number meeting an array takes the array's dtype, as jax's weak types do; ``count / n``
divides in the float dtype; ``x ** n`` with a Python int is jax's ``integer_pow``.

Precisions: float32 is optax as it runs by default (an int32 count, jax without x64); float64 is
the same code in float64 throughout (jax with x64 and a float64 count). Line numbers cite optax 0.2.8.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Mapping

import numpy as np

from ...engine.precision import Arith

Schedule = Callable[[np.ndarray], np.ndarray]


def _power(a: Arith, x: np.ndarray, power: float) -> np.ndarray:
    """``x ** power``: jax's integer_pow for a whole power (as written in code: ``power=2``), else pow."""
    if float(power).is_integer() and abs(power) < 2**31:
        return a.integer_pow(x, int(power))
    return a.power(x, power)


def polynomial(a: Arith, init_value, end_value, power, transition_steps, transition_begin=0) -> Schedule:  # :40
    if transition_steps <= 0:  # optax logs and returns a constant
        return lambda count: np.full(count.shape, a.c(init_value))
    transition_begin = max(transition_begin, 0)

    def schedule(count):
        clipped = np.clip(count - transition_begin, 0, transition_steps)
        frac = a.c(1) - a.c(clipped) / a.c(transition_steps)
        return a.c(init_value - end_value) * _power(a, frac, power) + a.c(end_value)

    return schedule


def linear(a: Arith, init_value, end_value, transition_steps, transition_begin=0) -> Schedule:  # :94
    return polynomial(a, init_value, end_value, 1, transition_steps, transition_begin)


def constant(a: Arith, value) -> Schedule:  # :28
    return lambda count: np.full(count.shape, a.c(value))


def piecewise_constant(a: Arith, init_value, boundaries_and_scales=None) -> Schedule:  # :125
    items = sorted(dict(boundaries_and_scales or ()).items())

    def schedule(count):
        v = np.full(count.shape, a.c(init_value))
        for threshold, scale in items:
            indicator = np.maximum(a.c(0.0), a.c(np.sign(threshold - count)))
            v = v * indicator + (a.c(1) - indicator) * a.c(scale) * v
        return v

    return schedule


def exponential_decay(a: Arith, init_value, transition_steps, decay_rate, transition_begin=0, staircase=False, end_value=None) -> Schedule:  # :166
    if transition_steps <= 0 or decay_rate == 0:  # optax logs and returns a constant
        return lambda count: np.full(count.shape, a.c(init_value))
    transition_begin = max(transition_begin, 0)
    clip = np.maximum if decay_rate < 1.0 else np.minimum

    def schedule(count):
        decreased = count - transition_begin
        p = a.c(decreased) / a.c(transition_steps)
        if staircase:
            p = np.floor(p)
        decayed = np.where(decreased <= 0, a.c(init_value), a.c(init_value) * a.power(a.c(decay_rate), p))
        if end_value is not None:
            decayed = clip(decayed, a.c(end_value))
        return decayed

    return schedule


def cosine_decay(a: Arith, init_value, decay_steps, alpha=0.0, exponent=1.0) -> Schedule:  # :243
    decay_steps = float(decay_steps)

    def schedule(count):
        count = a.c(np.minimum(count, decay_steps))
        cosine = a.c(0.5) * (a.c(1) + a.cos(a.c(math.pi) * count / a.c(decay_steps)))
        shaped = cosine if exponent == 1 else a.power(cosine, exponent)  # pow(x, 1.0) is x
        return a.c(init_value) * (a.c(1 - alpha) * shaped + a.c(alpha))

    return schedule


def _linear_interpolate(a: Arith, start, end, pct):  # :301
    return (end - start) * pct + start


def _cosine_interpolate(a: Arith, start, end, pct):  # :310
    return end + (start - end) / a.c(2.0) * (a.cos(a.c(math.pi) * pct) + a.c(1))


def piecewise_interpolate(a: Arith, interpolate_type, init_value, boundaries_and_scales=None) -> Schedule:  # :319
    interpolate = _linear_interpolate if interpolate_type == "linear" else _cosine_interpolate
    items = sorted(dict(boundaries_and_scales or ()).items())
    bounds = [0] + [b for b, _ in items]
    values = [a.c(init_value)]
    for _, scale in items:  # jnp.cumprod, left to right
        values.append(values[-1] * a.c(scale))

    def schedule(count):
        out = np.zeros(count.shape, dtype=a.dtype)
        with np.errstate(all="ignore"):
            for i in range(len(bounds) - 1):
                size = max(bounds[i + 1] - bounds[i], 1)
                inside = (bounds[i] <= count) & (count < bounds[i + 1])
                pct = a.c(count - bounds[i]) / a.c(size)
                # indicator.dot(interp_vals): the one interval the count is in, plus zeros
                out = out + np.where(inside, interpolate(a, values[i], values[i + 1], pct), a.c(0.0))
        return out + (bounds[-1] <= count).astype(a.dtype) * values[-1]

    return schedule


def _onecycle_scales(transition_steps, pct_start, pct_final, div_factor, final_div_factor, kind: str) -> dict:
    """The dict optax builds (a literal: a later equal boundary overwrites an earlier one)."""
    if kind == "linear":  # :415
        return {int(pct_start * transition_steps): div_factor, int(pct_final * transition_steps): 1.0 / div_factor,
                transition_steps: 1.0 / final_div_factor}
    return {int(pct_start * transition_steps): div_factor, int(transition_steps): 1.0 / (div_factor * final_div_factor)}  # :466


def linear_onecycle(a: Arith, transition_steps, peak_value, pct_start=0.3, pct_final=0.85, div_factor=25.0, final_div_factor=1e4) -> Schedule:
    scales = _onecycle_scales(transition_steps, pct_start, pct_final, div_factor, final_div_factor, "linear")
    return piecewise_interpolate(a, "linear", peak_value / div_factor, scales)


def cosine_onecycle(a: Arith, transition_steps, peak_value, pct_start=0.3, div_factor=25.0, final_div_factor=1e4) -> Schedule:
    scales = _onecycle_scales(transition_steps, pct_start, None, div_factor, final_div_factor, "cosine")
    return piecewise_interpolate(a, "cosine", peak_value / div_factor, scales)


def warmup_constant(a: Arith, init_value, peak_value, warmup_steps) -> Schedule:  # :476
    return linear(a, init_value, peak_value, warmup_steps)


def join(schedules: list[Schedule], boundaries) -> Schedule:  # _join.py:26
    def schedule(step):
        output = schedules[0](step)
        for boundary, later in zip(boundaries, schedules[1:]):
            output = np.where(step < boundary, output, later(step - boundary))
        return output

    return schedule


def warmup_cosine_decay(a: Arith, init_value, peak_value, warmup_steps, decay_steps, end_value=0.0, exponent=1.0) -> Schedule:  # :506
    alpha = 0.0 if peak_value == 0.0 else end_value / peak_value
    return join(
        [linear(a, init_value, peak_value, warmup_steps), cosine_decay(a, peak_value, decay_steps - warmup_steps, alpha, exponent)],
        [warmup_steps],
    )


def warmup_exponential_decay(a: Arith, init_value, peak_value, warmup_steps, transition_steps, decay_rate, transition_begin=0,
                             staircase=False, end_value=None) -> Schedule:  # :600
    return join(
        [linear(a, init_value, peak_value, warmup_steps),
         exponential_decay(a, peak_value, transition_steps, decay_rate, transition_begin, staircase, end_value)],
        [warmup_steps],
    )


def sgdr(a: Arith, cycles: list[Mapping[str, Any]]) -> Schedule:  # :668
    boundaries, schedules, step = [], [], 0
    for kwargs in cycles:
        schedules.append(warmup_cosine_decay(a, **kwargs))
        boundaries.append(step + kwargs["decay_steps"])
        step += kwargs["decay_steps"]
    return join(schedules, boundaries[:-1])


BUILDERS: dict[str, Callable[..., Schedule]] = {
    "constant_schedule": constant,
    "linear_schedule": linear,
    "polynomial_schedule": polynomial,
    "exponential_decay": exponential_decay,
    "cosine_decay_schedule": cosine_decay,
    "warmup_cosine_decay_schedule": warmup_cosine_decay,
    "warmup_exponential_decay_schedule": warmup_exponential_decay,
    "warmup_constant_schedule": warmup_constant,
    "linear_onecycle_schedule": linear_onecycle,
    "cosine_onecycle_schedule": cosine_onecycle,
    "piecewise_constant_schedule": piecewise_constant,
    "piecewise_interpolate_schedule": piecewise_interpolate,
}


def keywords(node) -> dict[str, Any]:
    """A scheduler spec's keywords as optax receives them (boundaries_and_scales as a dict)."""
    out = dict(node.params)
    if out.get("boundaries_and_scales") is not None:
        out["boundaries_and_scales"] = dict(out["boundaries_and_scales"])
    return out


def build(node, a: Arith) -> Schedule:
    """The schedule a spec describes (nested ones built too)."""
    name = node.info.library_name
    if name == "join_schedules":
        return join([build(child, a) for child in node.params["schedules"]], list(node.params["boundaries"]))
    if name == "sgdr_schedule":
        return sgdr(a, [keywords(child) for child in node.params["cosine_kwargs"]])
    return BUILDERS[name](a, **keywords(node))


def lr(node, count: np.ndarray, a: Arith) -> np.ndarray:
    """The schedule at every update count (int64), in ``a``'s precision."""
    with np.errstate(all="ignore"):  # join_schedules evaluates every schedule at every count, past ones too
        return np.asarray(build(node, a)(count), dtype=a.dtype)
