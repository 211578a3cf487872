"""optax 0.2.8's schedules (``optax.schedules``), as records.

``type: optax.<function>`` takes the function's keywords with its defaults; the name without its
``_schedule`` suffix is an alias (``optax.warmup_cosine_decay``). A schedule is the optimizer's
learning rate itself (``optax.adamw(learning_rate=schedule)``): the optimizer evaluates it at its
update count (``state.count``, 0 for the first update) and increments the count after, so the run is
stepped per iteration and the optimizer has no lr of its own. ``join_schedules`` nests optax
schedules (each later one sees ``step - boundary``); ``sgdr_schedule`` takes a list of
``warmup_cosine_decay_schedule`` keywords, one per cycle. Where optax raises while building a
schedule, ``resolve`` refuses the config with its message; where optax only logs and falls back to
a constant (a non-positive ``transition_steps``), lrplot does the same and ``check`` says so.
"""

from __future__ import annotations

from typing import Any

from ...errors import ConfigError, TorchWouldRaise
from ..base import FROM_RUN, REQUIRED, Family, Param, ResolveContext, SchedulerInfo

PREFIX = "optax."
VERSION = "0.2.8"


def _p(name: str, kind: str, default: Any, doc: str, **kw: Any) -> Param:
    return Param(name, kind, default, doc, **kw)


def _length(name: str, doc: str) -> Param:
    return _p(name, "int", FROM_RUN, f"{doc} (default: the run's length)")


_INIT = _p("init_value", "float", REQUIRED, "the lr at count 0")
_PEAK = _p("peak_value", "float", REQUIRED, "the lr the warmup rises to")
_WARMUP = _p("warmup_steps", "int", REQUIRED, "updates of linear warmup from init_value")
_TRANSITION_BEGIN = _p("transition_begin", "int", 0, "updates before the decay starts (negative: 0)")
_STAIRCASE = _p("staircase", "bool", False, "decay in whole periods of transition_steps")
_BOUNDARIES = _p("boundaries_and_scales", "step_map", None, "{update: factor}: from that update on the lr is multiplied by factor", optional=True)
_EXPONENT = _p("exponent", "float", 1.0, "power of the cosine factor")
_DIV = (
    _p("div_factor", "float", 25.0, "the lr starts at peak_value / div_factor"),
)


def _info(name: str, description: str, params: tuple[Param, ...], example: dict[str, Any], **kw: Any) -> SchedulerInfo:
    aliases = [f"{PREFIX}schedules.{name}"]
    if name.endswith("_schedule"):
        aliases.append(PREFIX + name[: -len("_schedule")])
    return SchedulerInfo(
        PREFIX + name,
        tuple(aliases),
        description,
        params,
        example=example,
        default_step="iteration",  # the optimizer evaluates the schedule at every update
        family="optax",
        library_name=name,
        **kw,
    )


SCHEDULERS: tuple[SchedulerInfo, ...] = (
    _info("constant_schedule", "the lr value, at every update", (_p("value", "float", REQUIRED, "the lr"),), {"value": 0.1}),
    _info(
        "linear_schedule",
        "init_value to end_value, linearly over transition_steps (after transition_begin), then end_value",
        (_INIT, _p("end_value", "float", REQUIRED, "the lr from transition_begin + transition_steps on"),
         _length("transition_steps", "updates of the ramp; 0 or less: a constant init_value"), _TRANSITION_BEGIN),
        {"init_value": 0.1, "end_value": 0.001},
    ),
    _info(
        "polynomial_schedule",
        "(init_value - end_value) * (1 - t / transition_steps) ** power + end_value",
        (_INIT, _p("end_value", "float", REQUIRED, "the lr from transition_begin + transition_steps on"),
         _p("power", "float", REQUIRED, "power of the polynomial (1: linear)"),
         _length("transition_steps", "updates of the decay; 0 or less: a constant init_value"), _TRANSITION_BEGIN),
        {"init_value": 0.1, "end_value": 0.001, "power": 2},
    ),
    _info(
        "exponential_decay",
        "init_value * decay_rate ** ((count - transition_begin) / transition_steps), floored with staircase, clipped at end_value",
        (_INIT, _p("transition_steps", "int", REQUIRED, "updates per factor of decay_rate (a period; 0 or less: constant)"),
         _p("decay_rate", "float", REQUIRED, "factor per transition_steps (0: constant)"), _TRANSITION_BEGIN, _STAIRCASE,
         _p("end_value", "float", None, "a floor (decay_rate < 1) or ceiling (decay_rate > 1) of the lr", optional=True)),
        {"init_value": 0.1, "transition_steps": 10, "decay_rate": 0.5},
    ),
    _info(
        "cosine_decay_schedule",
        "half a cosine from init_value down to alpha x init_value over decay_steps, then flat",
        (_INIT, _length("decay_steps", "updates of the cosine"), _p("alpha", "float", 0.0, "the floor, as a fraction of init_value"), _EXPONENT),
        {"init_value": 0.1, "alpha": 0.01},
    ),
    _info(
        "warmup_cosine_decay_schedule",
        "linear warmup from init_value to peak_value, then a cosine to end_value that ends at decay_steps (counted from 0, the warmup included)",
        (_INIT, _PEAK, _WARMUP, _length("decay_steps", "the update where the cosine ends, counted from 0 with the warmup"),
         _p("end_value", "float", 0.0, "the lr from decay_steps on"), _EXPONENT),
        {"init_value": 0.0, "peak_value": 0.1, "warmup_steps": 10, "end_value": 0.001},
    ),
    _info(
        "warmup_exponential_decay_schedule",
        "linear warmup from init_value to peak_value, then exponential_decay from peak_value (its count starts after the warmup)",
        (_INIT, _PEAK, _WARMUP, _p("transition_steps", "int", REQUIRED, "updates per factor of decay_rate (0 or less: constant)"),
         _p("decay_rate", "float", REQUIRED, "factor per transition_steps"), _TRANSITION_BEGIN, _STAIRCASE,
         _p("end_value", "float", None, "a floor (decay_rate < 1) or ceiling of the lr", optional=True)),
        {"init_value": 0.0, "peak_value": 0.1, "warmup_steps": 10, "transition_steps": 10, "decay_rate": 0.5},
    ),
    _info(
        "warmup_constant_schedule",
        "linear warmup from init_value to peak_value over warmup_steps, then peak_value",
        (_INIT, _PEAK, _WARMUP),
        {"init_value": 0.0, "peak_value": 0.1, "warmup_steps": 10},
    ),
    _info(
        "linear_onecycle_schedule",
        "one cycle, linear: peak_value / div_factor up to peak_value at pct_start, back down at pct_final, then to / final_div_factor",
        (_length("transition_steps", "updates of the cycle"), _PEAK, _p("pct_start", "float", 0.3, "share of the cycle rising"),
         _p("pct_final", "float", 0.85, "share of the cycle where the lr is back at peak_value / div_factor"), *_DIV,
         _p("final_div_factor", "float", 1e4, "the lr ends at peak_value / div_factor / final_div_factor")),
        {"peak_value": 0.1},
    ),
    _info(
        "cosine_onecycle_schedule",
        "one cycle, cosine: peak_value / div_factor up to peak_value at pct_start, then down to / (div_factor * final_div_factor)",
        (_length("transition_steps", "updates of the cycle"), _PEAK, _p("pct_start", "float", 0.3, "share of the cycle rising"), *_DIV,
         _p("final_div_factor", "float", 1e4, "the lr ends at peak_value / (div_factor * final_div_factor)")),
        {"peak_value": 0.1},
    ),
    _info(
        "piecewise_constant_schedule",
        "init_value, multiplied by each scale from its boundary on",
        (_INIT, _BOUNDARIES),
        {"init_value": 0.1, "boundaries_and_scales": {30: 0.1, 60: 0.1}},
    ),
    _info(
        "piecewise_interpolate_schedule",
        "init_value times the scales, reached at their boundaries and interpolated between them (linear or cosine)",
        (_p("interpolate_type", "choice", REQUIRED, "how the lr moves between boundaries", choices=("linear", "cosine"), torch_checks=True),
         _INIT, _BOUNDARIES),
        {"interpolate_type": "linear", "init_value": 0.1, "boundaries_and_scales": {30: 0.1, 60: 0.1}},
    ),
    _info(
        "sgdr_schedule",
        "warmup_cosine_decay_schedules one after the other, each decay_steps long (warm restarts)",
        (_p("cosine_kwargs", "schedulers", REQUIRED, "one mapping of warmup_cosine_decay_schedule keywords per cycle"),),
        {"cosine_kwargs": [{"init_value": 0.0, "peak_value": 0.1, "warmup_steps": 5, "decay_steps": 50}] * 2},
        composite=True,
    ),
    _info(
        "join_schedules",
        "optax schedules one after another: from each boundary the next one, counting from 0 again",
        (_p("schedules", "schedulers", REQUIRED, "optax schedules (type: optax.<function>)"),
         _p("boundaries", "int_list", REQUIRED, "updates where the next schedule takes over (one fewer than schedules)")),
        {"schedules": [{"type": "optax.linear_schedule", "init_value": 0.0, "end_value": 0.1, "transition_steps": 10},
                       {"type": "optax.cosine_decay_schedule", "init_value": 0.1, "decay_steps": 90}], "boundaries": [10]},
        composite=True,
    ),
)

BY_NAME: dict[str, SchedulerInfo] = {s.name: s for s in SCHEDULERS}
WARMUP_COSINE = PREFIX + "warmup_cosine_decay_schedule"


def default_step(data: Any, info: SchedulerInfo) -> str:
    return "iteration"


def resolve(info: SchedulerInfo, params: dict[str, Any], ctx: ResolveContext) -> None:
    """The stepping, the lengths the run fills, the nested schedules, and what optax raises on."""
    path, name, length = ctx.path, info.library_name, ctx.length
    if ctx.depth == 0 and ctx.run.step != "iteration":
        raise ConfigError(
            "run.step",
            f"optax evaluates {info.name} at the optimizer's update count (state.count) on every update (step: iteration); "
            "leave run.step out or set it to iteration",
        )
    for key in ("transition_steps", "decay_steps"):
        if params.get(key) is FROM_RUN:
            params[key] = max(length, 1)
    for key in ("warmup_steps", "decay_steps", "transition_steps", "transition_begin"):
        if abs(params.get(key) or 0) > 2**31 - 1:  # optax's count is an int32
            raise ConfigError(f"{path}.{key}", f"{params[key]:,} is beyond optax's int32 update count; check the number")
    scales = params.get("boundaries_and_scales")
    if scales and any(v < 0 for _, v in scales):
        raise TorchWouldRaise(f"{path}.boundaries_and_scales", f"optax raises ValueError: `{name}` expects non-negative scale factors")
    if name == "cosine_decay_schedule" and not params["decay_steps"] > 0:
        raise TorchWouldRaise(f"{path}.decay_steps", f"optax raises ValueError: The cosine_decay_schedule requires positive decay_steps, got decay_steps={params['decay_steps']}.")
    if name == "warmup_cosine_decay_schedule" and not params["decay_steps"] - params["warmup_steps"] > 0:
        raise TorchWouldRaise(
            f"{path}.decay_steps",
            f"must be greater than warmup_steps ({params['warmup_steps']}): optax counts decay_steps from 0 with the warmup, and raises "
            f"ValueError for the cosine's decay_steps - warmup_steps = {params['decay_steps'] - params['warmup_steps']} (The "
            "cosine_decay_schedule requires positive decay_steps)",
        )
    if name in ("linear_onecycle_schedule", "cosine_onecycle_schedule") and params["transition_steps"] <= 0:
        raise TorchWouldRaise(f"{path}.transition_steps", "optax raises ValueError: A linear onecycle schedule was set with a non-positive `transition_steps`")
    if name == "join_schedules":
        children, boundaries = params["schedules"], params["boundaries"]
        if len(boundaries) != len(children) - 1:
            # join_schedules zips them: extra schedules are never used, a missing one is an IndexError-free silent cut
            raise ConfigError(f"{path}.boundaries", f"{len(boundaries)} boundaries for {len(children)} schedules; give one fewer boundary than schedules")
        if list(boundaries) != sorted(boundaries):
            raise ConfigError(f"{path}.boundaries", f"must be increasing, got {list(boundaries)}")
        ends = [0, *boundaries, max(length, *boundaries) if boundaries else length]
        params["schedules"] = tuple(
            _child(ctx, child, f"{path}.schedules[{i}]", ends[i + 1] - ends[i]) for i, child in enumerate(children)
        )
    elif name == "sgdr_schedule":
        cycles = []
        for i, kwargs in enumerate(params["cosine_kwargs"]):
            where = f"{path}.cosine_kwargs[{i}]"
            if not isinstance(kwargs, dict):
                raise ConfigError(where, "must be a mapping of warmup_cosine_decay_schedule keywords (init_value, peak_value, warmup_steps, decay_steps)")
            if "type" in kwargs:
                raise ConfigError(f"{where}.type", "each cycle is a warmup_cosine_decay_schedule; give its keywords only")
            if "decay_steps" not in kwargs:  # sgdr_schedule reads kwargs['decay_steps'] itself: no default here
                raise TorchWouldRaise(f"{where}.decay_steps", "missing (optax raises KeyError: sgdr_schedule reads each cycle's decay_steps)")
            cycles.append(ctx.child({"type": WARMUP_COSINE, **kwargs}, where, length))
        params["cosine_kwargs"] = tuple(cycles)


def _child(ctx: ResolveContext, data: Any, where: str, length: int) -> Any:
    kind = data if isinstance(data, str) else data.get("type") if isinstance(data, dict) else None
    info = ctx.lookup(kind) if isinstance(kind, str) else None
    if info is not None and info.family != "optax":
        raise ConfigError(f"{where}.type", f"{info.name} is a {info.family} schedule; optax's join_schedules joins optax schedules only")
    return ctx.child(data, where, max(length, 1))


FAMILY = Family(
    "optax",
    f"optax {VERSION} optax.schedules: the optimizer evaluates the schedule at its update count (state.count, 0 first)",
    SCHEDULERS,
    resolve,
    "lrplot.frameworks.optax",
    default_step=default_step,
    dtypes=("float64", "float32"),
    scales_lr=False,
    lr_keys=frozenset({"value", "init_value", "peak_value", "end_value"}),  # the keywords that are lrs (lrplot.explore)
)
