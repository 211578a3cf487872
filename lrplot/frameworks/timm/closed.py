"""timm's schedules as closed forms over whole numpy arrays of t: a million updates in milliseconds.

The same expressions as the replica (timm's ``_get_lr``), in the same operation order, evaluated
for every t at once; they differ from timm only where numpy's transcendental functions differ from
libm's in the last bit (tests hold them to 1e-12 of the peak lr). Where a floor of a logarithm
decides the cycle (``cycle_mul != 1``) and the argument sits next to an integer, the replica's
``math.log`` decides, so a last-bit difference never moves a restart. ``values`` returns None
where timm would raise (a logarithm of a negative number), for the replica to say where.
"""

from __future__ import annotations

import math

import numpy as np

from ...config import SchedulerSpec
from .replica import warmup_steps


def values(node: SchedulerSpec, base: np.ndarray, t: np.ndarray, out: np.ndarray | None = None) -> np.ndarray | None:
    """``_get_lr(t)`` for every t (int64, ascending, shape (T,)) and group (``base``: shape (G,)): shape (G, T).

    ``out`` receives them when given (the engine's buffer: a fresh array of a million floats costs
    more in page faults than the cosine itself).
    """
    p = node.params
    out = np.empty((base.size, t.size)) if out is None else out
    warm = int(np.searchsorted(t, p["warmup_t"]))  # t < warmup_t: a prefix of the ascending t
    with np.errstate(all="ignore"):
        if warm:
            if node.type == "timm.tanh" and not p["warmup_prefix"] and values(node, base, np.array([p["warmup_t"]])) is None:
                return None  # the warmup's target raises in timm: the replica says so
            steps = np.array(warmup_steps(node, base.tolist(), lambda x: values(node, base, np.array([x]))[:, 0].tolist()))
            out[:, :warm] = p["warmup_lr_init"] + t[:warm][None, :] * steps[:, None]
        rest = t[warm:]
        if node.type == "timm.wsd":
            out[:, warm:] = _wsd(p, base[:, None], rest)
        elif not _schedule(node.type, p, base, rest - p["warmup_t"] if p["warmup_prefix"] else rest, out[:, warm:]):
            return None
    return out


def _schedule(kind: str, p, base: np.ndarray, t: np.ndarray, out: np.ndarray) -> bool:
    """Write the schedule's values into ``out`` (G, T); False where timm would raise."""
    b = base[:, None]
    if kind == "timm.step":
        out[:] = b * (p["decay_rate"] ** np.floor_divide(t, p["decay_t"]))[None, :]
        return True
    if kind == "timm.multistep":
        passed = np.searchsorted(np.asarray(p["decay_t"], dtype=np.int64), t + 1, side="right")
        out[:] = b * (p["decay_rate"] ** passed.astype(np.float64))[None, :]
        return True
    cycled = cycle(t, p["t_initial"], p["cycle_mul"])
    if cycled is None:
        return False
    i, t_i, t_curr = cycled
    lr_min = p["lr_min"]
    k = p["k_decay"] if kind != "timm.tanh" else 1.0
    # x ** 1.0 == x exactly: no powers over the whole run in the common case
    try:
        num, den = (t_curr, t_i) if k == 1 else (t_curr ** k, t_i ** k)
    except OverflowError:  # t_i ** k of a Python float: timm's own power overflows, the replica says where
        return False
    # shape, and the factor timm puts before it: lr_min + factor * (lr_max - lr_min) * shape
    if kind == "timm.cosine":
        shape = np.multiply(num, math.pi)
        shape /= den
        np.cos(shape, out=shape)
        shape += 1
        factor = 0.5
    elif kind == "timm.tanh":
        tr = t_curr / t_i
        shape = 1 - np.tanh(p["lb"] * (1. - tr) + p["ub"] * tr)
        factor = 0.5
    else:
        shape = num / den
        np.subtract(1, shape, out=shape)
        shape **= p["power"]
        factor = None
    if p["cycle_decay"] == 1:  # lr_max = base * 1.0 ** i = base: one coefficient per group
        for g, lr_max in enumerate(base.tolist()):
            coefficient = factor * (lr_max - lr_min) if factor is not None else lr_max - lr_min
            np.multiply(shape, coefficient, out=out[g])
            out[g] += lr_min
    else:
        lr_max = b * (p["cycle_decay"] ** np.asarray(i, dtype=np.float64))
        coefficient = factor * (lr_max - lr_min) if factor is not None else lr_max - lr_min
        out[:] = lr_min + coefficient * shape
    done = np.asarray(i >= p["cycle_limit"])
    if done.any():
        out[:, np.broadcast_to(done, t.shape)] = lr_min
    return True


def cycle(t: np.ndarray, t_initial: int, mul: float):
    """(cycle index, cycle length, t within the cycle) for every t, as the replica's ``cycle``; None
    where timm's logarithm would raise."""
    if mul == 1:
        t_curr = t.astype(np.float64)
        if not t.size or (t[0] >= 0 and t[-1] < t_initial):  # one cycle: i = 0, t_curr = t
            return 0, float(t_initial), t_curr
        i = t // t_initial
        t_curr -= t_initial * i  # exact: whole numbers far below 2**53
        return i, float(t_initial), t_curr
    x = 1 - t / t_initial * (1 - mul)
    if (x <= 0).any():
        return None  # math.log raises: let the replica say where
    ratio = np.log(x) / math.log(mul)
    i = np.floor(ratio)
    # Next to an integer the last bit of the logarithm decides the cycle: ask libm, as timm does.
    near = np.nonzero(np.abs(ratio - np.round(ratio)) < 1e-9)[0]
    for j in near.tolist():
        i[j] = math.floor(math.log(float(x[j]), mul))
    i = i.astype(np.int64)
    power = mul ** i.astype(np.float64)
    return i, power * t_initial, t - (1 - power) / (1 - mul) * t_initial


def _wsd(p, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    t_s = (t - p["warmup_t"]).astype(np.float64)
    if p["stable_fn"] == "constant":
        stable_lrs = np.broadcast_to(np.maximum(b * 1., p["lr_min"]), (b.shape[0], t.size))
    else:
        power = 0.5 if p["stable_fn"] == "rsqrt" else p["stable_power"]
        timescale = p["stable_timescale"] if p["stable_timescale"] is not None else p["warmup_t"]
        stable_lrs = np.maximum(b * ((1. + t_s / timescale) ** -power)[None, :], p["lr_min"])
    t_decay = t_s - (p["t_initial"] - p["decay_t"])
    frac = np.minimum(t_decay / p["decay_t"], 1.)
    fn = p["decay_fn"]
    if fn == "linear":
        decay = 1. - frac
    elif fn == "1-sqrt":
        decay = 1. - np.sqrt(np.maximum(frac, 0.))
    elif fn == "cosine":
        decay = 0.5 * (1. + np.cos(math.pi * frac))
    elif fn == "power":
        decay = 1. - np.maximum(frac, 0.) ** p["decay_power"]
    else:
        r = p["decay_ratio"]
        decay = (r ** frac - r) / (1. - r)
    decayed = p["lr_min"] + (stable_lrs - p["lr_min"]) * decay[None, :]
    return np.where((t_decay <= 0)[None, :], stable_lrs, decayed)
