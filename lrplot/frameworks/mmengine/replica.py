"""mmengine 0.10.7's parameter schedulers step by step, in its own operation order (bit-identical).

Transcribed from open-mmlab/mmengine v0.10.7, ``mmengine/optim/scheduler/param_scheduler.py``
(``_ParamScheduler.step`` and each class's chainable ``_get_value``), ``momentum_scheduler.py``
(``MomentumSchedulerMixin``: Adam's beta1 through a ``momentum`` key), each class's
``build_iter_from_epoch`` (``convert_to_iter_based``) and ``runner/runner.py``'s default ``end``.
The arithmetic is mmengine's, in Python floats; the param groups are plain dicts holding the keys
mmengine writes into them (``initial_lr``, OneCycle's ``max_lr`` and ``min_lr``), because a
scheduler built later reads what an earlier one wrote.

Every scheduler multiplies (or moves) the group's *current* value, so schedulers whose ranges
overlap compound, and a scheduler's own count (``last_step``) starts at its ``begin``.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from ...config import SchedulerSpec
from .records import INF, is_momentum


def effective(node: SchedulerSpec, epoch_length: int) -> dict[str, Any]:
    """The keywords the scheduler is built with: ``build_iter_from_epoch``'s conversion applied
    (lengths x the epoch's iterations, ``by_epoch`` false) when ``convert_to_iter_based``."""
    p = dict(node.params)
    if not p.get("convert_to_iter_based"):
        return p
    name = node.info.library_name
    L = epoch_length
    p["by_epoch"] = False
    if name.startswith(("Step", "MultiStep", "CosineRestart")):
        # these multiply begin (and end) without int(); the others with it (same for integers)
        p["begin"] = p["begin"] * L
        if p["end"] != INF:
            p["end"] = p["end"] * L
    else:
        p["begin"] = int(p["begin"] * L)
        if p["end"] != INF:
            p["end"] = int(p["end"] * L)
    if name.startswith("Step"):
        p["step_size"] = p["step_size"] * L
    elif name.startswith("MultiStep"):
        p["milestones"] = tuple(m * L for m in p["milestones"])
    elif name.startswith("CosineRestart"):
        p["periods"] = tuple(q * L for q in p["periods"])
    elif name.startswith("CosineAnnealing") and p["T_max"] is not None:
        p["T_max"] = p["T_max"] * L
    elif name == "OneCycleLR" and p["total_steps"] is not None:
        p["total_steps"] = p["total_steps"] * L
    return p


class Groups:
    """The optimizer's param groups as mmengine's schedulers see them (``optimizer.param_groups``)."""

    def __init__(self, lrs: list[float], momentum: float | None, betas: tuple[float, float] | None):
        self.betas = betas is not None
        self.param_groups: list[dict[str, Any]] = []
        for lr in lrs:
            group: dict[str, Any] = {"lr": lr}
            if betas is not None:
                group["betas"] = tuple(betas)
            else:
                group["momentum"] = momentum or 0.0  # SGD's default 0 is in its defaults too
            self.param_groups.append(group)

    def lrs(self) -> list[float]:
        return [g["lr"] for g in self.param_groups]

    def momenta(self) -> list[float]:
        return [g["betas"][0] if self.betas else g["momentum"] for g in self.param_groups]


class Scheduler:
    """``_ParamScheduler`` and the class's ``_get_value``, built as ``PARAM_SCHEDULERS.build`` builds it."""

    def __init__(self, node: SchedulerSpec, groups: Groups, epoch_length: int):
        p = effective(node, epoch_length)
        self.node, self.p, self.groups = node, p, groups
        self.name = node.info.library_name
        self.kind = self.name.removesuffix("LR").removesuffix("Momentum")
        self.param = "momentum" if is_momentum(node.type) else "lr"
        self.by_epoch = p["by_epoch"]
        self.begin, self.end = p["begin"], p["end"]
        pg = groups.param_groups
        if self.param == "momentum" and groups.betas:
            for g in pg:  # MomentumSchedulerMixin: a reference momentum for Adam-style betas
                g["momentum"] = g["betas"][0]
        if self.kind in ("Constant", "Linear", "Poly"):
            self.total_iters = self.end - self.begin - 1
        if self.kind == "CosineAnnealing":
            self.T_max = p["T_max"] or (self.end - self.begin)
            # "To preserve backwards compatibility": neither eta_min nor eta_min_ratio is eta_min 0.
            self.eta_min = 0. if p["eta_min"] is None and p["eta_min_ratio"] is None else p["eta_min"]
        if self.kind == "MultiStep":
            self.milestones = Counter(p["milestones"])
        if self.kind == "CosineRestart":
            periods = list(p["periods"])
            self.weights = list(p["restart_weights"]) if isinstance(p["restart_weights"], tuple) else [p["restart_weights"]]
            self.periods = periods
            self.cumulative = [sum(periods[0:i + 1]) for i in range(0, len(periods))]
        if self.kind == "OneCycle":
            self._one_cycle_init(p)
        for g in pg:
            g.setdefault(f"initial_{self.param}", g[self.param])
        self.base_values = [g[f"initial_{self.param}"] for g in pg]
        self.last_step = -1
        self._global_step = -1
        self.step()

    def _one_cycle_init(self, p: dict[str, Any]) -> None:
        total = p["total_steps"]
        if total is not None:
            if total <= 0 or not isinstance(total, int):
                raise ValueError(f"Expected positive integer total_steps, but got {total}")
            self.total_steps = total
        else:
            self.total_steps = self.end - self.begin
        pct = p["pct_start"]
        if pct < 0 or pct > 1 or not isinstance(pct, float):
            raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct}")
        self.anneal = _annealing_cos if p["anneal_strategy"] == "cos" else _annealing_linear
        if p["three_phase"]:
            self.phases = [
                (float(pct * self.total_steps) - 1, "initial_lr", "max_lr"),
                (float(2 * pct * self.total_steps) - 2, "max_lr", "initial_lr"),
                (self.total_steps - 1, "initial_lr", "min_lr"),
            ]
        else:
            self.phases = [
                (float(pct * self.total_steps) - 1, "initial_lr", "max_lr"),
                (self.total_steps - 1, "max_lr", "min_lr"),
            ]
        eta_max = p["eta_max"]
        pg = self.groups.param_groups
        if isinstance(eta_max, tuple):
            maxes = list(eta_max)  # the last is OptimWrapper's base group's, with several groups (records.resolve)
        else:
            maxes = [eta_max] * len(pg)
        for idx, g in enumerate(pg):
            g["initial_lr"] = maxes[idx] / p["div_factor"]
            g["max_lr"] = maxes[idx]
            g["min_lr"] = g["initial_lr"] / p["final_div_factor"]

    def sync(self) -> None:
        """MomentumSchedulerMixin's write of beta1 after a step (Adam-style optimizers)."""
        if self.param == "momentum" and self.groups.betas:
            for group in self.groups.param_groups:
                _, beta_1 = group["betas"]
                group["betas"] = (group["momentum"], beta_1)

    def step(self) -> None:
        self._global_step += 1
        if self.begin <= self._global_step < self.end:
            self.last_step += 1
            values = self._get_value()
            for group, value in zip(self.groups.param_groups, values):
                group[self.param] = value
        self.sync()

    def _get_value(self) -> list[float]:
        k, pg, name, t = self.kind, self.groups.param_groups, self.param, self.last_step
        p = self.p
        if k == "Step":
            if (t == 0) or (t % p["step_size"] != 0):
                return [g[name] for g in pg]
            return [g[name] * p["gamma"] for g in pg]
        if k == "MultiStep":
            if t not in self.milestones:
                return [g[name] for g in pg]
            return [g[name] * p["gamma"] ** self.milestones[t] for g in pg]
        if k == "Constant":
            if t == 0:
                return [g[name] * p["factor"] for g in pg]
            if t > self.total_iters or t != self.total_iters:
                return [g[name] for g in pg]
            return [g[name] * (1.0 / p["factor"]) for g in pg]
        if k == "Exponential":
            if t == 0:
                return [g[name] for g in pg]
            return [g[name] * p["gamma"] for g in pg]
        if k == "CosineAnnealing":
            def eta_min(base: float) -> float:
                return self.eta_min if p["eta_min_ratio"] is None else base * p["eta_min_ratio"]

            T = self.T_max
            if t == 0:
                return [g[name] for g in pg]
            if (t - 1 - T) % (2 * T) == 0:
                return [g[name] + (base - eta_min(base)) * (1 - math.cos(math.pi / T)) / 2 for base, g in zip(self.base_values, pg)]
            return [(1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T)) * (g[name] - eta_min(base)) + eta_min(base)
                    for base, g in zip(self.base_values, pg)]
        if k == "Linear":
            if t == 0:
                return [g[name] * p["start_factor"] for g in pg]
            s, e = p["start_factor"], p["end_factor"]
            return [g[name] * (1. + (e - s) / (self.total_iters * s + (t - 1) * (e - s))) for g in pg]
        if k == "Poly":
            if t == 0:
                return [g[name] for g in pg]
            return [(g[name] - p["eta_min"]) * (1 - 1 / (self.total_iters - t + 1)) ** p["power"] + p["eta_min"] for g in pg]
        if k == "OneCycle":
            if t > self.total_steps:
                raise ValueError(f"Tried to step {t + 1} times. The specified number of total steps is {self.total_steps}")
            out = []
            for g in pg:
                start = 0
                for i, (end_step, start_key, end_key) in enumerate(self.phases):
                    if t <= end_step or i == len(self.phases) - 1:
                        pct = (t - start) / (end_step - start)
                        value = self.anneal(g[start_key], g[end_key], pct)
                        break
                    start = end_step
                out.append(value)
            return out
        if k == "CosineRestart":
            idx = next((i for i, period in enumerate(self.cumulative) if t < period), None)
            if idx is None:
                return [g[name] for g in pg]
            weight = self.weights[idx]
            nearest = 0 if idx == 0 else self.cumulative[idx - 1]
            current = self.periods[idx]
            step = t - nearest
            values = []
            for base, g in zip(self.base_values, pg):
                eta_max = base * weight
                eta = p["eta_min"] if p["eta_min_ratio"] is None else base * p["eta_min_ratio"]
                if step == 0:
                    values.append(eta_max)
                else:
                    values.append((1 + math.cos(math.pi * step / current)) / (1 + math.cos(math.pi * (step - 1) / current)) * (g[name] - eta) + eta)
            return values
        raise AssertionError(k)


def _annealing_cos(start: float, end: float, pct: float) -> float:
    cos_out = math.cos(math.pi * pct) + 1
    return end + (start - end) / 2.0 * cos_out


def _annealing_linear(start: float, end: float, pct: float) -> float:
    return (end - start) * pct + start


class Plateau:
    """``ReduceOnPlateauParamScheduler``: no step at construction; ``step()`` after each epoch only
    counts it, ``step(metric)`` after each validation compares (best starts at mmengine's INF,
    1e9, not infinity) and reduces after more than ``patience`` bad validations."""

    def __init__(self, node: SchedulerSpec, groups: Groups):
        p = dict(node.params)
        self.node, self.p, self.groups = node, p, groups
        self.param = "momentum" if is_momentum(node.type) else "lr"
        self.begin, self.end, self.by_epoch = p["begin"], p["end"], True
        pg = groups.param_groups
        if self.param == "momentum" and groups.betas:
            for g in pg:
                g["momentum"] = g["betas"][0]
        for g in pg:
            g.setdefault(f"initial_{self.param}", g[self.param])
        self.last_step = -1
        self._global_step = 0
        mv = p["min_value"]
        self.min_values = list(mv) if isinstance(mv, tuple) else [mv] * len(pg)
        self.rule, self.threshold, self.threshold_rule = p["rule"], p["threshold"], p["threshold_rule"]
        self.best = INF if self.rule == "less" else -INF
        self.cooldown_counter = 0
        self.num_bad_epochs = 0
        self.log: list[tuple[float, int, int, bool]] = []

    def count(self) -> None:
        """``step()`` without metrics, after each training epoch."""
        self._global_step += 1

    def step(self, metric: float) -> None:
        """``step(metrics)`` after a validation (the metric under ``monitor``)."""
        p = self.p
        reduced = False
        if self.begin <= self._global_step < self.end:
            self.last_step += 1
            if self._is_better(metric, self.best):
                self.best = metric
                self.num_bad_epochs = 0
            else:
                self.num_bad_epochs += 1
            if self.cooldown_counter > 0:
                self.cooldown_counter -= 1
                self.num_bad_epochs = 0
            if self.num_bad_epochs > p["patience"]:
                reduced = True
                values = [float(g[self.param]) * p["factor"] for g in self.groups.param_groups]
                values = [max(v, m) for v, m in zip(values, self.min_values)]
                for g, v in zip(self.groups.param_groups, values):
                    if g[self.param] - v > p["eps"]:
                        g[self.param] = v
                self.cooldown_counter = p["cooldown"]
                self.num_bad_epochs = 0
        if self.param == "momentum" and self.groups.betas:
            for g in self.groups.param_groups:
                _, beta_1 = g["betas"]
                g["betas"] = (g["momentum"], beta_1)
        self.log.append((float(self.best), self.num_bad_epochs, self.cooldown_counter, reduced))

    def _is_better(self, a: float, best: float) -> bool:
        if self.rule == "less" and self.threshold_rule == "rel":
            return a < best * (1. - self.threshold)
        if self.rule == "less" and self.threshold_rule == "abs":
            return a < best - self.threshold
        if self.rule == "greater" and self.threshold_rule == "rel":
            return a > best * (self.threshold + 1.)
        return a > best + self.threshold


def build(node: SchedulerSpec, groups: Groups, epoch_length: int) -> list[Any]:
    """The schedulers a config's ``param_scheduler`` (or one scheduler) builds, in order."""
    nodes = node.children if node.info.composite else (node,)
    return [Plateau(n, groups) if n.info.steps_on_metric else Scheduler(n, groups, epoch_length) for n in nodes]
