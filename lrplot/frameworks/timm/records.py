"""timm 1.0.31's schedulers (``timm.scheduler``), as records, and the rules between their keywords.

One record per class, named ``timm.<name>`` after the ``--sched`` name train.py knows it by
(``timm.cosine`` is ``CosineLRScheduler``, whose class name is an alias). Keywords are the
constructor's, with its defaults, minus ``optimizer`` and ``initialize`` (lrplot always builds a
fresh scheduler).

timm's schedulers are not torch schedulers: train.py tells them the time itself, ``step(epoch + 1,
metric)`` after every epoch and ``step_update(num_updates)`` after every optimizer update, and
``t_in_epochs`` decides which of the two moves the lr. So ``run.step`` and ``t_in_epochs`` say the
same thing here: ``epoch`` is ``t_in_epochs: true``, ``iteration`` is ``t_in_epochs: false``, each
filled from the other when left out, and a contradiction is an error (timm would silently ignore
one of the calls). ``fractional`` has no timm meaning.

The ``timm:`` config section (train.py's arguments, through ``create_scheduler_v2``) is translated
by :mod:`.section`, loaded only when a config has one.
"""

from __future__ import annotations

import math
from typing import Any

from ...errors import ConfigError, TorchWouldRaise
from ..base import FROM_RUN, NON_NEGATIVE, POSITIVE, REQUIRED, Bound, Family, Param, ResolveContext, SchedulerInfo

# The shared keywords, as Scheduler and its subclasses declare them (scheduler.py, cosine_lr.py, ...).
_T_IN_EPOCHS = Param(
    "t_in_epochs", "bool", FROM_RUN,
    "t counts epochs (step() per epoch) or updates (step_update() per update); default: the run's step",
)
_LR_MIN = Param("lr_min", "float", 0.0, "lr at the end of the schedule", NON_NEGATIVE)


def _warmup(prefix: bool, with_prefix: bool = True) -> tuple[Param, ...]:
    params = (
        Param("warmup_t", "int", 0, "linear warmup length, in t (epochs or updates)", NON_NEGATIVE),
        Param("warmup_lr_init", "float", 0.0, "lr the warmup starts from", NON_NEGATIVE),
    )
    if with_prefix:
        params += (Param("warmup_prefix", "bool", prefix, "the schedule starts after the warmup instead of under it"),)
    return params


def _noise(seed_default: Any = 42) -> tuple[Param, ...]:
    return (
        Param("noise_range_t", "numbers", None, "noisy lr from this t on, or in [start, end)", NON_NEGATIVE, optional=True),
        # timm redraws until |noise| < noise_pct: 0 or less would loop forever
        Param("noise_pct", "float", 0.67, "noise bound: redrawn until |noise| < noise_pct", POSITIVE),
        Param("noise_std", "float", 1.0, "standard deviation of the noise", NON_NEGATIVE),
        Param(
            "noise_seed", "int", seed_default,
            "noise at t comes from torch.Generator().manual_seed(noise_seed + t)" + (" (default 42)" if seed_default is None else ""),
            optional=seed_default is None,
        ),
    )


_CYCLES = (
    Param("cycle_mul", "float", 1.0, "each cycle is cycle_mul times longer than the one before", POSITIVE),
    Param("cycle_decay", "float", 1.0, "each cycle's peak is cycle_decay times the one before", NON_NEGATIVE),
    Param("cycle_limit", "int", 1, "cycles before the lr stays at lr_min", NON_NEGATIVE),
)
_K_DECAY = Param("k_decay", "float", 1.0, "k-decay: t ** k over t_initial ** k", POSITIVE)
_T_INITIAL = Param("t_initial", "int", FROM_RUN, "length of the first cycle, in t (default: the run's length)", POSITIVE)

SCHEDULERS: tuple[SchedulerInfo, ...] = (
    SchedulerInfo(
        "timm.cosine",
        ("timm.CosineLRScheduler",),
        "half a cosine from the lr to lr_min over t_initial, with warmup, restarts (cycles), k-decay and noise",
        (_T_INITIAL, _LR_MIN, *_CYCLES, *_warmup(False), _T_IN_EPOCHS, *_noise(), _K_DECAY),
        example={"warmup_t": 3, "warmup_lr_init": 1e-4, "lr_min": 1e-3},
        family="timm",
        library_name="CosineLRScheduler",
    ),
    SchedulerInfo(
        "timm.tanh",
        ("timm.TanhLRScheduler",),
        "hyperbolic-tangent decay from the lr to lr_min over t_initial, with warmup, restarts and noise",
        (
            _T_INITIAL,
            Param("lb", "float", -7.0, "tanh argument at the start of a cycle"),
            Param("ub", "float", 3.0, "tanh argument at the end of a cycle"),
            _LR_MIN, *_CYCLES, *_warmup(False), _T_IN_EPOCHS, *_noise(),
        ),
        example={"warmup_t": 3, "warmup_lr_init": 1e-4},
        family="timm",
        library_name="TanhLRScheduler",
    ),
    SchedulerInfo(
        "timm.step",
        ("timm.StepLRScheduler",),
        "lr * decay_rate ** (t // decay_t), after a warmup",
        (
            Param("decay_t", "float", REQUIRED, "period of the decay, in t (may be fractional: 2.4 epochs)", POSITIVE),
            Param("decay_rate", "float", 1.0, "factor per period", NON_NEGATIVE),
            *_warmup(True), _T_IN_EPOCHS, *_noise(),
        ),
        example={"decay_t": 10, "decay_rate": 0.5, "warmup_t": 2, "warmup_lr_init": 1e-3},
        family="timm",
        library_name="StepLRScheduler",
    ),
    SchedulerInfo(
        "timm.multistep",
        ("timm.MultiStepLRScheduler",),
        "lr * decay_rate at each milestone, applied one t early (t + 1 reaches it)",
        (
            Param("decay_t", "int_list", REQUIRED, "milestones in t, increasing", NON_NEGATIVE),
            Param("decay_rate", "float", 1.0, "factor per milestone", NON_NEGATIVE),
            *_warmup(True), _T_IN_EPOCHS, *_noise(),
        ),
        example={"decay_t": [10, 20], "decay_rate": 0.1},
        family="timm",
        library_name="MultiStepLRScheduler",
    ),
    SchedulerInfo(
        "timm.poly",
        ("timm.PolyLRScheduler",),
        "polynomial decay (1 - t / t_initial) ** power to lr_min, with warmup, restarts, k-decay and noise",
        (
            _T_INITIAL,
            Param("power", "float", 0.5, "power of the polynomial", NON_NEGATIVE),
            _LR_MIN, *_CYCLES, *_warmup(False), _T_IN_EPOCHS, *_noise(), _K_DECAY,
        ),
        example={"power": 2.0, "warmup_t": 3},
        family="timm",
        library_name="PolyLRScheduler",
    ),
    SchedulerInfo(
        "timm.wsd",
        ("timm.WSDLRScheduler",),
        "warmup, stable, then decay to lr_min over the last decay_t of t_initial (WSD, rsqrt)",
        (
            Param("t_initial", "int", FROM_RUN, "stable + decay length, in t, after the warmup (default: the rest of the run)", POSITIVE),
            Param("decay_t", "int", REQUIRED, "decay length, the last decay_t of t_initial", POSITIVE),
            _LR_MIN,
            Param("stable_fn", "choice", "constant", "stable phase shape", choices=("constant", "rsqrt", "power")),
            Param("stable_timescale", "float", None, "rsqrt / power timescale (default: warmup_t)", POSITIVE, optional=True),
            Param("stable_power", "float", 0.5, "exponent of the power stable phase", POSITIVE),
            Param("decay_fn", "choice", "1-sqrt", "decay shape", choices=("linear", "1-sqrt", "cosine", "power", "exp")),
            Param("decay_power", "float", 0.5, "exponent of the power decay", POSITIVE),
            Param("decay_ratio", "float", 0.1, "exp decay: the fraction reached before normalizing", Bound(0, False, 1, False)),
            *_warmup(False, with_prefix=False), _T_IN_EPOCHS, *_noise(),
        ),
        example={"decay_t": 8, "warmup_t": 3},
        family="timm",
        library_name="WSDLRScheduler",
    ),
    SchedulerInfo(
        "timm.plateau",
        ("timm.PlateauLRScheduler",),
        "torch's ReduceLROnPlateau behind a warmup and noise, stepped once per epoch with the eval metric",
        (
            Param("decay_rate", "float", 0.1, "factor on a reduction", Bound(0, True, 1, False), torch_checks=True),
            Param("patience_t", "int", 10, "bad epochs tolerated before a reduction", NON_NEGATIVE),
            Param("threshold", "float", 1e-4, "relative change that counts as an improvement", NON_NEGATIVE),
            Param("cooldown_t", "int", 0, "epochs to wait after a reduction", NON_NEGATIVE),
            *_warmup(False, with_prefix=False),
            _LR_MIN,
            Param("mode", "choice", "max", "whether a higher (max: accuracy) or lower (min: loss) metric is better",
                  choices=("min", "max"), torch_checks=True),
            *_noise(None)[:1],
            Param("noise_type", "choice", "normal", "normal (redrawn within noise_pct) or uniform", choices=("normal", "uniform")),
            *_noise(None)[1:],
        ),
        example={"patience_t": 3, "decay_rate": 0.5, "warmup_t": 2, "mode": "min"},
        family="timm",
        library_name="PlateauLRScheduler",
        steps_on_metric=True,
    ),
)

BY_NAME: dict[str, SchedulerInfo] = {s.name: s for s in SCHEDULERS}
_CYCLED = ("timm.cosine", "timm.tanh", "timm.poly")


def default_step(data: Any, info: SchedulerInfo) -> str:
    """train.py's stepping as the config states it: per update only with ``t_in_epochs: false``."""
    value = data.get("t_in_epochs") if isinstance(data, dict) else None
    return "iteration" if value is False else "epoch"


def resolve(info: SchedulerInfo, params: dict[str, Any], ctx: ResolveContext) -> None:
    """The run's stepping against t_in_epochs, lengths filled from the run, and timm's own checks."""
    path, run = ctx.path, ctx.run
    if run.step == "fractional":
        raise ConfigError(
            "run.step",
            f"{info.name} is told whole epochs (step(epoch + 1)) or update counts (step_update(num_updates)) by timm's "
            "train.py, never fractions; use step: epoch or step: iteration",
        )
    per_update = run.step == "iteration"
    if info.name == "timm.plateau":
        if per_update:
            raise ConfigError(
                "run.step",
                "timm.plateau is stepped once per epoch with the eval metric (PlateauLRScheduler has no t_in_epochs; "
                "create_scheduler_v2 asserts 'Plateau LR only supports step per epoch.'); use step: epoch",
            )
    elif params["t_in_epochs"] is FROM_RUN:
        params["t_in_epochs"] = not per_update
    elif params["t_in_epochs"] == per_update:
        said = "true: t counts epochs, so only train.py's step(epoch + 1) moves the lr" if params["t_in_epochs"] else (
            "false: t counts updates, so only train.py's step_update(num_updates) moves the lr")
        raise ConfigError(
            f"{path}.t_in_epochs",
            f"is {said}, but run.step is {run.step} (timm silently ignores the other call); "
            f"set run.step: {'epoch' if params['t_in_epochs'] else 'iteration'} or leave one of the two out",
        )
    unit = "updates" if per_update else "epochs"

    if info.name in _CYCLED or info.name == "timm.wsd":
        prefix = params["warmup_t"] if info.name == "timm.wsd" or params["warmup_prefix"] else 0
        if params["t_initial"] is FROM_RUN:
            # The run is the schedule: with the warmup in front (a prefix), t_initial is what is left.
            rest = ctx.length - prefix
            if rest < 1:
                raise ConfigError(
                    f"{path}.warmup_t",
                    f"the warmup ({params['warmup_t']} {unit}, a prefix) fills the whole run of {ctx.length} {unit}, "
                    "leaving nothing for t_initial; give t_initial or a longer run",
                )
            params["t_initial"] = rest
    range_t = params["noise_range_t"]
    if isinstance(range_t, tuple) and len(range_t) != 2:
        # timm reads range[0] and range[1]: one item raises IndexError, more are ignored.
        raise ConfigError(f"{path}.noise_range_t", f"must be one number (noise from there on) or [start, end), got {len(range_t)} numbers")
    if range_t is not None and params.get("noise_type", "normal") == "normal" and params["noise_std"] > 0:
        # timm redraws until |noise| < noise_pct (scheduler.py): a bound far inside the spread is a
        # loop of thousands of draws per step, and at the limit one that never ends
        accepted = math.erf(params["noise_pct"] / (params["noise_std"] * math.sqrt(2)))
        if accepted < 0.01:
            raise ConfigError(
                f"{path}.noise_pct",
                f"{params['noise_pct']:g} against noise_std {params['noise_std']:g} keeps {100 * accepted:.2g}% of the draws: timm "
                f"redraws until |noise| < noise_pct, about {1 / max(accepted, 1e-300):,.0f} times a step; give noise_pct at least "
                f"{0.0126 * params['noise_std']:.2g}",
            )
    if info.name == "timm.tanh" and not params["lb"] < params["ub"]:
        raise TorchWouldRaise(f"{path}.lb", f"must be below ub ({params['lb']} >= {params['ub']}); timm raises AssertionError (assert lb < ub)")
    if info.name == "timm.multistep" and list(params["decay_t"]) != sorted(params["decay_t"]):
        raise ConfigError(
            f"{path}.decay_t", f"must be in increasing order, got {list(params['decay_t'])} (timm counts milestones passed with bisect)"
        )
    if info.name == "timm.wsd":
        if not 0 < params["decay_t"] <= params["t_initial"]:
            raise TorchWouldRaise(
                f"{path}.decay_t",
                f"timm raises ValueError: Invalid decay_t ({params['decay_t']}), must be in (0, t_initial] w/ t_initial={params['t_initial']}",
            )
        if params["stable_fn"] != "constant" and params["stable_timescale"] is None and params["warmup_t"] <= 0:
            raise TorchWouldRaise(
                f"{path}.stable_timescale",
                f"timm raises ValueError: stable_fn={params['stable_fn']} requires a positive stable_timescale, it defaults "
                f"to warmup_t ({params['warmup_t']}), set it explicitly when there is no warmup",
            )


FAMILY = Family(
    "timm",
    "timm 1.0.31 timm.scheduler, stepped the way its train.py steps them; `timm:` takes train.py's arguments",
    SCHEDULERS,
    resolve,
    "lrplot.frameworks.timm",
    default_step=default_step,
    section="timm",  # train.py's arguments: .section, loaded only for a `timm:` section
    file_suffixes=(".yaml", ".yml"),  # the args.yaml train.py writes (.files)
    lr_keys=frozenset({"lr_min", "warmup_lr_init", "lr", "min_lr", "warmup_lr", "lr_base"}),  # the keywords that are lrs (lrplot.explore)
)
