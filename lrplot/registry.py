"""Every scheduler lrplot knows, as data.

One frozen record per ``torch.optim.lr_scheduler`` class: its torch name, the short aliases people
type, a one-line description and its constructor keywords (names exactly as in torch 2.13, with
defaults and the limits lrplot checks). The config loader, ``lrplot list``, the CLI flags and the
tests all read this table; nothing else lists schedulers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

REQUIRED: Any = object()  # default of a keyword the user must give
FROM_RUN: Any = object()  # default filled from the run's length (T_max, total_steps)


@dataclass(frozen=True)
class Bound:
    """A numeric limit: ``value > low`` (or ``>=`` when ``inclusive``)."""

    low: float | None = None
    low_inclusive: bool = True
    high: float | None = None
    high_inclusive: bool = True

    def violation(self, value: float) -> str | None:
        """A short description of the broken limit, or None when ``value`` is inside."""
        if self.low is not None and (value < self.low or (value == self.low and not self.low_inclusive)):
            return self.describe()
        if self.high is not None and (value > self.high or (value == self.high and not self.high_inclusive)):
            return self.describe()
        return None

    def describe(self) -> str:
        lo = None if self.low is None else f"{'>=' if self.low_inclusive else '>'} {_num(self.low)}"
        hi = None if self.high is None else f"{'<=' if self.high_inclusive else '<'} {_num(self.high)}"
        if lo and hi:
            return f"must be {lo} and {hi}"
        return f"must be {lo or hi}"


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(x)


POSITIVE = Bound(low=0, low_inclusive=False)
NON_NEGATIVE = Bound(low=0)


@dataclass(frozen=True)
class Param:
    """One constructor keyword.

    ``kind`` is one of: ``int``, ``float``, ``bool``, ``choice``, ``int_list``, ``per_group``
    (a float, or a list with one float per param group), ``expr`` / ``per_group_expr`` (expressions in
    ``variable``), ``schedulers`` (nested scheduler configs).
    """

    name: str
    kind: str
    default: Any
    doc: str
    bound: Bound | None = None
    choices: tuple[str, ...] = ()
    variable: str = ""
    optional: bool = False  # None is a valid value (torch's ``None`` default)
    torch_checks: bool = False  # torch itself raises outside ``bound`` (else: lrplot's own sanity rule)

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


@dataclass(frozen=True)
class SchedulerInfo:
    name: str  # the torch class name
    aliases: tuple[str, ...]
    description: str
    params: tuple[Param, ...]
    example: dict[str, Any] = field(default_factory=dict)  # keywords of a typical use, for docs and tests
    composite: bool = False
    cycles_momentum: bool = False  # has a ``cycle_momentum`` keyword
    default_step: str = "epoch"  # when scheduler.step() is called unless the run says otherwise

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)


def _cycle_momentum_params(base: float, high: float) -> tuple[Param, ...]:
    return (
        Param("cycle_momentum", "bool", True, "cycle momentum (or Adam beta1) inversely to the lr"),
        Param("base_momentum", "per_group", base, "lower momentum boundary", NON_NEGATIVE),
        Param("max_momentum", "per_group", high, "upper momentum boundary", NON_NEGATIVE),
    )


SCHEDULERS: tuple[SchedulerInfo, ...] = (
    SchedulerInfo(
        "LambdaLR",
        ("lambda",),
        "lr = initial lr * lr_lambda(epoch)",
        (Param("lr_lambda", "per_group_expr", REQUIRED, "expression in epoch (or one per group)", variable="epoch"),),
        example={"lr_lambda": "0.95 ** epoch"},
    ),
    SchedulerInfo(
        "MultiplicativeLR",
        ("multiplicative",),
        "lr *= lr_lambda(epoch) at every step after the first",
        (Param("lr_lambda", "per_group_expr", REQUIRED, "expression in epoch (or one per group)", variable="epoch"),),
        example={"lr_lambda": "0.95"},
    ),
    SchedulerInfo(
        "StepLR",
        ("step",),
        "lr *= gamma every step_size epochs",
        (
            Param("step_size", "int", REQUIRED, "period of the decay, in scheduler steps", POSITIVE),
            Param("gamma", "float", 0.1, "multiplicative factor", POSITIVE),
        ),
        example={"step_size": 10, "gamma": 0.5},
    ),
    SchedulerInfo(
        "MultiStepLR",
        ("multistep", "multi_step"),
        "lr *= gamma at each milestone",
        (
            Param("milestones", "int_list", REQUIRED, "scheduler steps where the lr decays", NON_NEGATIVE),
            Param("gamma", "float", 0.1, "multiplicative factor", POSITIVE),
        ),
        example={"milestones": [30, 80], "gamma": 0.1},
    ),
    SchedulerInfo(
        "ConstantLR",
        ("constant",),
        "lr * factor until total_iters, then the initial lr",
        (
            Param("factor", "float", 1.0 / 3, "factor applied until total_iters", Bound(0, True, 1, True), torch_checks=True),
            Param("total_iters", "int", 5, "steps the factor is applied for", NON_NEGATIVE),
        ),
        example={"factor": 0.5, "total_iters": 10},
    ),
    SchedulerInfo(
        "LinearLR",
        ("linear",),
        "lr factor goes linearly from start_factor to end_factor over total_iters",
        (
            Param("start_factor", "float", 1.0 / 3, "factor at step 0", Bound(0, False, 1, True), torch_checks=True),
            Param("end_factor", "float", 1.0, "factor from total_iters on", Bound(0, True, 1, True), torch_checks=True),
            Param("total_iters", "int", 5, "length of the ramp in scheduler steps", NON_NEGATIVE),
        ),
        example={"start_factor": 0.1, "total_iters": 10},
    ),
    SchedulerInfo(
        "ExponentialLR",
        ("exponential", "exp"),
        "lr *= gamma every step",
        (Param("gamma", "float", REQUIRED, "multiplicative factor per step", POSITIVE),),
        example={"gamma": 0.95},
    ),
    SchedulerInfo(
        "PolynomialLR",
        ("poly", "polynomial"),
        "lr decays as (1 - k/total_iters)**power, then 0",
        (
            Param("total_iters", "int", 5, "steps until the lr reaches 0", POSITIVE),
            Param("power", "float", 1.0, "power of the polynomial", NON_NEGATIVE),
        ),
        example={"total_iters": 80, "power": 2.0},
    ),
    SchedulerInfo(
        "CosineAnnealingLR",
        ("cosine", "cos"),
        "half a cosine from the initial lr down to eta_min over T_max steps (and back up after)",
        (
            Param("T_max", "int", FROM_RUN, "half-period in scheduler steps (default: the run's length)", POSITIVE),
            Param("eta_min", "float", 0.0, "minimum lr", NON_NEGATIVE),
        ),
        example={"T_max": 100, "eta_min": 0.001},
    ),
    SchedulerInfo(
        "ChainedScheduler",
        ("chained", "chain"),
        "steps every child scheduler in turn on the same lr",
        (Param("schedulers", "schedulers", REQUIRED, "list of scheduler configs"),),
        composite=True,
        example={"schedulers": [{"type": "ConstantLR", "factor": 0.5, "total_iters": 10}, {"type": "ExponentialLR", "gamma": 0.97}]},
    ),
    SchedulerInfo(
        "SequentialLR",
        ("sequential", "seq"),
        "runs one scheduler after another, switching at milestones",
        (
            Param("schedulers", "schedulers", REQUIRED, "list of scheduler configs"),
            Param("milestones", "int_list", REQUIRED, "steps where the next scheduler starts", NON_NEGATIVE),
        ),
        composite=True,
        example={"milestones": [10], "schedulers": [{"type": "LinearLR", "start_factor": 0.1, "total_iters": 10}, {"type": "CosineAnnealingLR"}]},
    ),
    SchedulerInfo(
        "ReduceLROnPlateau",
        ("plateau", "reduce_on_plateau"),
        "lr *= factor when the metric stops improving for patience steps",
        (
            Param("mode", "choice", "min", "whether lower or higher metric is better", choices=("min", "max"), torch_checks=True),
            Param("factor", "float", 0.1, "multiplicative factor on a reduction", Bound(0, True, 1, False), torch_checks=True),
            Param("patience", "int", 10, "bad steps tolerated before a reduction", NON_NEGATIVE),
            Param("threshold", "float", 1e-4, "minimum change that counts as an improvement", NON_NEGATIVE),
            Param("threshold_mode", "choice", "rel", "threshold relative to best, or absolute", choices=("rel", "abs"), torch_checks=True),
            Param("cooldown", "int", 0, "steps to wait after a reduction", NON_NEGATIVE),
            Param("min_lr", "per_group", 0.0, "lower bound on the lr (or one per group)", NON_NEGATIVE),
            Param("eps", "float", 1e-8, "reductions smaller than this are skipped", NON_NEGATIVE),
        ),
        example={"patience": 5, "factor": 0.5},
    ),
    SchedulerInfo(
        "CyclicLR",
        ("cyclic", "clr"),
        "lr cycles between base_lr and max_lr (triangular, triangular2, exp_range or scale_fn)",
        (
            Param("base_lr", "per_group", REQUIRED, "lower lr boundary (or one per group)", NON_NEGATIVE),
            Param("max_lr", "per_group", REQUIRED, "upper lr boundary (or one per group)", NON_NEGATIVE),
            Param("step_size_up", "int", 2000, "iterations in the rising half", POSITIVE),
            Param("step_size_down", "int", None, "iterations in the falling half (default: step_size_up)", NON_NEGATIVE, optional=True),
            Param("mode", "choice", "triangular", "amplitude policy", choices=("triangular", "triangular2", "exp_range"), torch_checks=True),
            Param("gamma", "float", 1.0, "exp_range factor per iteration", POSITIVE),
            Param("scale_fn", "expr", None, "custom amplitude expression in x (overrides mode)", variable="x", optional=True),
            Param("scale_mode", "choice", "cycle", "scale_fn argument: cycle number or iterations", choices=("cycle", "iterations")),
        )
        + _cycle_momentum_params(0.8, 0.9),
        cycles_momentum=True,
        default_step="iteration",
        example={"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 200},
    ),
    SchedulerInfo(
        "OneCycleLR",
        ("onecycle", "one_cycle", "1cycle"),
        "warm up to max_lr, then anneal far below the start (the 1cycle policy)",
        (
            Param("max_lr", "per_group", REQUIRED, "peak lr (or one per group)", NON_NEGATIVE),
            Param("total_steps", "int", FROM_RUN, "steps in the cycle (default: the run's length)", POSITIVE, optional=True, torch_checks=True),
            Param("epochs", "int", None, "with steps_per_epoch, instead of total_steps", POSITIVE, optional=True, torch_checks=True),
            Param("steps_per_epoch", "int", None, "with epochs, instead of total_steps", POSITIVE, optional=True, torch_checks=True),
            Param("pct_start", "float", 0.3, "fraction of the cycle spent rising", Bound(0, True, 1, True), torch_checks=True),
            Param("anneal_strategy", "choice", "cos", "shape of each phase", choices=("cos", "linear"), torch_checks=True),
        )
        + _cycle_momentum_params(0.85, 0.95)
        + (
            Param("div_factor", "float", 25.0, "initial lr = max_lr / div_factor", POSITIVE),
            Param("final_div_factor", "float", 1e4, "min lr = initial lr / final_div_factor", POSITIVE),
            Param("three_phase", "bool", False, "symmetric warmup and cooldown, then annihilation"),
        ),
        cycles_momentum=True,
        default_step="iteration",
        example={"max_lr": 0.1},
    ),
    SchedulerInfo(
        "CosineAnnealingWarmRestarts",
        ("warm_restarts", "sgdr", "cosine_restarts"),
        "cosine annealing restarted every T_0 steps, the period growing by T_mult",
        (
            Param("T_0", "int", REQUIRED, "steps in the first cycle", POSITIVE, torch_checks=True),
            Param("T_mult", "int", 1, "period growth factor after a restart", Bound(1), torch_checks=True),
            Param("eta_min", "float", 0.0, "minimum lr", NON_NEGATIVE),
        ),
        example={"T_0": 10, "T_mult": 2},
    ),
)

BY_NAME: dict[str, SchedulerInfo] = {s.name: s for s in SCHEDULERS}


def _key(name: str) -> str:
    return name.strip().lower().replace("-", "_")


_LOOKUP: dict[str, SchedulerInfo] = {}
for _info in SCHEDULERS:
    for _n in (_info.name, *_info.aliases):
        _LOOKUP[_key(_n)] = _info


def lookup(name: str) -> SchedulerInfo | None:
    """The scheduler a type name or alias means: case-insensitive, ``-`` and ``_`` alike."""
    return _LOOKUP.get(_key(name))


def all_names() -> list[str]:
    """Every accepted spelling (torch names first), for suggestions and help."""
    return [s.name for s in SCHEDULERS] + [a for s in SCHEDULERS for a in s.aliases]
