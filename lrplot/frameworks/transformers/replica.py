"""transformers' schedulers as state machines, in the library's operation order (bit-identical).

The LambdaLR schedules are torch's LambdaLR over a transformers lambda, so torch's replica steps
them (``LambdaLR`` below only hands it a Python callable instead of an lrplot expression);
``reduce_lr_on_plateau`` *is* torch's ReduceLROnPlateau. ``GreedyLR`` is transformers' own
(optimization.py:621-903), replicated here.
"""

from __future__ import annotations

import math
from typing import Any, Callable

from ...config import SchedulerSpec
from ..torch import replica as torch_replica

FakeOptimizer = torch_replica.FakeOptimizer


class LambdaLR(torch_replica.LambdaLR):
    """torch's LambdaLR with one transformers lambda for every param group (get_scheduler passes one)."""

    def __init__(self, opt: FakeOptimizer, spec: SchedulerSpec, lr_lambda: Callable[[Any], Any]):
        self.lambdas = [lr_lambda] * len(opt.param_groups)
        self._functions = self.lambdas
        torch_replica.Scheduler.__init__(self, opt, spec)


ReduceLROnPlateau = torch_replica.ReduceLROnPlateau


class GreedyLR:
    """transformers.optimization.GreedyLR: lr / factor after more than ``patience`` improving steps,
    lr * factor after more than ``patience`` bad ones, back to the initial lr after ``reset_start``
    reductions spent at ``min_lr``."""

    def __init__(self, opt: FakeOptimizer, spec: SchedulerSpec):
        p = spec.params
        n = len(opt.param_groups)
        self.opt = opt
        self.spec = spec
        self.factor, self.patience = p["factor"], p["patience"]
        self.cooldown, self.warmup = p["cooldown"], p["warmup"]
        self.mode, self.threshold, self.threshold_mode = p["mode"], p["threshold"], p["threshold_mode"]
        self.eps, self.smooth, self.window_size = p["eps"], p["smooth"], p["window_size"]
        self.reset_start = self.reset_start_original = p["reset_start"]
        self.min_lrs = list(p["min_lr"]) if isinstance(p["min_lr"], tuple) else [p["min_lr"]] * n
        self.max_lrs = list(p["max_lr"]) if isinstance(p["max_lr"], tuple) else [p["max_lr"]] * n
        self.cooldown_counter = self.warmup_counter = 0
        self.last_epoch: Any = 0
        self._init_lrs = [g["lr"] for g in opt.param_groups]
        self.best = math.inf if self.mode == "min" else -math.inf
        self.num_bad_epochs = self.num_good_epochs = 0
        self._window: list[float] = []  # StreamingAverage (optimization.py:581)
        self._sum = 0.0
        self.log: list[tuple[float, int, int, bool]] = []  # (best, bad steps, cooldown, reduced) after each step

    def _streamavg(self, value: float) -> float:
        self._window.append(value)
        self._sum += value
        if len(self._window) > self.window_size:
            self._sum -= self._window.pop(0)
        return self._sum / len(self._window)

    def is_better(self, current: float, best: float) -> bool:
        if self.mode == "min":
            if self.threshold_mode == "rel":
                return current < best * (1.0 - self.threshold)
            return current < best - self.threshold
        if self.threshold_mode == "rel":
            return current > best * (1.0 + self.threshold)
        return current > best + self.threshold

    def step(self, metrics: float, epoch: Any = None) -> None:
        current = float(metrics)
        if self.smooth:
            current = self._streamavg(current)
        self.last_epoch = self.last_epoch + 1 if epoch is None else epoch
        reduced = False
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = self.num_good_epochs = 0
        elif self.warmup_counter > 0:
            self.warmup_counter -= 1
            self.num_bad_epochs = self.num_good_epochs = 0
        else:
            if self.is_better(current, self.best):
                self.best = current
                self.num_bad_epochs = 0
                self.num_good_epochs += 1
            else:
                self.num_bad_epochs += 1
                self.num_good_epochs = 0
            if self.num_good_epochs > self.patience:
                self._increase_lr()
                self.warmup_counter = self.warmup
                self.num_good_epochs = 0
            elif self.num_bad_epochs > self.patience:
                reduced = True
                self._reduce_lr()
                self.cooldown_counter = self.cooldown
                self.num_bad_epochs = 0
        self.log.append((self.best, self.num_bad_epochs, self.cooldown_counter, reduced))

    def _reduce_lr(self) -> None:
        all_at_min = True
        for group, min_lr in zip(self.opt.param_groups, self.min_lrs):
            old_lr = float(group["lr"])
            new_lr = max(old_lr * self.factor, min_lr)
            if old_lr - new_lr > self.eps:
                group["lr"] = new_lr
            if group["lr"] > min_lr:
                all_at_min = False
        if all_at_min:
            self.reset_start -= 1
            if self.reset_start <= 0:
                self._reset()

    def _increase_lr(self) -> None:
        for group, max_lr in zip(self.opt.param_groups, self.max_lrs):
            old_lr = float(group["lr"])
            new_lr = min(old_lr / self.factor, max_lr)
            if new_lr - old_lr > self.eps:
                group["lr"] = new_lr
        self.reset_start = self.reset_start_original

    def _reset(self) -> None:
        for group, lr in zip(self.opt.param_groups, self._init_lrs):
            group["lr"] = lr
        self.best = math.inf if self.mode == "min" else -math.inf
        self.num_bad_epochs = self.num_good_epochs = 0
        self.cooldown_counter = self.warmup_counter = 0
        self.reset_start = self.reset_start_original
        if self.smooth:
            self._window, self._sum = [], 0.0
