"""Closed forms over whole numpy arrays: a million steps in milliseconds.

Each supported scheduler is a pure function of its step counter, evaluated for every step at once
(the optax way). Where torch updates the lr recursively, the closed form here is the value that
recursion converges to; the two agree to within a few ulps accumulated over the run (tests hold
them to 1e-12 of the peak lr against recorded torch traces). MultiplicativeLR keeps torch's
multiplication order by using a cumulative product.

``simulate`` returns None for what it does not cover (ChainedScheduler, ReduceLROnPlateau, nested
composites, schedulers whose state depends on construction order inside SequentialLR, and corner
cases where torch divides by zero); the stateful engine runs those.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from typing import Callable

import numpy as np

from ...config import SchedulerSpec, Spec
from ...engine import initial_momentum, tracks_momentum
from ...errors import ConfigError

Arrays = tuple[np.ndarray, "np.ndarray | None"]

# Schedulers whose base lr inside SequentialLR is simply each group's initial lr, and whose state
# after a milestone restart is the closed form from the child's own epoch 0.
_SEQUENTIAL_SAFE = {
    "StepLR",
    "MultiStepLR",
    "ConstantLR",
    "LinearLR",
    "ExponentialLR",
    "PolynomialLR",
    "CosineAnnealingLR",
    "LambdaLR",
}


def simulate(spec: Spec) -> Arrays | None:
    """(lr, momentum) per group and optimizer step, or None when the stateful engine must run."""
    run, node = spec.run, spec.scheduler
    base = np.array([g.lr for g in spec.optimizer.groups])[:, None]
    with np.errstate(all="ignore"):  # overflow shows up as inf and is reported by the caller
        return _simulate(spec, run, node, base)


def _simulate(spec, run, node, base):
    if run.step == "fractional":
        result = _fractional(spec, node, base)
    else:
        # Scheduler epoch j seen by each observed step: lr is read before the scheduler steps.
        # (Per epoch, a run counted in iterations may end inside its last epoch: ``epochs`` counts it.)
        n_obs = run.epochs if run.step == "epoch" else run.total_steps
        # Up to the scheduler's last step: torch computes the value after the last optimizer step
        # too, so a lambda that fails there fails here.
        j = np.arange(run.scheduler_steps + 1, dtype=np.int64)
        if node.type == "SequentialLR":
            result = _sequential(node, base, j)
        elif node.type in _INTEGER:
            result = _INTEGER[node.type](node, base, j, run.scheduler_steps)
        else:
            result = None
        if result is not None:
            result = tuple(None if a is None else a[:, :n_obs] for a in result)
        if result is not None and run.step == "epoch" and run.steps_per_epoch > 1:
            result = tuple(None if a is None else np.repeat(a, run.steps_per_epoch, axis=1)[:, : run.total_steps] for a in result)
    if result is None:
        return None
    lr, momentum = result
    if momentum is None and tracks_momentum(spec):
        momentum = np.repeat(initial_momentum(spec)[:, None], lr.shape[1], axis=1)
    return np.ascontiguousarray(lr, dtype=np.float64), momentum




# ----------------------------------------------------------------------------------------------
# Per-class closed forms in the scheduler's integer epoch j (as torch's recursive step() yields)


def _step_lr(node, base, j, calls):
    p = node.params
    return base * p["gamma"] ** (j // p["step_size"]), None


def _multistep(node, base, j, calls):
    p = node.params
    count = np.searchsorted(np.sort(np.array(p["milestones"], dtype=np.int64)), j, side="right")
    return base * p["gamma"] ** count, None


def _constant(node, base, j, calls):
    p = node.params
    factor, total = p["factor"], p["total_iters"]
    if factor == 0 and 0 < total <= j[-1]:
        return None  # torch multiplies by 1.0 / factor at total_iters: ZeroDivisionError
    # torch tests epoch 0 first, so with total_iters=0 the factor is never lifted.
    lifted = (j >= total) if total > 0 else np.zeros_like(j, dtype=bool)
    return base * np.where(lifted, 1.0, factor), None


def _linear(node, base, j, calls):
    p = node.params
    s, e, total = p["start_factor"], p["end_factor"], p["total_iters"]
    if total == 0:
        return base * s * np.ones(j.shape), None  # torch: epoch 0 sets start_factor, then nothing moves
    return base * (s + (e - s) * np.minimum(j, total) / total), None


def _exponential(node, base, j, calls):
    return base * node.params["gamma"] ** j, None


def _polynomial(node, base, j, calls):
    p = node.params
    total = p["total_iters"]
    return base * (1.0 - np.minimum(j, total) / total) ** p["power"], None


def _cosine(node, base, j, calls):
    p = node.params
    if j[-1] > p["T_max"]:
        # Past T_max torch's recursion climbs back out of the trough, where its ratio of two tiny
        # cosines carries a relative rounding error that the climb amplifies (1e-11 of the peak
        # after a few periods, measured against torch). Only the recursion itself reproduces that.
        return None
    eta = p["eta_min"]
    return eta + (base - eta) * (1 + np.cos(np.pi * j / p["T_max"])) / 2, None


def _lambda(node, base, j, calls):
    lambdas = _per_group(node.params["lr_lambda"], base.shape[0])
    return np.stack([b * _eval(node, f, j) for b, f in zip(base[:, 0], lambdas)]), None


def _multiplicative(node, base, j, calls):
    lambdas = _per_group(node.params["lr_lambda"], base.shape[0])
    rows = []
    for b, f in zip(base[:, 0], lambdas):
        # torch never calls the lambda at epoch 0 (the initial step keeps the lr), and then
        # multiplies one factor at a time: a cumulative product starting from the lr keeps that order.
        factors = np.concatenate([[b], _eval(node, f, j[1:])])
        rows.append(np.cumprod(factors))
    return np.stack(rows), None


def _cyclic(node, base, j, calls):
    p = node.params
    n = base.shape[0]
    base_lr = np.array(_per_group(p["base_lr"], n))[:, None]
    max_lr = np.array(_per_group(p["max_lr"], n))[:, None]
    up = float(p["step_size_up"])
    down = float(p["step_size_down"]) if p["step_size_down"] is not None else up
    total = up + down
    ratio = up / total
    cycle = np.floor(1 + j / total)
    x = 1.0 + j / total - cycle
    with np.errstate(divide="ignore", invalid="ignore"):
        scale_factor = np.where(x <= ratio, x / ratio, (x - 1) / (ratio - 1))
    if p["scale_fn"] is not None:
        arg = cycle if p["scale_mode"] == "cycle" else j
        scale = _eval(node, p["scale_fn"], arg.astype(np.int64))
    elif p["mode"] == "triangular":
        scale = np.ones(j.shape)
    elif p["mode"] == "triangular2":
        scale = 1 / 2.0 ** (cycle - 1)
    else:
        scale = p["gamma"] ** j
    lr = base_lr + (max_lr - base_lr) * scale_factor * scale
    momentum = None
    if p["cycle_momentum"]:
        m_base = np.array(_per_group(p["base_momentum"], n))[:, None]
        m_max = np.array(_per_group(p["max_momentum"], n))[:, None]
        momentum = m_max - (m_max - m_base) * scale_factor * scale
    return lr, momentum


def _onecycle(node, base, j, calls):
    p = node.params
    total = p["total_steps"] if p["total_steps"] is not None else p["epochs"] * p["steps_per_epoch"]
    if calls > total:
        return None  # torch raises "Tried to step ..."; the stateful engine reports it
    pct_start = p["pct_start"]
    if p["three_phase"]:
        ends = [float(pct_start * total) - 1, float(2 * pct_start * total) - 2, total - 1]
        lr_keys = [("initial", "max"), ("max", "initial"), ("initial", "min")]
        m_keys = [("max", "base"), ("base", "max"), ("max", "max")]
    else:
        ends = [float(pct_start * total) - 1, total - 1]
        lr_keys = [("initial", "max"), ("max", "min")]
        m_keys = [("max", "base"), ("base", "max")]
    starts = [0.0] + ends[:-1]
    if any(e == s for s, e in zip(starts, ends)):
        return None  # a zero-length phase: torch divides by zero
    n = base.shape[0]
    max_lr = np.array(_per_group(p["max_lr"], n))[:, None]
    initial = max_lr / p["div_factor"]
    lrs = {"initial": initial, "max": max_lr, "min": initial / p["final_div_factor"]}
    moms = None
    if p["cycle_momentum"]:
        moms = {"base": np.array(_per_group(p["base_momentum"], n))[:, None], "max": np.array(_per_group(p["max_momentum"], n))[:, None]}
    anneal = _anneal_linear if p["anneal_strategy"] == "linear" else _anneal_cos
    lr = np.empty((n, j.shape[0]))
    momentum = np.empty((n, j.shape[0])) if moms is not None else None
    # j is sorted, so each phase is one slice: the steps up to its end (the last takes the rest).
    cuts = [int(np.searchsorted(j, e, side="right")) for e in ends[:-1]]
    for i, (lo, hi) in enumerate(zip([0, *cuts], [*cuts, j.shape[0]])):
        if lo >= hi:
            continue
        pct = (j[lo:hi] - starts[i]) / (ends[i] - starts[i])
        a, b = lr_keys[i]
        lr[:, lo:hi] = anneal(lrs[a], lrs[b], pct)
        if moms is not None:
            a, b = m_keys[i]
            momentum[:, lo:hi] = anneal(moms[a], moms[b], pct)
    return lr, momentum


def _anneal_cos(start, end, pct):
    return end + (start - end) / 2.0 * (np.cos(np.pi * pct) + 1)


def _anneal_linear(start, end, pct):
    return (end - start) * pct + start


def _warm_restarts(node, base, j, calls):
    p = node.params
    t0, mult = p["T_0"], p["T_mult"]
    if mult == 1:
        t_cur, t_i = j % t0, np.full(j.shape, t0)
    else:
        # Cycle n starts at T_0 * (mult**n - 1) / (mult - 1): integers, so this is exact.
        last = int(j.max(initial=0))
        starts = [0]
        while starts[-1] <= last:
            starts.append(starts[-1] + t0 * mult ** (len(starts) - 1))
        starts_arr = np.array(starts, dtype=np.int64)
        n = np.searchsorted(starts_arr, j, side="right") - 1
        t_cur = j - starts_arr[n]
        t_i = t0 * np.array([mult**i for i in range(len(starts))], dtype=np.float64)[n]
    eta = p["eta_min"]
    return eta + (base - eta) * (1 + np.cos(np.pi * t_cur / t_i)) / 2, None


_INTEGER: dict[str, Callable] = {
    "StepLR": _step_lr,
    "MultiStepLR": _multistep,
    "ConstantLR": _constant,
    "LinearLR": _linear,
    "ExponentialLR": _exponential,
    "PolynomialLR": _polynomial,
    "CosineAnnealingLR": _cosine,
    "LambdaLR": _lambda,
    "MultiplicativeLR": _multiplicative,
    "CyclicLR": _cyclic,
    "OneCycleLR": _onecycle,
    "CosineAnnealingWarmRestarts": _warm_restarts,
}


# ----------------------------------------------------------------------------------------------
# SequentialLR


def _sequential(node: SchedulerSpec, base: np.ndarray, j: np.ndarray):
    children = node.children
    if any(c.type not in _SEQUENTIAL_SAFE for c in children):
        return None
    milestones = list(node.params["milestones"])
    first = bisect_right(milestones, 0)  # torch: milestones [0, ...] start with the second child
    # j is sorted, so child i runs over one slice: from its milestone to the next one.
    cuts = [0, *(int(np.searchsorted(j, m, side="left")) for m in milestones), j.shape[0]]
    lr = np.empty((base.shape[0], j.shape[0]))
    for i, child in enumerate(children):
        mask = slice(cuts[i], cuts[i + 1])
        if cuts[i] >= cuts[i + 1]:
            continue
        start = milestones[i - 1] if i > 0 else 0
        local = j[mask] - start
        if i != first:
            # A restarted child begins from _update_lr(0), torch's closed form at epoch 0.
            if child.type == "LinearLR" and child.params["total_iters"] == 0:
                return None  # that closed form divides by zero: torch raises
            if child.type == "ConstantLR" and child.params["total_iters"] == 0:
                lr[:, mask] = base
                continue
        result = _INTEGER[child.type](child, base, local, 0)
        if result is None:
            return None
        lr[:, mask] = result[0]
    return lr, None


# ----------------------------------------------------------------------------------------------
# Fractional stepping: scheduler.step(epoch + i / steps_per_epoch)


def _fractional(spec: Spec, node: SchedulerSpec, base: np.ndarray):
    run = spec.run
    n = run.total_steps
    prev = np.arange(n - 1, dtype=np.int64)  # the call made after step k-1 sets the lr of step k
    t = prev // run.steps_per_epoch + (prev % run.steps_per_epoch) / run.steps_per_epoch
    p = node.params
    if node.type == "CosineAnnealingWarmRestarts":
        later = _restarts_at(p, base, t)
    elif node.type == "StepLR":
        later = base * p["gamma"] ** (t // p["step_size"])
    elif node.type == "MultiStepLR":
        count = np.searchsorted(np.sort(np.array(p["milestones"], dtype=np.int64)), t, side="right")
        later = base * p["gamma"] ** count
    elif node.type == "ConstantLR":
        later = base * (p["factor"] + (t >= p["total_iters"]) * (1 - p["factor"]))
    elif node.type == "LinearLR":
        if p["total_iters"] == 0:
            return None
        s, e, total = p["start_factor"], p["end_factor"], p["total_iters"]
        later = base * (s + (e - s) * np.minimum(total, t) / total)
    elif node.type == "ExponentialLR":
        later = base * p["gamma"] ** t
    elif node.type == "PolynomialLR":
        later = base * (1.0 - np.minimum(p["total_iters"], t) / p["total_iters"]) ** p["power"]
    elif node.type == "CosineAnnealingLR":
        later = p["eta_min"] + (base - p["eta_min"]) * (1 + np.cos(np.pi * t / p["T_max"])) / 2
    elif node.type == "LambdaLR":
        lambdas = _per_group(p["lr_lambda"], base.shape[0])
        later = np.stack([b * _eval(node, f, t) for b, f in zip(base[:, 0], lambdas)])
    else:
        return None
    # Step 0 trains with the lr of construction's initial step (epoch 0, the recursive form).
    first = _INTEGER[node.type](node, base, np.zeros(1, dtype=np.int64), 0)[0]
    return np.concatenate([first, later], axis=1), None


def _restarts_at(p, base, t):
    t0, mult, eta = p["T_0"], p["T_mult"], p["eta_min"]
    t_cur = t.copy()
    t_i = np.full(t.shape, float(t0))
    past = t >= t0
    if mult == 1:
        t_cur[past] = t[past] % t0
    else:
        # torch takes the cycle from a float logarithm (math.log(x, T_mult)); its rounding decides
        # the cycle right at a restart, so exactly those points are computed the way torch does.
        x = t[past] / t0 * (mult - 1) + 1
        n = np.log(x) / math.log(mult)
        near = np.abs(n - np.round(n)) < 1e-9
        n = np.floor(n)
        if near.any():
            n[near] = [int(math.log(v, mult)) for v in x[near]]
        t_cur[past] = t[past] - t0 * (mult**n - 1) / (mult - 1)
        t_i[past] = t0 * mult**n
    return eta + (base - eta) * (1 + np.cos(np.pi * t_cur / t_i)) / 2


# ----------------------------------------------------------------------------------------------


def _per_group(value, n):
    return list(value) if isinstance(value, tuple) else [value] * n


def _eval(node: SchedulerSpec, fn, x: np.ndarray) -> np.ndarray:
    from ...expr import ExprError  # loaded by the config that holds the expression already

    key = "scale_fn" if node.type == "CyclicLR" else "lr_lambda"
    try:
        out = fn.evaluate_array(x)
    except ExprError as exc:
        raise ConfigError(f"{node.path}.{key}", str(exc)) from None
    return np.array(np.broadcast_to(out, x.shape), dtype=np.float64)
