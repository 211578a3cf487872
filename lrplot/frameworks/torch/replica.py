"""Step-by-step replica of torch's scheduler state machine (torch 2.13.0).

This is the one place where lrplot keeps state the way torch does: a fake optimizer whose param
groups are plain dicts, and scheduler objects that read and write them, in torch's operation order.
It exists because composites make torch's behaviour depend on shared, mutable state (children
constructed on one optimizer overwrite each other's ``initial_lr``; SequentialLR undoes and redoes
steps; OneCycleLR reads its boundaries back from the group dicts), and because bit-identical results
need the very same float operations in the very same order.

It is used for ``exact=True``, for every configuration the vectorized engine does not cover, and
for resumed runs: ``state_dict``/``load_state_dict`` model what torch saves in a checkpoint (a
scheduler's ``__dict__`` without the optimizer, composites holding their children's state dicts; the
optimizer's param groups with every key the schedulers stored in them), and ``build`` takes torch's
``last_epoch``. Comments cite the torch behaviour each quirk reproduces.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter
from typing import Any, Callable

from ...config import OptimizerSpec, SchedulerSpec
from ...errors import ConfigError
from ...expr import Expr, ExprError


class TorchRaised(Exception):
    """torch would raise here: ``kind`` is torch's exception class name."""

    def __init__(self, kind: str, message: str):
        self.kind = kind
        self.message = message
        super().__init__(f"{kind}: {message}")


class FakeOptimizer:
    """What the schedulers see of ``torch.optim.SGD`` / ``Adam``: param groups and defaults."""

    def __init__(self, spec: OptimizerSpec):
        self.use_betas = spec.betas is not None
        self.param_groups: list[dict[str, Any]] = []
        for g in spec.groups:
            group: dict[str, Any] = {"lr": g.lr}
            if self.use_betas:
                group["betas"] = tuple(spec.betas)  # type: ignore[arg-type]
            else:
                group["momentum"] = spec.momentum if spec.momentum is not None else 0
            self.param_groups.append(group)

    def lrs(self) -> list[float]:
        return [g["lr"] for g in self.param_groups]

    def momenta(self) -> list[float]:
        key = "betas" if self.use_betas else "momentum"
        return [g[key][0] if self.use_betas else g[key] for g in self.param_groups]

    def set_momentum(self, group: dict[str, Any], value: float) -> None:
        if self.use_betas:
            group["betas"] = (value, *group["betas"][1:])
        else:
            group["momentum"] = value

    def state_dict(self) -> dict[str, Any]:
        # torch: the param groups with every key (lr, initial_lr, momentum or betas, and what
        # OneCycleLR and CyclicLR stored there: max_lr, min_lr, max_momentum, base_momentum).
        return {"param_groups": [dict(g) for g in self.param_groups]}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        # torch replaces each group by the saved one (keeping only its params), whatever a
        # scheduler built since wrote into the groups.
        self.param_groups = [dict(g) for g in state["param_groups"]]


def _per_group(value: Any, n: int) -> list[Any]:
    return list(value) if isinstance(value, tuple) else [value] * n


# What a scheduler's state dict leaves out besides the optimizer: the functions torch saves as None
# (plain lr_lambda and scale_fn functions, which load_state_dict then leaves as built), the config,
# and lrplot's own plateau log.
_NOT_STATE = {"opt", "spec", "lambdas", "_functions", "custom_scale", "_scale", "_cos", "log", "_schedulers"}


def _copied(value: Any) -> Any:
    # A checkpoint is a copy: later steps must not reach into it (torch.save / torch.load).
    if isinstance(value, Counter):
        return Counter(value)
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value


def initial_lr_missing(index: int) -> TorchRaised:
    """torch's KeyError when a scheduler is built with ``last_epoch >= 0`` on groups without initial_lr."""
    return TorchRaised(
        "KeyError",
        f"param 'initial_lr' is not specified in param_groups[{index}] when resuming scheduler with last_epoch >= 0.\n"
        "This typically happens when:\n"
        "1. You're trying to resume training from a checkpoint but haven't properly loaded the optimizer state\n"
        "2. You're using last_epoch >= 0 for a fresh training run (not recommended)",
    )


class Scheduler:
    """torch.optim.lr_scheduler.LRScheduler: the shared construction and stepping protocol."""

    has_closed_form = False

    def __init__(self, opt: FakeOptimizer, spec: SchedulerSpec, last_epoch: int = -1):
        self.opt = opt
        self.spec = spec
        self._is_initial = False
        if last_epoch == -1:
            # torch: each group's initial_lr is set once (setdefault), so the first scheduler built on
            # an optimizer fixes the base lr of every later one (OneCycleLR overwrites it, below).
            for group in opt.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            # torch: resuming with last_epoch >= 0 takes the base lrs from the groups as loaded.
            for i, group in enumerate(opt.param_groups):
                if "initial_lr" not in group:
                    raise initial_lr_missing(i)
        self.base_lrs = [g["initial_lr"] for g in opt.param_groups]
        self.last_epoch: Any = last_epoch
        self._initial_step()

    def state_dict(self) -> dict[str, Any]:
        """torch's ``state_dict()``: the scheduler's attributes without the optimizer."""
        return {k: _copied(v) for k, v in vars(self).items() if k not in _NOT_STATE}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """torch's ``load_state_dict()``: ``__dict__.update`` (composites: each child its own)."""
        vars(self).update({k: _copied(v) for k, v in state.items()})

    def _initial_step(self) -> None:
        # torch: construction performs one step (last_epoch -1 -> 0) in "initial mode".
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def step(self, epoch: Any = None) -> None:
        self._step_count += 1
        if epoch is not None:
            self._update_lr(epoch)
            return
        # _update_lr() inlined: the step every run takes, once per optimizer step
        self.last_epoch += 1
        values = self.get_lr()
        groups = self.opt.param_groups
        if len(groups) == 1:
            groups[0]["lr"] = values[0]
        else:
            for group, lr in zip(groups, values):
                group["lr"] = lr
        self._last_lr = values  # torch reads the groups back: the very values just written

    def _update_lr(self, epoch: Any = None) -> None:
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            # torch: step(epoch) jumps to ``epoch`` and uses the closed form where the class has one.
            self.last_epoch = epoch
            values = self.closed_form() if self.has_closed_form else self.get_lr()
        for group, lr in zip(self.opt.param_groups, values):
            group["lr"] = lr
        self._last_lr = self.opt.lrs()

    def get_last_lr(self) -> list[float]:
        return self._last_lr

    def get_lr(self) -> list[float]:
        raise NotImplementedError

    def closed_form(self) -> list[float]:
        raise NotImplementedError

    def current(self) -> list[float]:
        return self.opt.lrs()

    def _call(self, fn: Expr, key: str, x: Any) -> Any:
        try:
            return fn(x)
        except ExprError as exc:
            raise ConfigError(f"{self.spec.path}.{key}", str(exc)) from None

    def _expression_error(self, key: str, exc: ExprError) -> ConfigError:
        return ConfigError(f"{self.spec.path}.{key}", str(exc))


def _functions(lambdas: list[Any]) -> list[Callable[[Any], Any]]:
    """Each lambda as a plain function of the epoch: an expression's fast path (Expr.function), or the callable itself."""
    return [f.function() if isinstance(f, Expr) else f for f in lambdas]


class LambdaLR(Scheduler):
    def __init__(self, opt, spec, last_epoch=-1):
        self.lambdas = _per_group(spec.params["lr_lambda"], len(opt.param_groups))
        self._functions = _functions(self.lambdas)
        super().__init__(opt, spec, last_epoch)

    def get_lr(self):
        # torch: absolute, base_lr * f(epoch), overriding whatever else moved the lr.
        k = self.last_epoch
        try:
            if len(self.base_lrs) == 1:  # the same arithmetic, without a comprehension's frame
                return [self.base_lrs[0] * self._functions[0](k)]
            return [base * f(k) for f, base in zip(self._functions, self.base_lrs)]
        except ExprError as exc:
            raise self._expression_error("lr_lambda", exc) from None


class MultiplicativeLR(Scheduler):
    def __init__(self, opt, spec, last_epoch=-1):
        self.lambdas = _per_group(spec.params["lr_lambda"], len(opt.param_groups))
        self._functions = _functions(self.lambdas)
        super().__init__(opt, spec, last_epoch)

    def get_lr(self):
        if self._is_initial:
            return self.current()
        # torch: multiplies the *current* lr, even at epoch 0 when SequentialLR restarts it.
        k = self.last_epoch
        try:
            return [g["lr"] * f(k) for f, g in zip(self._functions, self.opt.param_groups)]
        except ExprError as exc:
            raise self._expression_error("lr_lambda", exc) from None


class StepLR(Scheduler):
    has_closed_form = True

    def __init__(self, opt, spec, last_epoch=-1):
        self.step_size = spec.params["step_size"]
        self.gamma = spec.params["gamma"]
        super().__init__(opt, spec, last_epoch)

    def get_lr(self):
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self.current()
        return [g["lr"] * self.gamma for g in self.opt.param_groups]

    def closed_form(self):
        return [base * self.gamma ** (self.last_epoch // self.step_size) for base in self.base_lrs]


class MultiStepLR(Scheduler):
    has_closed_form = True

    def __init__(self, opt, spec, last_epoch=-1):
        # torch: milestones are a multiset; a repeated milestone applies gamma once per repeat.
        self.milestones = Counter(spec.params["milestones"])
        self.gamma = spec.params["gamma"]
        super().__init__(opt, spec, last_epoch)

    def get_lr(self):
        if self.last_epoch not in self.milestones:
            return self.current()
        return [g["lr"] * self.gamma ** self.milestones[self.last_epoch] for g in self.opt.param_groups]

    def closed_form(self):
        milestones = sorted(self.milestones.elements())
        return [base * self.gamma ** bisect_right(milestones, self.last_epoch) for base in self.base_lrs]


class ConstantLR(Scheduler):
    has_closed_form = True

    def __init__(self, opt, spec, last_epoch=-1):
        self.factor = spec.params["factor"]
        self.total_iters = spec.params["total_iters"]
        super().__init__(opt, spec, last_epoch)

    def get_lr(self):
        # torch checks epoch 0 first, so total_iters=0 leaves the factor applied for ever.
        if self.last_epoch == 0:
            return [g["lr"] * self.factor for g in self.opt.param_groups]
        if self.last_epoch != self.total_iters:
            return self.current()
        return [g["lr"] * (1.0 / self.factor) for g in self.opt.param_groups]

    def closed_form(self):
        return [
            base * (self.factor + (self.last_epoch >= self.total_iters) * (1 - self.factor)) for base in self.base_lrs
        ]


class LinearLR(Scheduler):
    has_closed_form = True

    def __init__(self, opt, spec, last_epoch=-1):
        self.start = spec.params["start_factor"]
        self.end = spec.params["end_factor"]
        self.total_iters = spec.params["total_iters"]
        super().__init__(opt, spec, last_epoch)

    def get_lr(self):
        if self.last_epoch == 0:
            return [g["lr"] * self.start for g in self.opt.param_groups]
        if self._is_initial or self.last_epoch > self.total_iters:
            return self.current()
        s, e, t = self.start, self.end, self.total_iters
        return [g["lr"] * (1.0 + (e - s) / (t * s + (self.last_epoch - 1) * (e - s))) for g in self.opt.param_groups]

    def closed_form(self):
        s, e, t = self.start, self.end, self.total_iters
        return [base * (s + (e - s) * min(t, self.last_epoch) / t) for base in self.base_lrs]


class ExponentialLR(Scheduler):
    has_closed_form = True

    def __init__(self, opt, spec, last_epoch=-1):
        self.gamma = spec.params["gamma"]
        super().__init__(opt, spec, last_epoch)

    def get_lr(self):
        if self._is_initial:
            return self.current()
        return [g["lr"] * self.gamma for g in self.opt.param_groups]

    def closed_form(self):
        return [base * self.gamma**self.last_epoch for base in self.base_lrs]


class PolynomialLR(Scheduler):
    has_closed_form = True

    def __init__(self, opt, spec, last_epoch=-1):
        self.total_iters = spec.params["total_iters"]
        self.power = spec.params["power"]
        super().__init__(opt, spec, last_epoch)

    def get_lr(self):
        if self._is_initial or self.last_epoch > self.total_iters:
            return self.current()
        t, k = self.total_iters, self.last_epoch
        factor = ((1.0 - k / t) / (1.0 - (k - 1) / t)) ** self.power
        return [g["lr"] * factor for g in self.opt.param_groups]

    def closed_form(self):
        t = self.total_iters
        return [base * (1.0 - min(t, self.last_epoch) / t) ** self.power for base in self.base_lrs]


class CosineAnnealingLR(Scheduler):
    has_closed_form = True

    def __init__(self, opt, spec, last_epoch=-1):
        self.T_max = spec.params["T_max"]
        self.eta_min = spec.params["eta_min"]
        self._cos: tuple[Any, Any, float] = (None, None, 0.0)  # (k, T_max, cos(pi * k / T_max)) of the last step
        super().__init__(opt, spec, last_epoch)

    def get_lr(self):
        k, t, eta = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return self.current()
        if self._step_count == 1 and k > 0:
            return [eta + (base - eta) * (1 + math.cos(k * math.pi / t)) / 2 for base in self.base_lrs]
        if (k - 1 - t) % (2 * t) == 0:
            # torch: the step just past each trough adds back the first step's decrement, which is
            # why the lr rises again after T_max instead of staying at eta_min.
            return [
                g["lr"] + (base - eta) * (1 - math.cos(math.pi / t)) / 2 for base, g in zip(self.base_lrs, self.opt.param_groups)
            ]
        # cos(pi * (k - 1) / t) is the cos(pi * k / t) of the step before: the same float, computed once
        now = math.cos(math.pi * k / t)
        before = self._cos[2] if self._cos[0] == k - 1 and self._cos[1] == t else math.cos(math.pi * (k - 1) / t)
        self._cos = (k, t, now)
        ratio = (1 + now) / (1 + before)
        groups = self.opt.param_groups
        if len(groups) == 1:  # the same arithmetic, without a comprehension's frame
            return [ratio * (groups[0]["lr"] - eta) + eta]
        return [ratio * (g["lr"] - eta) + eta for g in groups]

    def closed_form(self):
        k, t, eta = self.last_epoch, self.T_max, self.eta_min
        return [eta + (base - eta) * (1 + math.cos(math.pi * k / t)) / 2 for base in self.base_lrs]


class CosineAnnealingWarmRestarts(Scheduler):
    def __init__(self, opt, spec, last_epoch=-1):
        self.T_0 = spec.params["T_0"]
        self.T_i = self.T_0
        self.T_mult = spec.params["T_mult"]
        self.eta_min = spec.params["eta_min"]
        self.T_cur: Any = last_epoch
        super().__init__(opt, spec, last_epoch)

    def get_lr(self):
        eta = self.eta_min
        return [eta + (base - eta) * (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2 for base in self.base_lrs]

    def step(self, epoch: Any = None) -> None:
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur = self.T_cur + 1
            if self.T_cur >= self.T_i:
                self.T_cur = self.T_cur % self.T_i
                self.T_i = self.T_i * self.T_mult
        else:
            if epoch >= self.T_0:
                if self.T_mult == 1:
                    self.T_cur = epoch % self.T_0
                else:
                    # torch finds the cycle with a float logarithm; its rounding is observable
                    # right at the restarts, so it is reproduced as is.
                    n = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
                    self.T_cur = epoch - self.T_0 * (self.T_mult**n - 1) / (self.T_mult - 1)
                    self.T_i = self.T_0 * self.T_mult**n
            else:
                self.T_i = self.T_0
                self.T_cur = epoch
        self.last_epoch = math.floor(epoch)
        for group, lr in zip(self.opt.param_groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = self.opt.lrs()


class CyclicLR(Scheduler):
    def __init__(self, opt, spec, last_epoch=-1):
        p = spec.params
        n = len(opt.param_groups)
        base_lrs = _per_group(p["base_lr"], n)
        if last_epoch == -1:
            # torch: the group lr is set to base_lr *before* initial_lr is recorded (setdefault), so
            # this only changes the base of the initial step when CyclicLR is the first scheduler
            # built. Resuming (last_epoch >= 0) leaves the groups as loaded.
            for lr, group in zip(base_lrs, opt.param_groups):
                group["lr"] = lr
        self.max_lrs = _per_group(p["max_lr"], n)
        up = float(p["step_size_up"])
        down = float(p["step_size_down"]) if p["step_size_down"] is not None else up
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        self.custom_scale = p["scale_fn"]
        self._scale = self.custom_scale.function() if isinstance(self.custom_scale, Expr) else self.custom_scale
        self.mode = p["mode"]
        self.gamma = p["gamma"]
        if self.custom_scale is not None:
            self.scale_mode = p["scale_mode"]
        else:
            self.scale_mode = "iterations" if self.mode == "exp_range" else "cycle"
        self.cycle_momentum = p["cycle_momentum"]
        if self.cycle_momentum:
            self.base_momentums = _per_group(p["base_momentum"], n)
            self.max_momentums = _per_group(p["max_momentum"], n)
            if last_epoch == -1:
                for m_max, m_base, group in zip(self.max_momentums, self.base_momentums, opt.param_groups):
                    opt.set_momentum(group, m_max)
                    group["max_momentum"] = m_max
                    group["base_momentum"] = m_base
        super().__init__(opt, spec, last_epoch)
        self.base_lrs = base_lrs

    def scale_fn(self, x):
        if self._scale is not None:
            return self._call(self._scale, "scale_fn", x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / 2.0 ** (x - 1)
        return self.gamma**x

    def get_lr(self):
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle
        if x <= self.step_ratio:
            scale_factor = x / self.step_ratio
        else:
            scale_factor = (x - 1) / (self.step_ratio - 1)
        arg = cycle if self.scale_mode == "cycle" else self.last_epoch
        lrs = []
        for base_lr, max_lr in zip(self.base_lrs, self.max_lrs):
            base_height = (max_lr - base_lr) * scale_factor
            lrs.append(base_lr + base_height * self.scale_fn(arg))
        if self.cycle_momentum:
            for group, m_base, m_max in zip(self.opt.param_groups, self.base_momentums, self.max_momentums):
                base_height = (m_max - m_base) * scale_factor
                self.opt.set_momentum(group, m_max - base_height * self.scale_fn(arg))
        return lrs


class OneCycleLR(Scheduler):
    def __init__(self, opt, spec, last_epoch=-1):
        p = spec.params
        if p["total_steps"] is not None:
            self.total_steps = p["total_steps"]
        else:
            self.total_steps = p["epochs"] * p["steps_per_epoch"]
        pct, total = p["pct_start"], self.total_steps
        if p["three_phase"]:
            self.phases = [
                (float(pct * total) - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (float(2 * pct * total) - 2, "max_lr", "initial_lr", "base_momentum", "max_momentum"),
                (total - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"),
            ]
        else:
            self.phases = [
                (float(pct * total) - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (total - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"),
            ]
        self.linear = p["anneal_strategy"] == "linear"
        n = len(opt.param_groups)
        # torch overwrites initial_lr (no setdefault here), and keeps the boundaries in the group
        # dicts, where a later OneCycleLR or CyclicLR on the same optimizer can overwrite them.
        # Resuming (last_epoch >= 0), it reads them back from the groups as loaded.
        if last_epoch == -1:
            for max_lr, group in zip(_per_group(p["max_lr"], n), opt.param_groups):
                group["initial_lr"] = max_lr / p["div_factor"]
                group["max_lr"] = max_lr
                group["min_lr"] = group["initial_lr"] / p["final_div_factor"]
        self.cycle_momentum = p["cycle_momentum"]
        if self.cycle_momentum and last_epoch == -1:
            for m_max, m_base, group in zip(_per_group(p["max_momentum"], n), _per_group(p["base_momentum"], n), opt.param_groups):
                opt.set_momentum(group, m_max)
                group["max_momentum"] = m_max
                group["base_momentum"] = m_base
        super().__init__(opt, spec, last_epoch)

    def get_lr(self):
        step_num = self.last_epoch
        if step_num > self.total_steps:
            raise TorchRaised(
                "ValueError",
                f"Tried to step {step_num} times. The specified number of total steps is {self.total_steps}",
            )
        # torch finds the phase and its pct anew for every group; they depend on the step alone, so
        # they are found once here (the same floats), as is the cosine of _annealing_cos.
        start_step = 0.0
        last = len(self.phases) - 1
        for i, (end_step, lr_a, lr_b, m_a, m_b) in enumerate(self.phases):
            if step_num <= end_step or i == last:
                break
            start_step = end_step
        pct = (step_num - start_step) / (end_step - start_step)
        linear = self.linear
        if not linear:
            cos_out = math.cos(math.pi * pct) + 1
        lrs = []
        for group in self.opt.param_groups:
            start, end = group[lr_a], group[lr_b]
            # _annealing_linear: (end - start) * pct + start; _annealing_cos: end + (start - end) / 2.0 * cos_out
            lrs.append((end - start) * pct + start if linear else end + (start - end) / 2.0 * cos_out)
            if self.cycle_momentum:
                start, end = group[m_a], group[m_b]
                self.opt.set_momentum(group, (end - start) * pct + start if linear else end + (start - end) / 2.0 * cos_out)
        return lrs


class ReduceLROnPlateau:
    """torch.optim.lr_scheduler.ReduceLROnPlateau: no initial step, no initial_lr; reacts to a metric."""

    def __init__(self, opt: FakeOptimizer, spec: SchedulerSpec):
        p = spec.params
        self.opt = opt
        self.spec = spec
        self.mode, self.factor, self.patience = p["mode"], p["factor"], p["patience"]
        self.threshold, self.threshold_mode = p["threshold"], p["threshold_mode"]
        self.cooldown, self.eps = p["cooldown"], p["eps"]
        self.min_lrs = _per_group(p["min_lr"], len(opt.param_groups))
        self.last_epoch: Any = 0
        self.best = math.inf if self.mode == "min" else -math.inf
        self.cooldown_counter = 0
        self.num_bad_epochs = 0
        self.log: list[tuple[float, int, int, bool]] = []  # (best, bad epochs, cooldown, reduced) after each step

    state_dict = Scheduler.state_dict
    load_state_dict = Scheduler.load_state_dict

    def _is_better(self, a: float, best: float) -> bool:
        # torch: with rel mode and negative metrics, best * (1 - threshold) is *above* best, so a
        # slightly worse value can count as an improvement. NaN compares False: always bad.
        if self.mode == "min" and self.threshold_mode == "rel":
            return a < best * (1.0 - self.threshold)
        if self.mode == "min":
            return a < best - self.threshold
        if self.threshold_mode == "rel":
            return a > best * (self.threshold + 1.0)
        return a > best + self.threshold

    def step(self, metric: float, epoch: Any = None) -> None:
        current = float(metric)
        self.last_epoch = self.last_epoch + 1 if epoch is None else epoch
        if self._is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        reduced = self.num_bad_epochs > self.patience
        if reduced:
            for group, min_lr in zip(self.opt.param_groups, self.min_lrs):
                old = float(group["lr"])
                new = max(old * self.factor, min_lr)
                if old - new > self.eps:
                    group["lr"] = new
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self.log.append((self.best, self.num_bad_epochs, self.cooldown_counter, reduced))


class _Composite(Scheduler):
    """What SequentialLR and ChainedScheduler save: their own attributes and each child's state dict."""

    def state_dict(self) -> dict[str, Any]:
        return {**super().state_dict(), "_schedulers": [child.state_dict() for child in self._schedulers]}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        super().load_state_dict({k: v for k, v in state.items() if k != "_schedulers"})
        for child, child_state in zip(self._schedulers, state["_schedulers"]):
            child.load_state_dict(child_state)


class ChainedScheduler(_Composite):
    def __init__(self, opt, spec, children):
        # torch: no initial step of its own; the children's initial steps already compounded.
        self.opt = opt
        self.spec = spec
        self._is_initial = False
        self._schedulers = children
        self._last_lr = opt.lrs()

    def step(self, epoch: Any = None) -> None:
        for child in self._schedulers:
            child.step()
        self._last_lr = self.opt.lrs()


class SequentialLR(_Composite):
    def __init__(self, opt, spec, children, last_epoch=-1):
        self.opt = opt
        self.spec = spec
        self._is_initial = False
        self._schedulers = children
        self._milestones = list(spec.params["milestones"])
        # torch: no base-class constructor, so no initial_lr check even when resuming; the
        # sequence's own counter starts at last_epoch + 1 while its children start over.
        self.last_epoch = last_epoch + 1
        # torch: reset every group to initial_lr, undo the children's construction steps, then
        # redo the initial step of the one child active at epoch 0 (with milestones [0, ...] that is
        # the *second* child, since bisect_right skips a milestone equal to 0).
        for group in opt.param_groups:
            group["lr"] = group["initial_lr"]
        self._undo(self)
        idx = bisect_right(self._milestones, 0)
        self._schedulers[idx]._initial_step()
        self._last_lr = self._schedulers[idx].get_last_lr()

    def _undo(self, sched) -> None:
        # torch's recursive_undo: composites are walked into, never decremented themselves.
        if hasattr(sched, "_schedulers"):
            for child in sched._schedulers:
                self._undo(child)
        elif hasattr(sched, "last_epoch"):
            sched.last_epoch -= 1

    def step(self, epoch: Any = None) -> None:
        self.last_epoch += 1
        idx = bisect_right(self._milestones, self.last_epoch)
        child = self._schedulers[idx]
        if idx > 0 and self._milestones[idx - 1] == self.last_epoch:
            # torch restarts the incoming child at its own epoch 0 with _update_lr(0), which is the
            # closed form where the class has one; a composite child has neither and raises.
            if isinstance(child, (SequentialLR, ChainedScheduler)):
                raise TorchRaised(
                    "NotImplementedError",
                    f"SequentialLR cannot switch to a nested {type(child).__name__} at milestone {self.last_epoch}",
                )
            child._update_lr(0)
        else:
            child.step()
        self._last_lr = child.get_last_lr()


CLASSES: dict[str, Callable[..., Any]] = {
    cls.__name__: cls
    for cls in (
        LambdaLR,
        MultiplicativeLR,
        StepLR,
        MultiStepLR,
        ConstantLR,
        LinearLR,
        ExponentialLR,
        PolynomialLR,
        CosineAnnealingLR,
        CosineAnnealingWarmRestarts,
        CyclicLR,
        OneCycleLR,
        ReduceLROnPlateau,
        ChainedScheduler,
        SequentialLR,
    )
}


def build(opt: FakeOptimizer, spec: SchedulerSpec, last_epoch: int = -1):
    """Construct a scheduler tree in torch's order: children first, each on the shared optimizer.

    ``last_epoch`` goes where a training script resuming with it would pass it: to the scheduler's
    own constructor; SequentialLR takes it while its children are built as before, and
    ChainedScheduler, which has no such keyword, passes it on to each child. ReduceLROnPlateau has
    no ``last_epoch`` at all in torch 2.13.
    """
    cls = CLASSES[spec.type]
    if spec.type == "ChainedScheduler":
        return cls(opt, spec, [build(opt, child, last_epoch) for child in spec.children])
    if spec.type == "SequentialLR":
        return cls(opt, spec, [build(opt, child) for child in spec.children], last_epoch)
    if spec.type == "ReduceLROnPlateau":
        if last_epoch != -1:
            raise TorchRaised("TypeError", "ReduceLROnPlateau.__init__() got an unexpected keyword argument 'last_epoch'")
        return cls(opt, spec)
    return cls(opt, spec, last_epoch)
