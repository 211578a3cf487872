"""detectron2's schedules, as records: fvcore's ParamSchedulers, detectron2's WarmupParamScheduler,
and the two legacy LRSchedulers of ``detectron2/solver/lr_scheduler.py``.

A ParamScheduler is a function of ``where``, the fraction of training done (fvcore 0.1.5.post20221221,
``fvcore/common/param_scheduler.py``). detectron2 trains with it through ``LRMultiplier``: the lr of
iteration k is ``base_lr * multiplier(k / max_iter)``, stepped by the LRScheduler hook after every
iteration (``engine/hooks.py``), with ``max_iter`` the run's length. So a ``detectron2.*``
ParamScheduler at the top of a config is wrapped in LRMultiplier over the run's iterations, and one
nested in ``detectron2.CompositeParamScheduler`` or ``detectron2.WarmupParamScheduler`` is evaluated
on the fraction its parent hands it. Keywords are the constructors', with their defaults.

``detectron2.WarmupMultiStepLR`` and ``detectron2.WarmupCosineLR`` are the deprecated LRScheduler
classes, not what ``SOLVER.LR_SCHEDULER_NAME`` builds today (``build_lr_scheduler`` builds a
WarmupParamScheduler over an fvcore scheduler: the ``detectron2:`` section, :mod:`.section`).
"""

from __future__ import annotations

from typing import Any

from ...errors import ConfigError, TorchWouldRaise
from ..base import FROM_RUN, POSITIVE, REQUIRED, Family, Param, ResolveContext, SchedulerInfo

PREFIX = "detectron2."
# detectron2 at the commit its solver is transcribed from (facebookresearch/detectron2).
COMMIT = "02b5c4e295e990042a714712c21dc79b731e8833"
FVCORE_VERSION = "0.1.5.post20221221"

_METHOD = Param("warmup_method", "choice", "linear", "linear: from warmup_factor up; constant: warmup_factor throughout",
                choices=("linear", "constant"), torch_checks=True)


def _info(name: str, alias: str, description: str, params: tuple[Param, ...], example: dict[str, Any], **kw: Any) -> SchedulerInfo:
    return SchedulerInfo(
        PREFIX + name, (PREFIX + alias,), description, params, example=example,
        default_step="iteration",  # the LRScheduler hook steps after every iteration
        family="detectron2", library_name=name, **kw,
    )


def _value(name: str, doc: str) -> Param:
    return Param(name, "float", REQUIRED, doc)


SCHEDULERS: tuple[SchedulerInfo, ...] = (
    _info(
        "WarmupParamScheduler", "warmup",
        "detectron2's warmup in front of another ParamScheduler: it aims at that scheduler's value at warmup_length",
        (
            Param("scheduler", "scheduler", REQUIRED, "the ParamScheduler after (and, without rescale_interval, under) the warmup"),
            Param("warmup_factor", "float", REQUIRED, "the warmup starts at warmup_factor * scheduler(0)"),
            Param("warmup_length", "float", REQUIRED, "the warmup's fraction of training (WARMUP_ITERS / MAX_ITER)"),
            _METHOD,
            Param("rescale_interval", "bool", False, "the scheduler starts after the warmup (its time rescaled) instead of under it"),
        ),
        {"scheduler": {"type": "detectron2.MultiStepParamScheduler", "values": [1.0, 0.1, 0.01], "milestones": [60, 80], "num_updates": 100},
         "warmup_factor": 0.001, "warmup_length": 0.1},
    ),
    _info("ConstantParamScheduler", "constant", "one value throughout (fvcore raises RuntimeError at where >= 1)",
          (_value("value", "the multiplier"),), {"value": 0.5}),
    _info("LinearParamScheduler", "linear", "a straight line from start_value to end_value over training",
          (_value("start_value", "multiplier at where 0"), _value("end_value", "multiplier at where 1")),
          {"start_value": 1.0, "end_value": 0.1}),
    _info("CosineParamScheduler", "cosine", "half a cosine from start_value to end_value over training",
          (_value("start_value", "multiplier at where 0"), _value("end_value", "multiplier at where 1")),
          {"start_value": 1.0, "end_value": 0.01}),
    _info("ExponentialParamScheduler", "exponential", "start_value * decay ** where",
          (_value("start_value", "multiplier at where 0"), _value("decay", "multiplier at where 1, over start_value")),
          {"start_value": 1.0, "decay": 0.02}),
    _info(
        "MultiStepParamScheduler", "multistep",
        "values[i] from milestone i on; milestones count updates of num_updates (scale-invariant: only their fractions matter)",
        (
            Param("values", "numbers", REQUIRED, "the multiplier in each range (one more than milestones)"),
            Param("num_updates", "int", None, "the end of the last range (default: milestones[-1])", optional=True),
            Param("milestones", "int_list", None, "the range boundaries, increasing (default: num_updates split evenly)", optional=True),
        ),
        {"values": [1.0, 0.1, 0.01], "milestones": [60, 80], "num_updates": 100},
    ),
    _info(
        "StepParamScheduler", "step", "values split evenly over training (fvcore raises IndexError at where 1)",
        (Param("num_updates", "float", REQUIRED, "must be > 0; the values are split evenly whatever it is", POSITIVE, torch_checks=True),
         Param("values", "numbers", REQUIRED, "the multiplier in each equal part")),
        {"num_updates": 100, "values": [1.0, 0.3, 0.1]},
    ),
    _info(
        "StepWithFixedGammaParamScheduler", "step_with_fixed_gamma",
        "base_value * gamma ** i in num_decays + 1 equal parts (fvcore raises IndexError at where 1)",
        (
            Param("base_value", "float", REQUIRED, "the first multiplier", POSITIVE, torch_checks=True),
            Param("num_decays", "int", REQUIRED, "decays over training", POSITIVE, torch_checks=True),
            Param("gamma", "float", REQUIRED, "factor per decay", POSITIVE, torch_checks=True),
            Param("num_updates", "int", REQUIRED, "must be > 0; the parts are equal whatever it is", POSITIVE, torch_checks=True),
        ),
        {"base_value": 1.0, "num_decays": 3, "gamma": 0.1, "num_updates": 100},
    ),
    _info("PolynomialDecayParamScheduler", "poly", "base_value * (1 - where) ** power",
          (_value("base_value", "multiplier at where 0"), _value("power", "power of the polynomial")),
          {"base_value": 1.0, "power": 0.9}),
    _info(
        "CompositeParamScheduler", "composite",
        "ParamSchedulers one after another, each over its length (a fraction); 'rescaled' gives each its own where from 0 to 1",
        (
            Param("schedulers", "schedulers", REQUIRED, "the ParamSchedulers, in order"),
            Param("lengths", "numbers", REQUIRED, "each one's fraction of training; they sum to 1"),
            Param("interval_scaling", "choice_list", REQUIRED, "per scheduler: rescaled (its own where) or fixed (the global where)",
                  choices=("rescaled", "fixed"), torch_checks=True),
        ),
        {"schedulers": [{"type": "detectron2.LinearParamScheduler", "start_value": 0.1, "end_value": 1.0},
                        {"type": "detectron2.CosineParamScheduler", "start_value": 1.0, "end_value": 0.0}],
         "lengths": [0.2, 0.8], "interval_scaling": ["rescaled", "fixed"]},
        composite=True,
    ),
    _info(
        "WarmupMultiStepLR", "legacy_multistep",
        "the deprecated LRScheduler: base_lr * warmup factor * gamma ** (milestones passed), in iterations",
        (
            Param("milestones", "int_list", REQUIRED, "iterations where the lr is multiplied by gamma, increasing"),
            Param("gamma", "float", 0.1, "factor per milestone"),
            Param("warmup_factor", "float", 0.001, "the warmup's starting factor"),
            Param("warmup_iters", "int", 1000, "iterations of warmup"),
            _METHOD,
        ),
        {"milestones": [60, 90], "warmup_iters": 10},
    ),
    _info(
        "WarmupCosineLR", "legacy_cosine",
        "the deprecated LRScheduler: a cosine over max_iters multiplied by the warmup factor (not SOLVER's WarmupCosineLR)",
        (
            Param("max_iters", "int", FROM_RUN, "the cosine's length in iterations (default: the run's)", POSITIVE),
            Param("warmup_factor", "float", 0.001, "the warmup's starting factor"),
            Param("warmup_iters", "int", 1000, "iterations of warmup"),
            _METHOD,
        ),
        {"warmup_iters": 10},
    ),
)

BY_NAME: dict[str, SchedulerInfo] = {s.name: s for s in SCHEDULERS}
MAX_DECAYS = 100_000
LEGACY = (PREFIX + "WarmupMultiStepLR", PREFIX + "WarmupCosineLR")


def resolve(info: SchedulerInfo, params: dict[str, Any], ctx: ResolveContext) -> None:
    """The hook's stepping, nested ParamSchedulers, and what fvcore and detectron2 raise while building."""
    path = ctx.path
    if ctx.depth == 0 and ctx.run.step != "iteration":
        raise ConfigError(
            "run.step",
            f"detectron2's LRScheduler hook steps {info.library_name} after every iteration (hooks.LRScheduler.after_step), "
            "never per epoch; use step: iteration (the default)",
        )
    if info.name in LEGACY:
        if ctx.depth > 0:
            raise ConfigError(path + ".type", f"{info.name} is a torch LRScheduler, not an fvcore ParamScheduler; nest ParamSchedulers only")
        if info.name == PREFIX + "WarmupMultiStepLR" and list(params["milestones"]) != sorted(params["milestones"]):
            raise TorchWouldRaise(f"{path}.milestones", f"detectron2 raises ValueError: Milestones should be a list of increasing integers. Got {list(params['milestones'])}")
        if params.get("max_iters") is FROM_RUN:
            params["max_iters"] = ctx.run.total_steps
        return
    if info.name == PREFIX + "WarmupParamScheduler":
        params["scheduler"] = _child(ctx, params["scheduler"], f"{path}.scheduler")
    elif info.name == PREFIX + "CompositeParamScheduler":
        children = params["schedulers"]
        params["schedulers"] = tuple(_child(ctx, c, f"{path}.schedulers[{i}]") for i, c in enumerate(children))
        lengths = params["lengths"] if isinstance(params["lengths"], tuple) else (params["lengths"],)
        scaling = params["interval_scaling"]
        if len(lengths) != len(children):
            raise TorchWouldRaise(f"{path}.lengths", f"fvcore raises ValueError: Schedulers and lengths must be same length ({len(children)} and {len(lengths)})")
        if abs(sum(lengths) - 1.0) >= 1e-3:
            raise TorchWouldRaise(f"{path}.lengths", f"fvcore raises ValueError: The sum of all values in lengths must be 1 (they sum to {sum(lengths):g})")
        if len(scaling) < len(children):
            # fvcore reads interval_scaling[i] for the scheduler it is on: a short list raises IndexError there
            raise ConfigError(f"{path}.interval_scaling", f"needs one entry per scheduler ({len(children)}), got {len(scaling)}; "
                              "fvcore raises IndexError when training reaches a scheduler without one")
        params["lengths"] = lengths
    elif info.name == PREFIX + "MultiStepParamScheduler":
        _multistep(params, path)
    elif info.name == PREFIX + "StepWithFixedGammaParamScheduler" and params["num_decays"] > MAX_DECAYS:
        raise ConfigError(f"{path}.num_decays", f"{params['num_decays']:,} decays; lrplot draws at most {MAX_DECAYS:,} (fvcore builds a list of them)")
    elif info.name == PREFIX + "StepParamScheduler":
        values = params["values"] if isinstance(params["values"], tuple) else None
        if not values:
            raise TorchWouldRaise(f"{path}.values", "fvcore raises ValueError: Step scheduler requires a list of at least one param value")


def _child(ctx: ResolveContext, data: Any, path: str) -> Any:
    kind = data.get("type") if isinstance(data, dict) else data
    info = ctx.lookup(kind) if isinstance(kind, str) else None
    if info is not None and info.family != "detectron2":
        raise ConfigError(f"{path}.type", f"{info.name} is a {info.family} schedule; detectron2's ParamSchedulers nest fvcore ParamSchedulers only")
    return ctx.child(data, path, ctx.length)


def _multistep(params: dict[str, Any], path: str) -> None:
    """fvcore's MultiStepParamScheduler.__init__: milestones and num_updates filled and checked."""
    values = params["values"]
    if not isinstance(values, tuple):
        raise ConfigError(f"{path}.values", f"must be a list of multipliers like [1.0, 0.1, 0.01], got {values!r}")
    num_updates, milestones = params["num_updates"], params["milestones"]
    if num_updates is None and milestones is None:
        raise TorchWouldRaise(path, "fvcore raises ValueError: num_updates and milestones cannot both be None; give one")
    if milestones is None:
        width = -(-num_updates // len(values))  # math.ceil(num_updates / float(len(values)))
        milestones = tuple(width * (i + 1) for i in range(len(values) - 1))
    elif len(milestones) != len(values) - int(num_updates is not None):
        raise TorchWouldRaise(f"{path}.milestones", f"fvcore raises ValueError: MultiStep scheduler requires a list of "
                              f"{len(values) - int(num_updates is not None)} miletones (values has {len(values)})")
    if num_updates is None:
        num_updates, milestones = milestones[-1], milestones[:-1]
    if num_updates < len(values):
        raise TorchWouldRaise(f"{path}.num_updates", f"fvcore raises ValueError: Total num_updates must be greater than length of param schedule ({num_updates} < {len(values)})")
    start = 0
    for m in milestones:
        if m >= num_updates:
            raise TorchWouldRaise(f"{path}.milestones", f"fvcore raises ValueError: Milestone must be smaller than total number of updates: num_updates={num_updates}, milestone={m}")
        if start >= m:
            raise TorchWouldRaise(f"{path}.milestones", f"fvcore raises ValueError: Milestone must be smaller than start epoch: start_epoch={start}, milestone={m}")
        start = m
    params["num_updates"], params["milestones"] = num_updates, tuple(milestones)


FAMILY = Family(
    "detectron2",
    f"detectron2's solver (transcribed at {COMMIT[:10]}) over fvcore {FVCORE_VERSION} ParamSchedulers: the lr of iteration k is "
    "base_lr * multiplier(k / max_iter); `detectron2:` takes the SOLVER keys",
    SCHEDULERS,
    resolve,
    "lrplot.frameworks.detectron2",
    section="detectron2",  # the SOLVER keys: .section
    file_suffixes=(".yaml", ".yml", ".py"),  # a yacs config with its _BASE_ chain, a LazyConfig (.files)
    logs_module="logs",  # metrics.json
    lr_keys=frozenset({"BASE_LR", "BASE_LR_END"}),  # the keywords that are lrs (lrplot.explore)
)
