"""A stretch of one mmengine scheduler's steps at once, over numpy arrays.

``values(scheduler, m)`` is what its next ``m`` steps set, per param group (shape (G, m)), from the
values the groups hold now, or None where the stretch must be stepped one by one (its step 0, a
cosine past T_max, a poly or one-cycle past its length: where mmengine branches or raises).

The multiplicative shapes (Constant, Linear, Step, MultiStep, Exponential) are cumulative products
of mmengine's own ratios, computed with the same float operations and multiplied in the same order,
so they are bit-identical to stepping. CosineAnnealing and Poly move ``value - eta_min`` by ratios
that telescope (mmengine multiplies them one by one and adds eta_min back after every step; here
the product is written in closed form from the stretch's start), and OneCycle is a function of the
step: those are within 1e-12 of the peak value (a million steps of mmengine's own rounding apart).
"""

from __future__ import annotations

import math

import numpy as np

from .replica import Scheduler, _annealing_cos


def values(s: Scheduler, m: int) -> np.ndarray | None:
    if not isinstance(s, Scheduler):
        return None
    t = np.arange(s.last_step + 1, s.last_step + 1 + m, dtype=np.float64)
    if t[0] < 1:
        return None
    p, kind = s.p, s.kind
    current = np.array([g[s.param] for g in s.groups.param_groups], dtype=np.float64)
    with np.errstate(all="ignore"):
        if kind == "Linear":
            st, e = p["start_factor"], p["end_factor"]
            ratio = 1. + (e - st) / (s.total_iters * st + (t - 1) * (e - st))
        elif kind == "Exponential":
            ratio = np.full(m, float(p["gamma"]))
        elif kind == "Step":
            ratio = np.where(t % p["step_size"] == 0, float(p["gamma"]), 1.0)
        elif kind == "MultiStep":
            ratio = np.ones(m)
            for milestone, count in s.milestones.items():
                ratio[t == milestone] = p["gamma"] ** count
        elif kind == "Constant":
            ratio = np.where(t == s.total_iters, 1.0 / p["factor"], 1.0) if t[0] > 0 else None
        elif kind == "CosineAnnealing":
            # the ratios telescope: value - eta_min = (now - eta_min) * (1 + cos(pi t / T)) / (1 + cos(pi t0 / T))
            T, t0 = s.T_max, s.last_step
            if t[-1] > T or p["eta_min_ratio"] is not None:
                return None
            return s.eta_min + (current - s.eta_min)[:, None] * ((1 + np.cos(math.pi * t / T)) / (1 + math.cos(math.pi * t0 / T)))[None, :]
        elif kind == "Poly":
            # the factors telescope too: (1 - 1 / (T - t + 1)) = (T - t) / (T - t + 1)
            T, t0 = s.total_iters, s.last_step
            if t[-1] > T:
                return None
            return p["eta_min"] + (current - p["eta_min"])[:, None] * (((T - t) / (T - t0)) ** p["power"])[None, :]
        elif kind == "OneCycle":
            return _one_cycle(s, t)
        else:
            return None
    if ratio is None or not np.isfinite(ratio).all():
        return None
    steps = np.empty((current.size, m + 1))
    steps[:, 0] = current
    steps[:, 1:] = ratio[None, :]
    return np.cumprod(steps, axis=1)[:, 1:]


def _one_cycle(s: Scheduler, t: np.ndarray) -> np.ndarray | None:
    if t[-1] > s.total_steps:
        return None  # mmengine raises there: the single steps say where
    out = np.empty((len(s.groups.param_groups), t.size))
    for g, group in enumerate(s.groups.param_groups):
        start = 0.0
        done = np.zeros(t.size, dtype=bool)
        for i, (end_step, start_key, end_key) in enumerate(s.phases):
            mask = ~done & ((t <= end_step) | (i == len(s.phases) - 1))
            pct = (t[mask] - start) / (end_step - start)
            a, b = group[start_key], group[end_key]
            if s.anneal is _annealing_cos:
                out[g, mask] = b + (a - b) / 2.0 * (np.cos(math.pi * pct) + 1)
            else:
                out[g, mask] = (b - a) * pct + a
            done |= mask
            start = end_step
    return out
