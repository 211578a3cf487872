"""torchtitan's lr schedule (0.3.0, torchtitan/components/optimizer/lr_scheduler.py), as a record.

``LRSchedulersContainer.Config.build`` turns the ``[lr_scheduler]`` keys into one
``linear_warmup_stable_decay`` lambda that a ``LambdaLR`` per optimizer applies; ``type:
torchtitan.linear_warmup_stable_decay`` takes those keys with their defaults, ``total_steps`` filled
from the run (torchtitan's ``training.steps``) where it is left out. The definition is the one
torchtitan adopted in June 2025 (pytorch/torchtitan#1284, ``min_lr_factor`` named so since #1471,
``total_steps`` since #2340); every release from 0.1.0 on computes it.
"""

from __future__ import annotations

from typing import Any

from ...errors import ConfigError
from ..base import FROM_RUN, NON_NEGATIVE, POSITIVE, Bound, Family, Param, ResolveContext, SchedulerInfo

DECAY_TYPES = ("linear", "sqrt", "cosine")

SCHEDULER = SchedulerInfo(
    "torchtitan.linear_warmup_stable_decay",
    ("torchtitan.wsd", "torchtitan.LRSchedulersContainer"),
    "linear warmup from 1/warmup_steps of the lr, stable, then linear, sqrt or cosine decay over the last decay_ratio of the steps",
    (
        Param("warmup_steps", "int", 200, "steps of linear warmup (the first trains at 1/warmup_steps of the lr)", NON_NEGATIVE),
        Param("decay_ratio", "float", None, "the last fraction of the steps that decays (None: all after the warmup)", Bound(0, True, 1, True), optional=True),
        Param("decay_type", "choice", "linear", "shape of the decay", choices=DECAY_TYPES, torch_checks=True),
        Param("min_lr_factor", "float", 0.0, "the decay ends at this fraction of the lr", NON_NEGATIVE),
        Param("total_steps", "int", FROM_RUN, "steps the schedule is laid over (default: training.steps, the run)", POSITIVE),
    ),
    example={"warmup_steps": 10, "decay_ratio": 0.5, "decay_type": "cosine", "min_lr_factor": 0.1},
    default_step="iteration",
    family="torchtitan",
    library_name="linear_warmup_stable_decay",
)
SCHEDULERS = (SCHEDULER,)


def resolve(info: SchedulerInfo, params: dict[str, Any], ctx: ResolveContext) -> None:
    if ctx.run.step != "iteration":
        raise ConfigError("run.step", "torchtitan's trainer calls lr_schedulers.step() after every optimizer step; use step: iteration")
    if params["total_steps"] is FROM_RUN:
        params["total_steps"] = ctx.length


FAMILY = Family(
    "torchtitan",
    "torchtitan 0.3.0 linear_warmup_stable_decay (LambdaLR): lr_schedulers.step() after every optimizer step",
    SCHEDULERS,
    resolve,
    "lrplot.frameworks.torchtitan",
    default_step=lambda data, info: "iteration",
    section="torchtitan",
    file_suffixes=(".toml",),
    logs_module="logs",
    lr_keys=frozenset({"lr"}),  # the keywords that are lrs (lrplot.explore)
)
