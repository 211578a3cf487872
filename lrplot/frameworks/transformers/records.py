"""transformers 5.23's schedules, as records: every name ``get_scheduler`` accepts, with its keywords.

``type: transformers.<name>`` takes exactly the keywords of the function ``get_scheduler`` calls
(``num_warmup_steps``, ``num_training_steps`` and the ``scheduler_specific_kwargs`` it forwards), and
the function's own name is an alias (``transformers.get_cosine_schedule_with_warmup``). Where
transformers raises while building a schedule, ``resolve`` refuses the config with its message;
checks that need the optimizer's lr (polynomial's ``lr_end``, ``min_lr``) happen when the engine
builds the schedule. The ``transformers:`` section (TrainingArguments) is translated by ``trainer``.
"""

from __future__ import annotations

from typing import Any

from ...errors import TorchWouldRaise
from ..base import FROM_RUN, NON_NEGATIVE, POSITIVE, REQUIRED, Family, Param, ResolveContext, SchedulerInfo
from ..torch.records import BY_NAME as TORCH

PREFIX = "transformers."


def _warmup(doc: str = "steps of linear warmup from 0 to the lr; 0 for none") -> Param:
    return Param("num_warmup_steps", "int", REQUIRED, doc, NON_NEGATIVE)


_TRAINING = Param("num_training_steps", "int", FROM_RUN, "steps until the decay ends (default: the run's length)", NON_NEGATIVE)
_MIN_LR = (
    Param("min_lr", "float", None, "lr at the end of the cosine (or min_lr_rate)", NON_NEGATIVE, optional=True),
    Param("min_lr_rate", "float", None, "min_lr as a fraction of the lr (or min_lr)", NON_NEGATIVE, optional=True),
)
_WSD_SHAPES = ("linear", "cosine", "1-sqrt")


def _info(name: str, function: str, description: str, params: tuple[Param, ...], example: dict[str, Any], **kw: Any) -> SchedulerInfo:
    return SchedulerInfo(
        PREFIX + name,
        (PREFIX + function,),
        description,
        params,
        example=example,
        default_step="iteration",  # the Trainer steps the scheduler after every optimizer step
        family="transformers",
        library_name=name,
        **kw,
    )


SCHEDULERS: tuple[SchedulerInfo, ...] = (
    _info(
        "linear",
        "get_linear_schedule_with_warmup",
        "linear warmup from 0, then a linear decay to 0 at num_training_steps",
        (_warmup(), _TRAINING),
        {"num_warmup_steps": 10},
    ),
    _info(
        "cosine",
        "get_cosine_schedule_with_warmup",
        "linear warmup from 0, then a cosine decay to 0 at num_training_steps (half a cosine wave)",
        (_warmup(), _TRAINING, Param("num_cycles", "float", 0.5, "cosine waves over the decay (0.5: down to 0 once)", NON_NEGATIVE)),
        {"num_warmup_steps": 10},
    ),
    _info(
        "cosine_with_restarts",
        "get_cosine_with_hard_restarts_schedule_with_warmup",
        "linear warmup from 0, then num_cycles cosine decays to 0, each restarting at the lr (hard restarts)",
        (_warmup(), _TRAINING, Param("num_cycles", "float", 1, "hard restarts: cosine decays in the run", NON_NEGATIVE)),
        {"num_warmup_steps": 10, "num_cycles": 3},
    ),
    _info(
        "polynomial",
        "get_polynomial_decay_schedule_with_warmup",
        "linear warmup from 0, then (1 - progress) ** power from the lr down to lr_end",
        (
            _warmup(),
            _TRAINING,
            Param("lr_end", "float", 1e-7, "lr at num_training_steps and after (must be below the lr)", NON_NEGATIVE),
            Param("power", "float", 1.0, "power of the decay (1: linear)", NON_NEGATIVE),
        ),
        {"num_warmup_steps": 10, "lr_end": 1e-4, "power": 2.0},
    ),
    _info("constant", "get_constant_schedule", "the lr, constant (get_scheduler ignores warmup for it)", (), {}),
    _info(
        "constant_with_warmup",
        "get_constant_schedule_with_warmup",
        "linear warmup from 0, then the lr, constant",
        (_warmup(),),
        {"num_warmup_steps": 10},
    ),
    _info(
        "inverse_sqrt",
        "get_inverse_sqrt_schedule",
        "linear warmup from 0, then lr / sqrt((step + timescale - num_warmup_steps) / timescale)",
        (
            _warmup(),
            Param("timescale", "int", None, "steps of the decay's time scale (default: num_warmup_steps, or 10000 without warmup)", optional=True),
        ),
        {"num_warmup_steps": 10},
    ),
    _info(
        "reduce_lr_on_plateau",
        "get_reduce_on_plateau_schedule",
        "torch's ReduceLROnPlateau, stepped on the evaluation metric (get_scheduler ignores warmup for it)",
        TORCH["ReduceLROnPlateau"].params,
        {"patience": 5, "factor": 0.5},
        steps_on_metric=True,
    ),
    _info(
        "cosine_with_min_lr",
        "get_cosine_with_min_lr_schedule_with_warmup",
        "linear warmup from 0, then a cosine decay to min_lr (or min_lr_rate x the lr) at num_training_steps",
        (_warmup(), _TRAINING, Param("num_cycles", "float", 0.5, "cosine waves over the decay (0.5: down once)", NON_NEGATIVE), *_MIN_LR),
        {"num_warmup_steps": 10, "min_lr_rate": 0.1},
    ),
    _info(
        "cosine_warmup_with_min_lr",
        "get_cosine_with_min_lr_schedule_with_warmup_lr_rate",
        "warmup from 1/num_warmup_steps (or warmup_lr_rate), then a cosine that trains at min_lr on the last step",
        (
            _warmup("steps of linear warmup, starting at 1/num_warmup_steps of the lr (or warmup_lr_rate)"),
            _TRAINING,
            Param("num_cycles", "float", 0.5, "cosine waves over the decay (0.5: down once)", NON_NEGATIVE),
            *_MIN_LR,
            Param("warmup_lr_rate", "float", None, "fraction of the lr the warmup starts at", NON_NEGATIVE, optional=True),
        ),
        {"num_warmup_steps": 10, "min_lr_rate": 0.1},
    ),
    _info(
        "warmup_stable_decay",
        "get_wsd_schedule",
        "warmup, a stable phase at the lr, then a decay over num_decay_steps down to min_lr_ratio (WSD)",
        (
            _warmup("steps of warmup from min_lr_ratio to the lr"),
            Param("num_decay_steps", "int", REQUIRED, "steps of the final decay", NON_NEGATIVE),
            Param("num_training_steps", "int", FROM_RUN, "run length that sizes the stable phase (default: the run's length)", NON_NEGATIVE, optional=True),
            Param("num_stable_steps", "int", None, "steps at the lr (default: num_training_steps - warmup - decay)", optional=True),
            Param("warmup_type", "choice", "linear", "shape of the warmup", choices=_WSD_SHAPES, torch_checks=True),
            Param("decay_type", "choice", "cosine", "shape of the decay", choices=_WSD_SHAPES, torch_checks=True),
            Param("min_lr_ratio", "float", 0, "fraction of the lr at the start of the warmup and the end of the decay", NON_NEGATIVE),
            Param("num_cycles", "float", 0.5, "cosine decay: waves over the decay (0.5: down once)", NON_NEGATIVE),
        ),
        {"num_warmup_steps": 10, "num_decay_steps": 30},
    ),
    _info(
        "greedy",
        "get_greedy_schedule",
        "GreedyLR: divides the lr by factor while the metric improves, multiplies by it when the metric stalls",
        (
            Param("mode", "choice", "min", "whether lower or higher metric is better", choices=("min", "max"), torch_checks=True),
            Param("factor", "float", 0.95, "lr x factor on a plateau, lr / factor on improvement (must be < 1)", POSITIVE),
            Param("patience", "int", 10, "good or bad steps tolerated before a change", NON_NEGATIVE),
            Param("threshold", "float", 1e-6, "minimum change that counts as an improvement", NON_NEGATIVE),
            Param("threshold_mode", "choice", "abs", "threshold relative to best, or absolute", choices=("rel", "abs"), torch_checks=True),
            Param("cooldown", "int", 0, "steps to wait after a decrease", NON_NEGATIVE),
            Param("warmup", "int", 0, "steps to wait after an increase", NON_NEGATIVE),
            Param("min_lr", "per_group", 1e-3, "lower bound on the lr (or one per group)", NON_NEGATIVE),
            Param("max_lr", "per_group", 1.0, "upper bound on the lr (or one per group)", NON_NEGATIVE),
            Param("eps", "float", 1e-8, "changes smaller than this are skipped", NON_NEGATIVE),
            Param("smooth", "bool", False, "average the metric over a sliding window first"),
            Param("window_size", "int", 50, "smooth: the window, in steps", POSITIVE),
            Param("reset_start", "int", 500, "steps at min_lr before the lr resets to its initial value"),
        ),
        {"patience": 2, "min_lr": 1e-4},
        steps_on_metric=True,
    ),
)

BY_NAME: dict[str, SchedulerInfo] = {s.name: s for s in SCHEDULERS}


def resolve(info: SchedulerInfo, params: dict[str, Any], ctx: ResolveContext) -> None:
    """Fill num_training_steps from the run; refuse what transformers refuses while building the schedule."""
    path = ctx.path
    name = info.library_name
    if name == "warmup_stable_decay" and params["num_training_steps"] is FROM_RUN and params["num_stable_steps"] is not None:
        # get_wsd_schedule uses num_stable_steps when given (and warns when both are); leave the length out.
        params["num_training_steps"] = None
    if params.get("num_training_steps") is FROM_RUN:
        params["num_training_steps"] = ctx.length
    if name in ("cosine_with_min_lr", "cosine_warmup_with_min_lr"):
        given = [k for k in ("min_lr", "min_lr_rate") if params[k] is not None]
        if len(given) == 2:
            raise TorchWouldRaise(path, "transformers raises ValueError (Only one of min_lr or min_lr_rate should be set); keep one")
        if not given:
            raise TorchWouldRaise(
                path,
                "transformers raises ValueError (One of min_lr or min_lr_rate should be set through the `lr_scheduler_kwargs`); "
                "give min_lr (an lr) or min_lr_rate (a fraction of the lr)",
            )
    elif name == "warmup_stable_decay":
        if params["num_training_steps"] is None and params["num_stable_steps"] is None:
            raise TorchWouldRaise(
                path, "transformers raises ValueError (Either num_training_steps or num_stable_steps must be specified.); give one"
            )
    elif name == "greedy" and params["factor"] >= 1.0:
        raise TorchWouldRaise(f"{path}.factor", f"must be < 1, got {params['factor']} (transformers' GreedyLR raises ValueError: Factor should be < 1.0.)")


FAMILY = Family(
    "transformers",
    "transformers 5.23 get_scheduler and Trainer: scheduler.step() after every optimizer step",
    SCHEDULERS,
    resolve,
    "lrplot.frameworks.transformers",
    section="transformers",
    section_module="trainer",  # the Trainer's arithmetic loads only for a `transformers:` section
    logs_module="logs",  # trainer_state.json
    stepped_by_script=True,
    lr_keys=frozenset({"lr_end", "min_lr", "max_lr", "learning_rate"}),  # the keywords that are lrs (lrplot.explore)
    file_suffixes=(".yaml", ".yml"),  # a LLaMA-Factory training YAML (files.py)
)
