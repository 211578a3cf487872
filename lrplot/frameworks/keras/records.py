"""Keras 3.15's learning-rate schedules (``keras.optimizers.schedules``), as records.

``type: keras.<Class>`` takes the constructor's keywords (minus ``name``, which changes no number),
with Keras' defaults. A schedule is the optimizer's ``learning_rate`` itself
(``keras.optimizers.SGD(learning_rate=schedule)``): the optimizer evaluates it at its iteration
count before every update, so the run is stepped per iteration and the optimizer has no lr of its
own. Where Keras raises while building a schedule, ``resolve`` refuses the config with its message.

Keras computes in the dtype of ``initial_learning_rate`` (``keras.config.floatx()``, float32 by
default, for a Python float): ``run.dtype: float32`` reproduces that, float64 is
``keras.config.set_floatx("float64")``. An ``initial_learning_rate`` written as an integer makes Keras
compute in int32 (pi becomes 3, a decay_rate of 0.5 becomes 0), which lrplot refuses.
"""

from __future__ import annotations

from typing import Any

from ...errors import ConfigError, TorchWouldRaise
from ..base import FROM_RUN, NON_NEGATIVE, REQUIRED, Family, Param, ResolveContext, SchedulerInfo

PREFIX = "keras."
VERSION = "3.15"

_INITIAL = Param("initial_learning_rate", "float", REQUIRED, "the lr at step 0 (a float: its dtype is the schedule's)")


def _decay_steps(doc: str, default: Any = REQUIRED) -> Param:
    return Param("decay_steps", "int", default, doc)


def _info(name: str, description: str, params: tuple[Param, ...], example: dict[str, Any]) -> SchedulerInfo:
    return SchedulerInfo(
        PREFIX + name,
        (f"{PREFIX}optimizers.schedules.{name}",),
        description,
        params,
        example=example,
        default_step="iteration",  # the optimizer evaluates the schedule before every update
        family="keras",
        library_name=name,
    )


SCHEDULERS: tuple[SchedulerInfo, ...] = (
    _info(
        "ExponentialDecay",
        "initial_learning_rate * decay_rate ** (step / decay_steps), floored with staircase",
        (
            _INITIAL,
            _decay_steps("steps per factor of decay_rate (a period, not the run's length)"),
            Param("decay_rate", "float", REQUIRED, "factor per decay_steps"),
            Param("staircase", "bool", False, "decay in whole periods (floor(step / decay_steps))"),
        ),
        {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5},
    ),
    _info(
        "PiecewiseConstantDecay",
        "values[0] while step <= boundaries[0], values[i] while step <= boundaries[i], then values[-1]",
        (
            Param("boundaries", "int_list", REQUIRED, "increasing steps; a value holds up to and including its boundary"),
            Param("values", "numbers", REQUIRED, "one lr more than boundaries"),
        ),
        {"boundaries": [30, 60], "values": [0.1, 0.01, 0.001]},
    ),
    _info(
        "PolynomialDecay",
        "(initial_learning_rate - end_learning_rate) * (1 - step / decay_steps) ** power + end_learning_rate",
        (
            _INITIAL,
            _decay_steps("steps of the decay (default: the run's length)", FROM_RUN),
            Param("end_learning_rate", "float", 0.0001, "the lr from decay_steps on"),
            Param("power", "float", 1.0, "power of the polynomial (1: linear)"),
            Param("cycle", "bool", False, "restart past decay_steps, over ceil(step / decay_steps) x decay_steps"),
        ),
        {"initial_learning_rate": 0.1, "power": 2.0},
    ),
    _info(
        "InverseTimeDecay",
        "initial_learning_rate / (1 + decay_rate * step / decay_steps), floored with staircase",
        (
            _INITIAL,
            _decay_steps("steps per decay_rate added to the divisor (a period)"),
            Param("decay_rate", "float", REQUIRED, "growth of the divisor per decay_steps"),
            Param("staircase", "bool", False, "decay in whole periods"),
        ),
        {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5},
    ),
    _info(
        "CosineDecay",
        "optional linear warmup to warmup_target over warmup_steps, then half a cosine over decay_steps (counted after the warmup) down to alpha x",
        (
            _INITIAL,
            _decay_steps("steps of the cosine, after the warmup (default: the rest of the run)", FROM_RUN),
            Param("alpha", "float", 0.0, "the floor, as a fraction of the lr the cosine starts from"),
            Param("warmup_target", "float", None, "the lr the warmup rises to (none: no warmup)", optional=True),
            Param("warmup_steps", "int", 0, "steps of linear warmup from initial_learning_rate", NON_NEGATIVE),
        ),
        {"initial_learning_rate": 0.0, "warmup_target": 0.1, "warmup_steps": 10},
    ),
    _info(
        "CosineDecayRestarts",
        "cosine decays restarted (SGDR): the first over first_decay_steps, each t_mul times longer and m_mul times lower",
        (
            _INITIAL,
            Param("first_decay_steps", "int", REQUIRED, "steps of the first cosine"),
            Param("t_mul", "float", 2.0, "each cosine is t_mul times longer than the one before"),
            Param("m_mul", "float", 1.0, "each cosine starts m_mul times lower than the one before"),
            Param("alpha", "float", 0.0, "the floor, as a fraction of initial_learning_rate"),
        ),
        {"initial_learning_rate": 0.1, "first_decay_steps": 10},
    ),
)

BY_NAME: dict[str, SchedulerInfo] = {s.name: s for s in SCHEDULERS}
# keywords Keras checks with `<= 0: raise ValueError("Argument `<name>` must be > 0. Received: ...")`
_POSITIVE = ("decay_steps", "first_decay_steps")
# keywords whose dtype decides the schedule's (convert_to_tensor of a Python int is int32)
DTYPE_FROM = {"PiecewiseConstantDecay": "values"}


def default_step(data: Any, info: SchedulerInfo) -> str:
    """Every update evaluates the schedule; and a schedule whose dtype would be int32 is refused here,
    where the keywords are still as written (``0``, not ``0.0``)."""
    if isinstance(data, dict):
        key = DTYPE_FROM.get(info.library_name, "initial_learning_rate")
        value = data.get(key)
        first = value[0] if key == "values" and isinstance(value, list) and value else value
        if isinstance(first, int) and not isinstance(first, bool):
            where = f"scheduler.{key}" + ("[0]" if key == "values" else "")
            raise ConfigError(
                where,
                f"is the integer {first}: Keras computes the schedule in the dtype of {key} "
                f"(ops.convert_to_tensor({first}) is int32, so pi becomes 3 and a decay_rate of 0.5 becomes 0; "
                f"the torch backend raises on it); write {float(first)!r}",
            )
    return "iteration"


def resolve(info: SchedulerInfo, params: dict[str, Any], ctx: ResolveContext) -> None:
    """The stepping, the lengths the run fills, and what Keras raises on while building the schedule."""
    path, name = ctx.path, info.library_name
    if ctx.run.step != "iteration":
        raise ConfigError(
            "run.step",
            f"Keras evaluates {info.name} at optimizer.iterations before every update (step: iteration); there is no "
            f"per-epoch stepping of a LearningRateSchedule (a LearningRateScheduler callback takes a plain function); "
            "leave run.step out or set it to iteration",
        )
    for key in _POSITIVE:
        if key in params and params[key] is not FROM_RUN and params[key] <= 0:
            raise TorchWouldRaise(
                f"{path}.{key}", f"must be > 0 (Keras raises ValueError: Argument `{key}` must be > 0. Received: {key}={params[key]})"
            )
    if name == "CosineDecay" and params["decay_steps"] is FROM_RUN:
        warmup = params["warmup_steps"] if params["warmup_target"] is not None else 0
        rest = ctx.length - warmup
        if rest < 1:
            raise ConfigError(
                f"{path}.warmup_steps",
                f"the warmup ({warmup} steps) fills the whole run of {ctx.length}, leaving nothing for decay_steps "
                "(which Keras counts after the warmup); give decay_steps or a longer run",
            )
        params["decay_steps"] = rest
    elif name == "PolynomialDecay" and params["decay_steps"] is FROM_RUN:
        params["decay_steps"] = ctx.length
    if name == "CosineDecayRestarts":
        _restarts_end(params, ctx)
    if name == "PiecewiseConstantDecay":
        boundaries, values = params["boundaries"], params["values"]
        values = values if isinstance(values, tuple) else (values,)
        params["values"] = values
        if len(boundaries) != len(values) - 1:
            raise TorchWouldRaise(
                f"{path}.values",
                f"{len(values)} values for {len(boundaries)} boundaries (Keras raises ValueError: The length of boundaries "
                "should be 1 less than the length of values); give one value more than boundaries",
            )
        if not boundaries:
            raise TorchWouldRaise(f"{path}.boundaries", "is empty (Keras raises IndexError on boundaries[0]); give at least one boundary")
        if list(boundaries) != sorted(boundaries):
            # Keras adds up every range the step falls in: unsorted boundaries overlap and sum two values
            raise ConfigError(f"{path}.boundaries", f"must be increasing, got {list(boundaries)} (Keras would add up the values of overlapping ranges)")


def _restarts_end(params: dict[str, Any], ctx: ResolveContext) -> None:
    """With ``t_mul`` below 1 each cosine is shorter than the one before, and all of them together last
    ``first_decay_steps / (1 - t_mul)`` steps: Keras' restart count ``log(1 - fraction * (1 - t_mul)) / log(t_mul)``
    takes the log of 0 there, and of a negative number after, so the schedule is nan from that step on."""
    import numpy as np

    first, t_mul = params["first_decay_steps"], params["t_mul"]
    if t_mul >= 1 or first is FROM_RUN:
        return
    path = f"{ctx.path}.t_mul"
    if t_mul <= 0:
        raise ConfigError(path, f"is {t_mul:g}: Keras counts the restarts with log(t_mul), so the schedule is nan from its first step; "
                                "give a t_mul above 0 (2.0, the default, doubles each cosine)")
    end = first / (1 - t_mul)
    steps = np.arange(ctx.length, dtype=np.float64)
    past = np.flatnonzero(1.0 - steps / first * (1.0 - t_mul) <= 0)  # the log's argument, as Keras computes it
    if past.size:
        raise ConfigError(
            path,
            f"is {t_mul:g}: each cosine lasts t_mul times the one before, so all the restarts together end after first_decay_steps / "
            f"(1 - t_mul) = {first} / {1 - t_mul:g} = {end:g} steps, and Keras returns nan from step {int(past[0])} on (its restart count "
            f"takes the log of 1 - fraction * (1 - t_mul) <= 0); the run has {ctx.length:,} steps: give a run of at most {int(past[0]):,}, "
            "or t_mul >= 1",
        )


FAMILY = Family(
    "keras",
    f"Keras {VERSION} keras.optimizers.schedules: the optimizer evaluates the schedule at optimizer.iterations (0 first)",
    SCHEDULERS,
    resolve,
    "lrplot.frameworks.keras",
    default_step=default_step,
    logs_module="logs",  # CSVLogger's per-epoch learning_rate
    dtypes=("float64", "float32"),
    scales_lr=False,
    lr_keys=frozenset({"initial_learning_rate", "end_learning_rate", "warmup_target", "values"}),  # the keywords that are lrs (lrplot.explore)
)
