"""mmengine 0.10.7's parameter schedulers (``mmengine.optim.scheduler``), as records.

One record per class, ``type: mmengine.<Class>`` with the class's own keywords and defaults: the ten
lr schedulers and their momentum twins (which schedule SGD's momentum, or Adam's beta1), plus
``mmengine.param_scheduler``, the list an OpenMMLab config's ``param_scheduler`` is. Every class
takes mmengine's ``begin``, ``end`` and ``by_epoch``, and the ``convert_to_iter_based`` key its
registry reads. ``end`` left out is the Runner's default: ``max_epochs`` for a scheduler counted in
epochs, ``max_iters`` for one counted in iterations (``Runner._build_param_scheduler``).

How lrplot's run is mmengine's: ``run: {epochs: E, steps_per_epoch: L}`` is an EpochBasedTrainLoop
of E epochs of L iterations (``len(train_dataloader)``, which ``convert_to_iter_based`` multiplies
by); ``run: {iterations: N}`` is an IterBasedTrainLoop of N iterations (``max_epochs`` 1). Each
scheduler is stepped by ParamSchedulerHook by its own ``by_epoch``, so ``run.step`` only says what
``explain`` calls the stepping: per iteration when any scheduler counts iterations.
"""

from __future__ import annotations

from typing import Any

from ...errors import ConfigError, TorchWouldRaise
from ..base import FROM_RUN, NON_NEGATIVE, POSITIVE, REQUIRED, Bound, Family, Param, ResolveContext, SchedulerInfo

PREFIX = "mmengine."
INF = int(1e9)  # mmengine's INF: the end of a scheduler built outside a Runner
MAX_PERIODS = 2_000

_COMMON = (
    Param("begin", "int", 0, "step (epoch or iteration, by by_epoch) at which the scheduler starts", NON_NEGATIVE),
    Param("end", "int", FROM_RUN, "step at which it stops, exclusive (default: max_epochs, or max_iters with by_epoch false)", POSITIVE),
    Param("by_epoch", "bool", True, "begin, end and the scheduler's own lengths count epochs (stepped after each epoch), else iterations"),
    Param("convert_to_iter_based", "bool", False, "an epoch-based config stepped per iteration: lengths x the epoch's iterations"),
)
_ETA_MIN_PAIR = (
    Param("eta_min", "float", None, "value at the end of the cosine (or eta_min_ratio)", optional=True),
    Param("eta_min_ratio", "float", None, "eta_min as a fraction of the initial value (or eta_min)", optional=True),
)
_FACTOR = Bound(0, True, 1, True)

# (class stem, description, its own keywords) — the lr class is <stem>LR, its twin <stem>Momentum.
_SHAPES: tuple[tuple[str, str, tuple[Param, ...], dict[str, Any]], ...] = (
    ("Constant", "the value x factor from begin until end - 1, where it returns to the value", (
        Param("factor", "float", 1.0 / 3, "factor applied until end - 1", _FACTOR, torch_checks=True),
    ), {"factor": 0.5, "end": 5}),
    ("Linear", "the value's factor goes linearly from start_factor to end_factor, reached at end - 1", (
        Param("start_factor", "float", 1.0 / 3, "factor at begin", _FACTOR, torch_checks=True),
        Param("end_factor", "float", 1.0, "factor from end - 1 on", _FACTOR, torch_checks=True),
    ), {"start_factor": 0.001, "by_epoch": False, "end": 500}),
    ("Step", "the value x gamma every step_size steps, counted from begin", (
        Param("step_size", "int", REQUIRED, "period of the decay (epochs or iterations, by by_epoch)", POSITIVE),
        Param("gamma", "float", 0.1, "multiplicative factor", NON_NEGATIVE),
    ), {"step_size": 4, "gamma": 0.5}),
    ("MultiStep", "the value x gamma at each milestone, counted from begin", (
        Param("milestones", "int_list", REQUIRED, "steps after begin where the value decays", NON_NEGATIVE),
        Param("gamma", "float", 0.1, "multiplicative factor", NON_NEGATIVE),
    ), {"milestones": [8, 11]}),
    ("Exponential", "the value x gamma at every step after begin", (
        Param("gamma", "float", REQUIRED, "multiplicative factor per step", NON_NEGATIVE),
    ), {"gamma": 0.9}),
    ("CosineAnnealing", "half a cosine from the value to eta_min over T_max (default end - begin: eta_min is reached at end, which never trains)", (
        Param("T_max", "int", None, "length of the half cosine (default: end - begin)", POSITIVE, optional=True),
        *_ETA_MIN_PAIR,
    ), {"eta_min": 1e-5}),
    ("Poly", "(value - eta_min) x (1 - t / (end - begin - 1)) ** power + eta_min, eta_min reached at end - 1", (
        Param("eta_min", "float", 0.0, "value at end - 1"),
        Param("power", "float", 1.0, "power of the polynomial"),
    ), {"eta_min": 1e-4, "power": 0.9}),
    ("CosineRestart", "cosine cycles of the given periods, each restarting at the value x its restart weight", (
        Param("periods", "int_list", REQUIRED, "length of each cycle", POSITIVE),
        Param("restart_weights", "numbers", (1,), "the value's factor at each restart (one per period)", NON_NEGATIVE),
        *_ETA_MIN_PAIR,
    ), {"periods": [5, 10], "restart_weights": [1, 0.5], "eta_min": 0.0}),
    ("ReduceOnPlateau", "the value x factor when the validation metric stops improving for patience epochs", (
        Param("monitor", "str", "loss", "the validation metric's name"),
        Param("rule", "choice", "less", "less: a lower metric is better (a loss); greater: higher (an accuracy)", choices=("less", "greater"), torch_checks=True),
        Param("factor", "float", 0.1, "factor on a reduction (must be < 1)", NON_NEGATIVE),
        Param("patience", "int", 10, "validations without improvement tolerated", NON_NEGATIVE),
        Param("threshold", "float", 1e-4, "change that counts as an improvement", NON_NEGATIVE, torch_checks=True),
        Param("threshold_rule", "choice", "rel", "threshold relative to the best (rel) or absolute (abs)", choices=("rel", "abs"), torch_checks=True),
        Param("cooldown", "int", 0, "validations to wait after a reduction", NON_NEGATIVE),
        Param("min_value", "per_group", 0.0, "lower bound of the value (or one per group)", NON_NEGATIVE),
        Param("eps", "float", 1e-8, "reductions smaller than this are skipped", NON_NEGATIVE),
    ), {"patience": 2, "factor": 0.5}),
)
_ONE_CYCLE = (
    Param("eta_max", "numbers", 0.0, "the peak lr (or a list: one per group, plus one for OptimWrapper's base group when there are several)"),
    Param("total_steps", "int", None, "length of the cycle (default: end - begin)", POSITIVE, optional=True),
    Param("pct_start", "float", 0.3, "fraction of the cycle spent rising (a float)", Bound(0, True, 1, True), torch_checks=True),
    Param("anneal_strategy", "choice", "cos", "cos or linear", choices=("cos", "linear"), torch_checks=True),
    Param("div_factor", "float", 25.0, "initial lr = eta_max / div_factor", POSITIVE),
    Param("final_div_factor", "float", 1e4, "final lr = initial lr / final_div_factor", POSITIVE),
    Param("three_phase", "bool", False, "a third phase back to the initial lr before the final decay"),
)


def _info(cls: str, description: str, params: tuple[Param, ...], example: dict[str, Any], target: str) -> SchedulerInfo:
    return SchedulerInfo(
        PREFIX + cls, (), f"{description} ({target})", (*params, *_COMMON), example=example,
        family="mmengine", library_name=cls, steps_on_metric=cls.startswith("ReduceOnPlateau"),
    )


SCHEDULERS: tuple[SchedulerInfo, ...] = (
    *(_info(stem + "LR", text, params, example, "the lr") for stem, text, params, example in _SHAPES),
    _info("OneCycleLR", "the 1cycle policy: up from eta_max / div_factor to eta_max, then down to the initial lr / final_div_factor",
          _ONE_CYCLE, {"eta_max": 0.1, "by_epoch": False}, "the lr"),
    *(_info(stem + "Momentum", text, params, example, "SGD's momentum, or Adam's beta1") for stem, text, params, example in _SHAPES),
    SchedulerInfo(
        PREFIX + "param_scheduler",
        (PREFIX + "ParamSchedulers",),
        "an OpenMMLab config's param_scheduler list: every scheduler built in order, each stepped by ParamSchedulerHook by its by_epoch",
        (Param("schedulers", "schedulers", REQUIRED, "the list of mmengine schedulers"),),
        example={"schedulers": [{"type": "mmengine.LinearLR", "start_factor": 0.001, "by_epoch": False, "end": 10},
                                {"type": "mmengine.MultiStepLR", "milestones": [8, 11]}]},
        composite=True, children_together=True, family="mmengine", library_name="param_scheduler",
    ),
)
BY_NAME: dict[str, SchedulerInfo] = {s.name: s for s in SCHEDULERS}
COMPOSITE = PREFIX + "param_scheduler"


def is_momentum(node_type: str) -> bool:
    return node_type.endswith("Momentum")


def default_step(data: Any, info: SchedulerInfo) -> str:
    """What the run calls its stepping: per iteration when a scheduler counts iterations, unless a
    ReduceOnPlateau scheduler reads the validation metric, which comes once per epoch."""
    items = data.get("schedulers") if info.composite and isinstance(data, dict) else [data]
    items = [i for i in items if isinstance(i, dict)] if isinstance(items, (list, tuple)) else []
    if any("ReduceOnPlateau" in str(i.get("type")) for i in items):
        return "epoch"
    if any(i.get("by_epoch") is False or i.get("convert_to_iter_based") is True for i in items):
        return "iteration"
    return "epoch"


def loop(run: Any) -> str:
    """The train loop lrplot's run stands for."""
    return "IterBasedTrainLoop" if run.unit == "iteration" else "EpochBasedTrainLoop"


def max_epochs(run: Any) -> int:
    return 1 if run.unit == "iteration" else run.epochs


def resolve(info: SchedulerInfo, params: dict[str, Any], ctx: ResolveContext) -> None:
    """The Runner's default ``end``, the children of a list, and what mmengine refuses when it builds a scheduler."""
    path, run = ctx.path, ctx.run
    if ctx.depth == 0 and run.unit == "epoch" and run.step != default_step(_written(info, params), info):
        raise ConfigError("run.step", "mmengine's ParamSchedulerHook steps each scheduler by its own by_epoch; drop run.step")
    if info.composite:
        if ctx.depth:
            raise ConfigError(path, "a param_scheduler list holds schedulers, not another list")
        children = []
        for i, child in enumerate(params["schedulers"]):
            cpath = f"{path}.schedulers[{i}]"
            kind = child.get("type") if isinstance(child, dict) else child
            found = ctx.lookup(kind) if isinstance(kind, str) else None
            if found is not None and (found.family != "mmengine" or found.composite):
                raise ConfigError(f"{cpath}.type", f"{found.name} is not an mmengine scheduler; a param_scheduler list holds mmengine.<Class> schedulers")
            children.append(ctx.child(child, cpath, ctx.length))
        params["schedulers"] = tuple(children)
        plateaus = [c for c in children if c.info.steps_on_metric]
        if len(plateaus) > 1:
            raise ConfigError(f"{plateaus[1].path}.type", "lrplot feeds one validation metric; keep one ReduceOnPlateau scheduler")
        return
    by_epoch = params["by_epoch"]
    if params["end"] is FROM_RUN:
        params["end"] = max_epochs(run) if by_epoch else run.total_steps
    if params["convert_to_iter_based"] and not by_epoch:
        raise TorchWouldRaise(
            f"{path}.convert_to_iter_based",
            "mmengine raises AssertionError (Only epoch-based kwargs whose `by_epoch=True` can be converted to iter-based); "
            "the lengths of a scheduler with by_epoch false are iterations already: drop convert_to_iter_based",
        )
    if params["end"] <= params["begin"]:
        raise TorchWouldRaise(f"{path}.end", f"mmengine raises ValueError (end should be larger than begin, but got begin={params['begin']}, end={params['end']})")
    name = info.library_name
    if name.startswith(("CosineAnnealing", "CosineRestart")):
        given = [k for k in ("eta_min", "eta_min_ratio") if params[k] is not None]
        if len(given) == 2:
            raise TorchWouldRaise(f"{path}.eta_min_ratio", "mmengine raises AssertionError (Either `eta_min` or `eta_min_ratio should be specified); keep one")
        if not given and name.startswith("CosineRestart"):
            raise TorchWouldRaise(f"{path}.eta_min", "mmengine's CosineRestart raises AssertionError without eta_min or eta_min_ratio; give one")
    if name.startswith("CosineRestart") and len(params["periods"]) > MAX_PERIODS:
        # mmengine sums the periods up to each one (quadratic work): bound it before building
        raise ConfigError(f"{path}.periods", f"{len(params['periods']):,} periods; lrplot simulates at most {MAX_PERIODS:,}")
    if name.startswith("CosineRestart") and len(params["periods"]) != len(_tuple(params["restart_weights"])):
        raise TorchWouldRaise(
            f"{path}.restart_weights",
            f"mmengine raises AssertionError (periods and restart_weights should have the same length): {len(params['periods'])} periods, "
            f"{len(_tuple(params['restart_weights']))} weights",
        )
    if name.startswith("ReduceOnPlateau"):
        if not by_epoch or params["convert_to_iter_based"]:
            raise TorchWouldRaise(f"{path}.by_epoch", f"mmengine raises AssertionError (Now {name} only support by_epoch=True)")
        if params["factor"] >= 1:
            raise TorchWouldRaise(f"{path}.factor", f"must be < 1, got {params['factor']} (mmengine raises ValueError: Factor should be < 1.0.)")
        if run.unit == "iteration":
            raise ConfigError(
                path, f"{name} is stepped after each validation; lrplot models it in an EpochBasedTrainLoop validating every epoch "
                "(give run.epochs and run.steps_per_epoch)",
            )
    if name == "OneCycleLR" and isinstance(params["eta_max"], tuple):
        # OptimWrapper's param_groups hold one more group when there are several (base_param_settings:
        # the optimizer's defaults, logged as base_lr), and OneCycle counts the list against them
        wanted = ctx.n_groups + 1 if ctx.n_groups > 1 else ctx.n_groups
        if len(params["eta_max"]) != wanted:
            extra = " (one per param group, plus one for OptimWrapper's base_param_settings group)" if ctx.n_groups > 1 else ""
            raise TorchWouldRaise(
                f"{path}.eta_max", f"mmengine raises ValueError (expected {wanted} values for max_lr, got {len(params['eta_max'])}){extra}",
            )
    if name == "OneCycleLR" and params["total_steps"] is None and params["end"] >= INF:
        raise ConfigError(f"{path}.total_steps", "OneCycleLR needs total_steps, or an end: without either it spans mmengine's INF steps")


def _written(info: SchedulerInfo, params: dict[str, Any]) -> dict[str, Any]:
    """The scheduler's keywords as default_step reads them (the type, for ReduceOnPlateau)."""
    if info.composite:
        return {"schedulers": list(params["schedulers"])}
    return {**params, "type": info.name}


def _tuple(value: Any) -> tuple:
    return value if isinstance(value, tuple) else (value,)


FAMILY = Family(
    "mmengine",
    "mmengine 0.10.7 param schedulers, stepped by ParamSchedulerHook (each by its by_epoch); `mmengine:` takes an OpenMMLab config's keys",
    SCHEDULERS,
    resolve,
    "lrplot.frameworks.mmengine",
    default_step=default_step,
    section="mmengine",
    file_suffixes=(".py",),  # an OpenMMLab Python config, read statically (.files)
    logs_module="logs",  # vis_data/*.json scalars, and work_dirs
    lr_keys=frozenset({"eta_min", "eta_max", "min_value", "lr"}),  # the keywords that are lrs (lrplot.explore)
)
