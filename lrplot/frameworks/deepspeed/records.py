"""DeepSpeed 0.19.8's lr schedulers (deepspeed/runtime/lr_schedules.py), as records.

``type: deepspeed.<Class>`` takes the class's keywords, which are the ``params`` of a ds_config's
``"scheduler"`` block, with the class's own defaults (WarmupDecayLR's ``warmup_max_lr`` is 0.001
whatever the optimizer's lr; WarmupLR's takes the optimizer's). These are not torch schedulers: the
lr is a function of ``last_batch_iteration``, which the engine moves by one after every optimizer
step it applies (``DeepSpeedEngine._take_model_step``) and not after a step that an fp16 overflow
skipped: ``skipped_steps`` lists those (lrplot's keyword; DeepSpeed counts them in
``engine.skipped_steps``).
"""

from __future__ import annotations

from typing import Any

from ...errors import ConfigError, TorchWouldRaise
from ..base import FROM_RUN, NON_NEGATIVE, POSITIVE, REQUIRED, Family, Param, ResolveContext, SchedulerInfo

WARMUP_TYPES = ("log", "linear")
_SKIPPED = Param(
    "skipped_steps", "int_list", None,
    "optimizer steps (from 0) an fp16 overflow skipped: the engine does not step the scheduler after them",
    NON_NEGATIVE, optional=True,
)
_WARMUP_STEPS = Param("warmup_num_steps", "int", 1000, "steps from the min to the max lr (DeepSpeed takes at least 2)", POSITIVE, torch_checks=True)
_WARMUP_TYPE = Param("warmup_type", "choice", "log", "log or linear rise during the warmup", choices=WARMUP_TYPES)
_TOTAL = Param("total_num_steps", "int", FROM_RUN, "steps until the decay ends (default: the run's length)", NON_NEGATIVE)


def _info(name: str, description: str, params: tuple[Param, ...], example: dict[str, Any], **kw: Any) -> SchedulerInfo:
    return SchedulerInfo(
        f"deepspeed.{name}", (), description, (*params, _SKIPPED), example=example, default_step="iteration",
        family="deepspeed", library_name=name, **kw,
    )


SCHEDULERS: tuple[SchedulerInfo, ...] = (
    _info(
        "WarmupLR",
        "warmup from warmup_min_lr to warmup_max_lr (a log curve unless warmup_type linear), then constant",
        (
            Param("warmup_min_lr", "per_group", 0.0, "lr the warmup starts from", NON_NEGATIVE),
            Param("warmup_max_lr", "per_group", None, "lr after the warmup (default: the optimizer's lr)", NON_NEGATIVE, optional=True),
            _WARMUP_STEPS, _WARMUP_TYPE,
        ),
        {"warmup_num_steps": 20, "warmup_type": "linear"},
    ),
    _info(
        "WarmupDecayLR",
        "WarmupLR's warmup to warmup_max_lr (default 0.001, not the optimizer's lr), then a linear decay to 0 at total_num_steps",
        (
            _TOTAL,
            Param("warmup_min_lr", "per_group", 0.0, "lr the warmup starts from", NON_NEGATIVE),
            Param("warmup_max_lr", "per_group", 0.001, "the peak lr (0.001 unless given: the optimizer's lr is not read)", NON_NEGATIVE),
            _WARMUP_STEPS, _WARMUP_TYPE,
        ),
        {"warmup_num_steps": 20, "warmup_max_lr": 0.1},
    ),
    _info(
        "WarmupCosineLR",
        "warmup from warmup_min_ratio of the lr, then a cosine to cos_min_ratio of it at total_num_steps",
        (
            _TOTAL,
            Param("warmup_min_ratio", "float", 0.0, "fraction of the lr the warmup starts from", NON_NEGATIVE),
            _WARMUP_STEPS,
            Param("cos_min_ratio", "float", 0.0001, "fraction of the lr at the end of the cosine", NON_NEGATIVE),
            _WARMUP_TYPE,
        ),
        {"warmup_num_steps": 20, "warmup_type": "linear", "cos_min_ratio": 0.1},
    ),
    _info(
        "OneCycle",
        "one triangular cycle of lr (and beta1, the other way) between min and max, then a decay or cycle_min_lr",
        (
            Param("cycle_min_lr", "per_group", REQUIRED, "lower lr of the cycle (also where it starts)", NON_NEGATIVE),
            Param("cycle_max_lr", "per_group", REQUIRED, "upper lr of the cycle", NON_NEGATIVE),
            Param("decay_lr_rate", "float", 0.0, "after the cycle: lr = cycle_min_lr / (1 + rate * steps / decay_step_size)", NON_NEGATIVE),
            Param("cycle_first_step_size", "int", 2000, "steps of the rising half", POSITIVE, torch_checks=True),
            Param("cycle_second_step_size", "int", None, "steps of the falling half (default: cycle_first_step_size)", NON_NEGATIVE, optional=True, torch_checks=True),
            Param("cycle_first_stair_count", "int", 0, "stairs of the rising half (0: smooth)", NON_NEGATIVE),
            Param("cycle_second_stair_count", "int", None, "stairs of the falling half (default: cycle_first_stair_count)", NON_NEGATIVE, optional=True),
            Param("decay_step_size", "int", 0, "steps per unit of decay after the cycle (0: no decay)", NON_NEGATIVE),
            Param("cycle_momentum", "bool", True, "cycle beta1 between cycle_max_mom and cycle_min_mom (needs an optimizer with betas)"),
            Param("cycle_min_mom", "per_group", 0.8, "lower beta1 (where it starts)"),
            Param("cycle_max_mom", "per_group", 0.9, "upper beta1"),
            Param("decay_mom_rate", "float", 0.0, "after the cycle: beta1 = cycle_max_mom * (1 + rate * steps / decay_step_size)", NON_NEGATIVE),
        ),
        {"cycle_min_lr": 0.01, "cycle_max_lr": 0.1, "cycle_first_step_size": 30, "decay_step_size": 10, "decay_lr_rate": 0.5},
        cycles_momentum=True,
    ),
    _info(
        "LRRangeTest",
        "an lr that grows from lr_range_test_min_lr by step_rate every step_size steps (continuously, or in stairs)",
        (
            Param("lr_range_test_min_lr", "per_group", 1e-3, "the lr it starts from", NON_NEGATIVE),
            Param("lr_range_test_step_size", "int", 2000, "steps per unit of increase", POSITIVE, torch_checks=True),
            Param("lr_range_test_step_rate", "float", 1.0, "increase per step_size: lr = min_lr * (1 + rate * steps / step_size)", NON_NEGATIVE),
            Param("lr_range_test_staircase", "bool", False, "increase in stairs of step_size steps"),
        ),
        {"lr_range_test_min_lr": 0.001, "lr_range_test_step_size": 10, "lr_range_test_step_rate": 2.0},
    ),
)
BY_NAME: dict[str, SchedulerInfo] = {s.name: s for s in SCHEDULERS}


def resolve(info: SchedulerInfo, params: dict[str, Any], ctx: ResolveContext) -> None:
    """Lengths from the run; the engine's stepping; skipped steps inside the run."""
    if ctx.run.step != "iteration":
        raise ConfigError(
            "run.step", "DeepSpeed's engine steps its lr scheduler after every optimizer step (engine.step()); use step: iteration"
        )
    if params.get("total_num_steps") is FROM_RUN:
        params["total_num_steps"] = ctx.length
    skipped = params["skipped_steps"]
    if skipped is not None:
        if any(k >= ctx.run.total_steps for k in skipped):
            raise ConfigError(f"{ctx.path}.skipped_steps", f"names a step past the run's last ({ctx.run.total_steps - 1})")
        if len(set(skipped)) != len(skipped):
            raise ConfigError(f"{ctx.path}.skipped_steps", "names a step twice")
        params["skipped_steps"] = tuple(sorted(skipped))
    if info.library_name == "OneCycle" and params["cycle_second_step_size"] is not None and params["cycle_first_step_size"] + params["cycle_second_step_size"] <= 0:
        raise TorchWouldRaise(f"{ctx.path}.cycle_second_step_size", "DeepSpeed divides by the cycle's length (ZeroDivisionError)")


FAMILY = Family(
    "deepspeed",
    "DeepSpeed 0.19.8 lr_schedules: the engine steps the scheduler after every optimizer step it applies",
    SCHEDULERS,
    resolve,
    "lrplot.frameworks.deepspeed",
    default_step=lambda data, info: "iteration",
    section="deepspeed",
    file_suffixes=(".json",),
    logs_module="logs",
    lr_keys=frozenset({"warmup_min_lr", "warmup_max_lr", "cycle_min_lr", "cycle_max_lr", "lr_range_test_min_lr", "lr"}),  # the keywords that are lrs (lrplot.explore)
)
