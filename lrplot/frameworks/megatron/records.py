"""Megatron-LM's ``OptimizerParamScheduler`` (megatron-core 0.16.1), as a record.

``type: megatron.OptimizerParamScheduler`` takes the constructor's lr keywords, counted in samples
as Megatron counts them (``lr_warmup_steps``, ``lr_decay_steps`` and ``wsd_decay_steps`` are
samples: training.py multiplies its ``--lr-*-iters`` by the global batch size), and the training
loop's: ``increment``, what ``step(increment=...)`` adds after every iteration (the global batch
size), and ``rampup_batch_size`` (``--rampup-batch-size start increment samples``), which makes the
increment grow. Each param group's lr is its ``max_lr`` (Megatron's ``--lr``; ``--decoupled-lr`` for
the embedding and output layer's group). The weight-decay half of the class does not move the lr
and is not modelled. The ``megatron:`` section (the launch arguments) is translated by ``section``.
"""

from __future__ import annotations

from typing import Any

from ...errors import ConfigError, TorchWouldRaise
from ..base import FROM_RUN, NON_NEGATIVE, POSITIVE, Family, Param, ResolveContext, SchedulerInfo

DECAY_STYLES = ("constant", "linear", "cosine", "inverse-square-root", "WSD")
WSD_STYLES = ("exponential", "linear", "cosine", "minus_sqrt")

SCHEDULER = SchedulerInfo(
    "megatron.OptimizerParamScheduler",
    ("megatron.optimizer_param_scheduler",),
    "linear warmup from init_lr, then constant, linear, cosine, inverse-square-root or WSD decay to min_lr, counted in samples",
    (
        Param("lr_decay_style", "choice", "linear", "decay after the warmup (--lr-decay-style)", choices=DECAY_STYLES, torch_checks=True),
        Param("lr_warmup_steps", "float", 0, "samples of linear warmup (--lr-warmup-iters x global batch, or a fraction of lr_decay_steps)", NON_NEGATIVE),
        Param("lr_decay_steps", "int", FROM_RUN, "samples until min_lr, the warmup included (default: the run's samples)", POSITIVE),
        Param("init_lr", "float", 0.0, "lr the warmup starts from (--lr-warmup-init)", NON_NEGATIVE),
        Param("min_lr", "per_group", 0.0, "lr after lr_decay_steps (--min-lr), or one per param group", NON_NEGATIVE),
        Param("wsd_decay_steps", "int", None, "WSD: samples of the final anneal (--lr-wsd-decay-iters x global batch)", NON_NEGATIVE, optional=True),
        Param("lr_wsd_decay_style", "choice", "exponential", "WSD: shape of the anneal (--lr-wsd-decay-style)", choices=WSD_STYLES, torch_checks=True),
        Param("increment", "int", 1, "samples step(increment=...) adds per iteration: the global batch size (1: count iterations)", POSITIVE),
        Param("rampup_batch_size", "int_list", None, "[start, increment, samples] of a batch-size ramp-up to the global batch (increment)", optional=True),
    ),
    example={"lr_warmup_steps": 10, "lr_decay_style": "cosine", "min_lr": 0.01},
    default_step="iteration",
    family="megatron",
    library_name="OptimizerParamScheduler",
)
SCHEDULERS = (SCHEDULER,)


def resolve(info: SchedulerInfo, params: dict[str, Any], ctx: ResolveContext) -> None:
    """Lengths from the run (in samples), and what the class and its batch-size calculator assert."""
    from .schedule import ramp_increments, total_samples

    path, run = ctx.path, ctx.run
    if run.step != "iteration":
        raise ConfigError(
            "run.step",
            "Megatron's training loop calls opt_param_scheduler.step(increment=global batch) after every iteration; use step: iteration",
        )
    ramp = params["rampup_batch_size"]
    if ramp is not None:
        ramp_increments(params["increment"], ramp, f"{path}.rampup_batch_size")
    if params["lr_decay_steps"] is FROM_RUN:
        params["lr_decay_steps"] = total_samples(run.total_steps, params["increment"], ramp)
    decay, warmup = params["lr_decay_steps"], params["lr_warmup_steps"]
    if not warmup < decay:
        raise TorchWouldRaise(
            f"{path}.lr_warmup_steps",
            f"Megatron raises AssertionError (assert self.lr_warmup_steps < self.lr_decay_steps): {_n(warmup)} warmup samples "
            f"are not fewer than the {decay:,} decay samples; the decay span includes the warmup",
        )
    if params["lr_decay_style"] == "WSD" and params["wsd_decay_steps"] is None:
        raise TorchWouldRaise(
            f"{path}.wsd_decay_steps",
            "Megatron raises AssertionError (assert self.wsd_decay_steps is not None) for lr_decay_style WSD; give the anneal's samples",
        )


def _n(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() else repr(x)


FAMILY = Family(
    "megatron",
    "Megatron-LM core 0.16.1 OptimizerParamScheduler: step(increment=global batch) after every iteration, in samples",
    SCHEDULERS,
    resolve,
    "lrplot.frameworks.megatron",
    default_step=lambda data, info: "iteration",
    section="megatron",  # the launch arguments: .section
    file_suffixes=(".sh",),  # a launch script's argument list: .files
    logs_module="logs",
    lr_keys=frozenset({"init_lr", "min_lr", "max_lr", "lr", "lr_warmup_init"}),  # the keywords that are lrs (lrplot.explore)
)
