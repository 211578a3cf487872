"""YOLO's two schedules as records: ultralytics 8.4.x's training loop and YOLOv5's.

Neither is a scheduler class: each is a per-epoch ``LambdaLR`` under a per-batch warmup written in
the training loop (:mod:`.loop`). So the records take the hyperparameters that loop reads, under
their own names (``lrf``, ``cos_lr``, ``warmup_epochs``, ``warmup_momentum``, ``warmup_bias_lr``,
``momentum`` - the warmup's target, which ``optimizer: auto`` leaves at the user's value while it
builds the optimizer with 0.9), plus, for ultralytics, which of its warmup rules and bias-group
rules the version has. The run's epochs are ``epochs`` and its steps per epoch are the batches per
epoch (``nb``); the param groups are the optimizer's (a group named ``bias``, or ``bias.*``, warms
from ``warmup_bias_lr``; ultralytics 8.4.0-8.4.2 and YOLOv5 warm the *first* group from it instead).

The ``yolo:`` section (the hyperparameters, dataset size, devices, code and version) is translated
by :mod:`.section`, loaded only when a config has one.
"""

from __future__ import annotations

from typing import Any

from ...errors import ConfigError
from ..base import NON_NEGATIVE, Bound, Family, Param, ResolveContext, SchedulerInfo

# ultralytics' three warmup rules (lrplot.frameworks.yolo.loop), by the versions that have them
RULES = ("min100", "strict", "inclusive")
RULE_VERSIONS = {"min100": "8.3.x and 8.4.0-8.4.102", "strict": "8.4.103-8.4.182", "inclusive": "8.4.183 and later"}
CODES = ("ultralytics", "yolov5")
# far beyond any run: a bound before round(warmup_epochs * nb) is computed
_WARMUP = Bound(low=0, high=1e9)


def _common(lrf_doc: str) -> tuple[Param, ...]:
    return (
        Param("lrf", "float", 0.01, lrf_doc, NON_NEGATIVE),
        Param("cos_lr", "bool", False, "cosine (one_cycle) from 1 to lrf over the epochs, instead of linear"),
        Param("warmup_epochs", "float", 3.0, "warmup length in epochs (fractions too), counted in batches", _WARMUP),
        Param("warmup_momentum", "float", 0.8, "momentum the warmup starts from", NON_NEGATIVE),
        Param("warmup_bias_lr", "float", 0.1, "lr the bias group's warmup falls from (the others rise from 0)", NON_NEGATIVE),
        Param("momentum", "float", 0.937, "momentum the warmup ends at (the `momentum` hyperparameter)", NON_NEGATIVE),
    )


SCHEDULERS: tuple[SchedulerInfo, ...] = (
    SchedulerInfo(
        "yolo.ultralytics",
        ("yolo.ultralytics8",),
        "ultralytics 8.3.x and 8.4.x: LambdaLR (linear or cosine to lrf) stepped before each epoch, under a per-batch warmup of lr and momentum",
        (
            *_common("final lr fraction: the last epoch trains at lr0 * lrf"),
            Param("warmup_rule", "choice", "inclusive",
                  "min100 (" + RULE_VERSIONS["min100"] + "), strict (" + RULE_VERSIONS["strict"] + ") or inclusive ("
                  + RULE_VERSIONS["inclusive"] + ")", choices=RULES),
            Param("bias_group", "choice", "named", "which group falls from warmup_bias_lr: the one named bias (8.4.3 on) "
                  "or the first (8.3.x, whose first group is the biases, and 8.4.0-8.4.2)", choices=("named", "first")),
        ),
        example={"warmup_epochs": 2.5, "cos_lr": True},
        family="yolo",
        library_name="ultralytics",
    ),
    SchedulerInfo(
        "yolo.yolov5",
        ("yolo.v5",),
        "YOLOv5 train.py: LambdaLR stepped after each epoch (epoch e trains at lf(e - 1)), under a warmup of at least 100 batches",
        _common("final lr fraction (lr0 * lrf would be the epoch after the last)"),
        example={"warmup_epochs": 2.0},
        family="yolo",
        library_name="yolov5",
    ),
)

BY_NAME: dict[str, SchedulerInfo] = {s.name: s for s in SCHEDULERS}


def resolve(info: SchedulerInfo, params: dict[str, Any], ctx: ResolveContext) -> None:
    """YOLO's loops step the LambdaLR once per epoch and count the warmup in batches of an epoch."""
    run = ctx.run
    if run.step != "epoch":
        raise ConfigError(
            "run.step",
            f"{info.name} steps its LambdaLR once per epoch and sets the warmup's lr per batch itself; leave run.step out (epoch)",
        )
    if run.unit != "epoch":
        raise ConfigError(
            "run.iterations",
            f"{info.name} trains whole epochs (its lambda is in epochs); give run.epochs and run.steps_per_epoch (batches per epoch)",
        )


FAMILY = Family(
    "yolo",
    "YOLO: ultralytics 8.3.x and 8.4.x (each warmup rule) and YOLOv5, transcribed from their training loops; `yolo:` takes their hyperparameters",
    SCHEDULERS,
    resolve,
    "lrplot.frameworks.yolo",
    section="yolo",  # the hyperparameters: .section, loaded only for a `yolo:` section
    file_suffixes=(".yaml", ".yml"),  # args.yaml, opt.yaml, hyp.*.yaml (.files)
    logs_module="logs",  # results.csv
    lr_keys=frozenset({"warmup_bias_lr", "lr0"}),  # the keywords that are lrs (lrplot.explore)
)
