"""torch.optim.lr_scheduler's fifteen classes (torch 2.13.0), as records, and the rules between their keywords.

One frozen record per class: its torch name, the short aliases people type, a one-line description
and its constructor keywords (names exactly as in torch 2.13, with defaults and the limits lrplot
checks). ``resolve`` applies what involves several keywords, nested schedulers or the run.
"""

from __future__ import annotations

from typing import Any

from ...errors import ConfigError, TorchWouldRaise
from ..base import FROM_RUN, NON_NEGATIVE, POSITIVE, REQUIRED, Bound, Family, Param, ResolveContext, SchedulerInfo


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
        children_together=True,
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
        steps_on_metric=True,
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


def resolve(info: SchedulerInfo, params: dict[str, Any], ctx: ResolveContext) -> None:
    """Rules that involve several keywords, the run, or nested schedulers."""
    path, length = ctx.path, ctx.length
    if info.name == "SequentialLR":
        children, milestones = params["schedulers"], params["milestones"]
        if len(milestones) != len(children) - 1:
            raise TorchWouldRaise(
                f"{path}.milestones",
                f"{len(milestones)} milestones for {len(children)} schedulers; torch needs exactly one fewer milestone than schedulers",
            )
        if list(milestones) != sorted(milestones):
            raise ConfigError(f"{path}.milestones", f"must be in increasing order, got {list(milestones)}")
        bounds = [0, *milestones, max(length, *milestones) if milestones else length]
        params["schedulers"] = _children(children, info, ctx, [bounds[i + 1] - bounds[i] for i in range(len(children))])
    elif info.name == "ChainedScheduler":
        params["schedulers"] = _children(params["schedulers"], info, ctx, [length] * len(params["schedulers"]))
    elif info.name == "CosineAnnealingLR":
        if params["T_max"] is FROM_RUN:
            params["T_max"] = max(length, 1)
    elif info.name == "OneCycleLR":
        given = [k for k in ("epochs", "steps_per_epoch") if params[k] is not None]
        if len(given) == 1:
            raise TorchWouldRaise(
                path, f"OneCycleLR needs both epochs and steps_per_epoch, or total_steps; only {given[0]} is given"
            )
        if params["total_steps"] is FROM_RUN:
            params["total_steps"] = None if given else max(length, 1)
    elif info.name == "CyclicLR":
        if params["scale_fn"] is None and params["scale_mode"] != "cycle":
            # torch silently resets scale_mode from the mode when there is no scale_fn; keep the
            # config honest instead of letting a keyword do nothing.
            raise ConfigError(f"{path}.scale_mode", "only applies with a custom `scale_fn`; remove it")


def _children(items: Any, parent: SchedulerInfo, ctx: ResolveContext, lengths: list[int]) -> tuple[Any, ...]:
    out = []
    for i, (child, length) in enumerate(zip(items, lengths)):
        cpath = f"{ctx.path}.schedulers[{i}]"
        kind = child if isinstance(child, str) else child.get("type") if isinstance(child, dict) else None
        info = ctx.lookup(kind) if isinstance(kind, str) else None  # any family's: others are refused by name
        if info is not None and info.family != "torch":
            raise ConfigError(
                f"{cpath}.type", f"{info.name} is a {info.family} schedule; torch's {parent.name} nests torch schedulers only"
            )
        if info is not None and info.name == "ReduceLROnPlateau":
            raise TorchWouldRaise(
                f"{cpath}.type",
                f"torch's {parent.name} does not support ReduceLROnPlateau (its step() needs a metric); "
                "use ReduceLROnPlateau on its own",
            )
        out.append(ctx.child(child, cpath, length))
    return tuple(out)


def default_step(data: Any, info: SchedulerInfo) -> str:
    """Per-iteration stepping when any scheduler in the tree is meant for it (CyclicLR, OneCycleLR)."""
    if info.default_step == "iteration":
        return "iteration"
    if info.composite and isinstance(data, dict):
        for child in data.get("schedulers") or ():
            kind = child.get("type") if isinstance(child, dict) else child
            child_info = BY_NAME.get(kind) or _ALIASES.get(str(kind).strip().lower().replace("-", "_")) if isinstance(kind, str) else None
            if child_info is not None and default_step(child, child_info) == "iteration":
                return "iteration"
    return "epoch"


BY_NAME: dict[str, SchedulerInfo] = {s.name: s for s in SCHEDULERS}
_ALIASES: dict[str, SchedulerInfo] = {n.lower(): s for s in SCHEDULERS for n in (s.name, *s.aliases)}

FAMILY = Family(
    "torch",
    "PyTorch 2.13 torch.optim.lr_scheduler: a scheduler.step() per epoch or per iteration",
    SCHEDULERS,
    resolve,
    "lrplot.frameworks.torch",
    default_step=default_step,
    stepped_by_script=True,
    lr_keys=frozenset({"eta_min", "min_lr", "max_lr", "base_lr"}),  # the keywords that are lrs (lrplot.explore)
)
