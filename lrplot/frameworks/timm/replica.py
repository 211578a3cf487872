"""timm's schedules step by step, in timm's own operation order (bit-identical to timm 1.0.31).

Each class's ``_get_lr(t)`` (cosine_lr.py, tanh_lr.py, step_lr.py, multistep_lr.py, poly_lr.py,
wsd_lr.py) as Python floats, and :class:`Plateau`, timm's PlateauLRScheduler: its warmup, its
noise undone before every step, and torch's ReduceLROnPlateau in between (lrplot's replica of it,
since that is what timm wraps). The schedules are stateless: the lr depends only on the t train.py
passes, so ``lr_at`` is all the engine needs.
"""

from __future__ import annotations

import bisect
import math
from typing import Any, Callable

from ...config import SchedulerSpec


def constructor_lrs(node: SchedulerSpec, base: list[float]) -> list[float]:
    """The lrs right after construction, which the first epoch (or update) trains with.

    ``Scheduler.__init__`` writes each group's initial lr; every class with a truthy ``warmup_t``
    then writes ``warmup_lr_init`` to every group. No ``_get_lr`` runs (so ``_get_lr(0)``, which can
    differ in the last bit, is never trained with on a fresh run).
    """
    p = node.params
    return [p["warmup_lr_init"]] * len(base) if p["warmup_t"] else list(base)


def warmup_steps(node: SchedulerSpec, base: list[float], lr_at: Callable[[int], list[float]] | None = None) -> list[float]:
    p = node.params
    if not p["warmup_t"]:
        return [1 for _ in base]
    target = base
    if node.type == "timm.tanh" and not p["warmup_prefix"]:
        # tanh_lr.py: without a prefix the warmup ramps to the tanh value at warmup_t (continuous)
        target = lr_at(p["warmup_t"])
    return [(v - p["warmup_lr_init"]) / p["warmup_t"] for v in target]


def cycle(t: Any, t_initial: int, cycle_mul: float) -> tuple[Any, Any, Any]:
    """(cycle index, cycle length, t within the cycle), as cosine/tanh/poly compute them."""
    if cycle_mul != 1:
        i = math.floor(math.log(1 - t / t_initial * (1 - cycle_mul), cycle_mul))
        t_i = cycle_mul ** i * t_initial
        t_curr = t - (1 - cycle_mul ** i) / (1 - cycle_mul) * t_initial
    else:
        i = t // t_initial
        t_i = t_initial
        t_curr = t - (t_initial * i)
    return i, t_i, t_curr


def cycle_length(t_initial: int, cycle_mul: float, cycles: int) -> float:
    """``get_cycle_length()`` without the warmup: t_initial over ``cycles`` cycles, floored as timm
    floors it; ``inf`` where timm's float arithmetic overflows (``int()`` of it raises OverflowError)."""
    if cycle_mul == 1:
        return t_initial * cycles
    try:
        grown = -t_initial * (cycle_mul ** cycles - 1) / (1 - cycle_mul)
    except OverflowError:  # cycle_mul ** cycles beyond a float
        return math.inf
    return math.floor(grown) if math.isfinite(grown) else math.inf


def lr_function(node: SchedulerSpec, base: list[float]) -> Callable[[int], list[float]]:
    """``_get_lr`` of the node's class over the groups' initial lrs (before noise).

    The keywords are read once, into the closure, and the cosine of one param group (train.py's
    commonest run) has a path of its own: the exact engine calls this once per update.
    """
    p = node.params
    kind = node.type
    steps: list[float] = []
    warmup_t, warmup_lr_init, prefix = p["warmup_t"], p["warmup_lr_init"], p.get("warmup_prefix", False)
    t_initial, mul, limit = p.get("t_initial"), p.get("cycle_mul", 1.0), p.get("cycle_limit", 1)
    lr_min, decay, k = p.get("lr_min", 0.0), p.get("cycle_decay", 1.0), p.get("k_decay", 1.0)
    cos, pi = math.cos, math.pi

    def schedule(t: Any) -> list[float]:
        if t < warmup_t:
            return [warmup_lr_init + t * s for s in steps]
        if kind == "timm.wsd":
            return _wsd(p, base, t)
        if prefix:
            t = t - warmup_t
        if kind == "timm.step":
            return [v * (p["decay_rate"] ** (t // p["decay_t"])) for v in base]
        if kind == "timm.multistep":
            return [v * (p["decay_rate"] ** bisect.bisect_right(p["decay_t"], t + 1)) for v in base]
        i, t_i, t_curr = cycle(t, t_initial, mul)
        if kind == "timm.tanh":
            if i < limit:
                gamma = decay ** i
                lr_max_values = [v * gamma for v in base]
                tr = t_curr / t_i
                return [lr_min + 0.5 * (lr_max - lr_min) * (1 - math.tanh(p["lb"] * (1. - tr) + p["ub"] * tr)) for lr_max in lr_max_values]
            return [lr_min for _ in base]
        gamma = decay ** i
        lr_max_values = [v * gamma for v in base]
        if i < limit:
            if kind == "timm.cosine":
                return [lr_min + 0.5 * (lr_max - lr_min) * (1 + cos(pi * t_curr ** k / t_i ** k)) for lr_max in lr_max_values]
            return [lr_min + (lr_max - lr_min) * (1 - t_curr ** k / t_i ** k) ** p["power"] for lr_max in lr_max_values]
        return [lr_min for _ in base]

    steps.extend(warmup_steps(node, base, schedule))
    if kind == "timm.cosine" and len(base) == 1 and mul == 1:
        (v,) = base
        (s,) = steps

        def cosine(t: Any) -> list[float]:
            # The same operations as above, for one group and cycles of one length.
            if t < warmup_t:
                return [warmup_lr_init + t * s]
            if prefix:
                t = t - warmup_t
            i = t // t_initial
            t_curr = t - (t_initial * i)
            if i < limit:
                lr_max = v * decay ** i
                return [lr_min + 0.5 * (lr_max - lr_min) * (1 + cos(pi * t_curr ** k / t_initial ** k))]
            return [lr_min]
        return cosine
    return schedule


def _wsd(p: Any, base: list[float], t: Any) -> list[float]:
    t_s = t - p["warmup_t"]
    if p["stable_fn"] == "constant":
        stable = 1.
    else:
        power = 0.5 if p["stable_fn"] == "rsqrt" else p["stable_power"]
        timescale = p["stable_timescale"] if p["stable_timescale"] is not None else p["warmup_t"]
        stable = (1. + t_s / timescale) ** -power
    stable_lrs = [max(v * stable, p["lr_min"]) for v in base]
    t_decay = t_s - (p["t_initial"] - p["decay_t"])
    if t_decay <= 0:
        return stable_lrs
    frac = min(t_decay / p["decay_t"], 1.)
    fn = p["decay_fn"]
    if fn == "linear":
        decay = 1. - frac
    elif fn == "1-sqrt":
        decay = 1. - math.sqrt(frac)
    elif fn == "cosine":
        decay = 0.5 * (1. + math.cos(math.pi * frac))
    elif fn == "power":
        decay = 1. - frac ** p["decay_power"]
    else:
        r = p["decay_ratio"]
        decay = (r ** frac - r) / (1. - r)
    return [p["lr_min"] + (lr - p["lr_min"]) * decay for lr in stable_lrs]


def noise_applies(range_t: Any, t: Any) -> bool:
    """``Scheduler._is_apply_noise``: from range_t on, or within [start, end)."""
    if range_t is None:
        return False
    if isinstance(range_t, tuple):
        return range_t[0] <= t < range_t[1]
    return t >= range_t


class Plateau:
    """timm's PlateauLRScheduler over a fake optimizer: warmup, then torch's ReduceLROnPlateau, then noise.

    ``step(epoch, metric)`` replaces the base class's step (plateau_lr.py): up to and including
    ``warmup_t`` it writes the warmup value and drops the metric (``epoch <= warmup_t``, unlike the
    other classes' ``<``); after it, it first restores the lr last epoch's noise displaced, steps
    ReduceLROnPlateau on the current (noiseless) lrs, and adds this epoch's noise on top.
    """

    def __init__(self, node: SchedulerSpec, opt: Any, noise: Callable[[int], float]):
        from ..torch.replica import ReduceLROnPlateau

        p = node.params
        self.opt, self.p, self.noise = opt, p, noise
        base = opt.lrs()
        # timm builds torch's scheduler with its own keywords; threshold_mode and eps stay torch's defaults.
        rop = SchedulerSpec(
            "ReduceLROnPlateau",
            {"mode": p["mode"], "factor": p["decay_rate"], "patience": p["patience_t"], "threshold": p["threshold"],
             "threshold_mode": "rel", "cooldown": p["cooldown_t"], "min_lr": p["lr_min"], "eps": 1e-8},
            node.path,
        )
        self.reduce = ReduceLROnPlateau(opt, rop)
        self.steps = warmup_steps(node, base)
        for group, value in zip(opt.param_groups, constructor_lrs(node, base)):
            group["lr"] = value
        self.restore: list[float] | None = None
        self.log: list[tuple[float, int, int, bool]] = []  # one row per epoch end, aligned with the metric

    def step(self, epoch: int, metric: float) -> None:
        p = self.p
        if epoch <= p["warmup_t"]:
            for group, s in zip(self.opt.param_groups, self.steps):
                group["lr"] = p["warmup_lr_init"] + epoch * s
            self.log.append((math.nan, 0, 0, False))  # ReduceLROnPlateau is not stepped during the warmup
            return
        if self.restore is not None:
            for group, value in zip(self.opt.param_groups, self.restore):
                group["lr"] = value
            self.restore = None
        self.reduce.step(metric)
        self.log.append(self.reduce.log[-1])
        if noise_applies(p["noise_range_t"], epoch):
            n = self.noise(epoch)
            self.restore = [float(g["lr"]) for g in self.opt.param_groups]
            for group in self.opt.param_groups:
                old = float(group["lr"])
                group["lr"] = old + old * n
