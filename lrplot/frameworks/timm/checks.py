"""timm's pitfalls, as ``lrplot check`` rules (codes TM...): lengths, warmup, and how timm counts t.

Lengths are on timm's own time axis (``describe.Clock``): epochs, or updates with
``t_in_epochs: false``. Rules of severity ``info`` say where timm behaves unlike torch or unlike
what its keywords suggest; ``explain`` notes them, ``check`` does not report them.
"""

from __future__ import annotations

import math

from ...engine.pitfalls import Rule, Subject, num
from .describe import CYCLED, Clock


def _clock(s: Subject) -> Clock:
    return Clock(s.spec)


def _warmup_too_long(s: Subject):
    p, clock = s.spec.scheduler.params, _clock(s)
    w = p["warmup_t"]
    if s.trace is not None and w >= clock.length and w > 0:
        yield f"{s.spec.scheduler.path}.warmup_t", (
            f"the warmup (warmup_t {w}) is longer than the run ({clock.units(clock.length)}): the lr never leaves it, "
            f"ending at {num(s.trace.lr[0, -1])}"
        )


def _span(p) -> float:
    """t_initial over the cycles (timm's get_cycle_length, without warmup); inf where its arithmetic overflows."""
    from .replica import cycle_length

    return cycle_length(p["t_initial"], p["cycle_mul"], max(1, p["cycle_limit"]))


def _schedule_longer(s: Subject):
    node, clock = s.spec.scheduler, _clock(s)
    p = node.params
    if s.trace is None or node.type not in CYCLED:
        return
    end = clock.offset + _span(p)
    if end > clock.length and p["warmup_t"] < clock.length:
        why = f" (warmup_prefix puts warmup_t {p['warmup_t']} in front of t_initial {p['t_initial']})" if clock.offset else ""
        lasts = clock.units(end) if math.isfinite(end) else f"longer than a float counts (cycle_mul {p['cycle_mul']:g})"
        yield f"{node.path}.t_initial", (
            f"the schedule lasts {lasts}{why} but the run only {clock.length}: the lr never reaches lr_min "
            f"{num(p['lr_min'])}, ending at {num(s.trace.lr[0, -1])}"
        )


def _schedule_shorter(s: Subject):
    node, clock, spec = s.spec.scheduler, _clock(s), s.spec
    p = node.params
    if node.type not in CYCLED or ("timm" in spec.source and spec.source["timm"].get("cooldown_epochs")):
        return
    span = _span(p)
    end = clock.offset + span
    if end < clock.length:
        cycles = max(1, p["cycle_limit"])
        what = "t_initial" if cycles == 1 else "the cycles"
        yield f"{node.path}.t_initial", (
            f"{what} ({clock.units(span)}) end before the run ({clock.length}): from {clock.unit} {end} the lr stays at lr_min "
            f"{num(p['lr_min'])}" + (" (timm restarts only with cycle_limit > 1)" if cycles == 1 else "")
        )


def _t_initial_in_updates(s: Subject):
    node, clock = s.spec.scheduler, _clock(s)
    p = node.params
    if node.type in CYCLED and not clock.per_update and p["t_initial"] >= 10 * clock.length:
        yield f"{node.path}.t_in_epochs", (
            f"t_initial ({p['t_initial']}) is {p['t_initial'] / clock.length:.0f} times the run's {clock.length} epochs: with "
            "t_in_epochs true t counts epochs, so the lr barely decays; a length in updates needs t_in_epochs: false"
        )


def _decay_under_warmup(s: Subject):
    node, clock = s.spec.scheduler, _clock(s)
    p = node.params
    w = p["warmup_t"]
    if s.trace is None or node.type not in CYCLED or node.type == "timm.tanh" or not w or clock.offset or w >= clock.length:
        return
    at = float(s.trace.lr[0, clock.step(w)])
    peak = s.spec.optimizer.groups[0].lr
    if peak > 0 and at < 0.99 * peak:
        yield f"{node.path}.warmup_prefix", (
            f"without warmup_prefix the decay runs under the warmup: when it ends ({clock.unit} {w}) the lr drops to "
            f"{num(at)}, {100 * (1 - at / peak):.0f}% below the lr; warmup_prefix: true starts the decay after it"
        )


def _multistep_early(s: Subject):
    node = s.spec.scheduler
    if node.type == "timm.multistep" and node.params["decay_t"]:
        yield f"{node.path}.decay_t", (
            f"timm's MultiStepLRScheduler applies milestone m at t = m - 1 (it counts t + 1): decay_t {list(node.params['decay_t'])} "
            f"decays one {_clock(s).unit} earlier than torch's MultiStepLR"
        )


def _wsd_last(s: Subject):
    node, clock = s.spec.scheduler, _clock(s)
    p = node.params
    if s.trace is None or node.type != "timm.wsd" or clock.per_update:
        return
    stable, last = s.spec.optimizer.groups[0].lr, float(s.trace.lr[0, -1])
    if p["warmup_t"] + p["t_initial"] >= clock.length and stable > 0 and last - p["lr_min"] > 0.01 * stable:
        yield f"{node.path}.t_in_epochs", (
            f"WSD reaches lr_min one step after its last (t = warmup_t + t_initial): the last epoch trains at "
            f"{num(last)}, {100 * last / stable:.0f}% of the lr; step it per update (t_in_epochs: false) or add a cooldown epoch"
        )


def _noise_seed(s: Subject):
    node = s.spec.scheduler
    p = node.params
    if p.get("noise_range_t") is not None:
        seed = 42 if p["noise_seed"] is None else p["noise_seed"]
        unit = _clock(s).unit
        yield f"{node.path}.noise_seed", (
            f"the noise of {unit} t is drawn from a generator seeded with noise_seed + t ({seed} + t): another seed "
            f"shifts the same noise in time, seed {seed + 1} repeats it one {unit} earlier"
        )


def _plateau_warmup(s: Subject):
    node = s.spec.scheduler
    w = node.params.get("warmup_t", 0)
    if node.type == "timm.plateau" and w:
        yield f"{node.path}.warmup_t", f"during the warmup (epochs <= warmup_t {w}) the metric is ignored: the plateau patience counts from epoch {w + 1}"


def _plateau_deprecated(s: Subject):
    node = s.spec.scheduler
    if node.type == "timm.plateau":
        yield node.path, (
            "PlateauLRScheduler is deprecated in timm 1.0.31 (FutureWarning): its patience and cooldown are not in "
            "checkpoints, so a resumed run restarts them"
        )


RULES: tuple[Rule, ...] = (
    Rule("TM101", "warmup-too-long", "warning", "a warmup (warmup_t) longer than the run", _warmup_too_long),
    Rule("TM201", "schedule-longer-than-run", "warning", "t_initial (with a warmup_prefix, and the cycles) longer than the run: lr_min is never reached", _schedule_longer),
    Rule("TM202", "t-initial-shorter-than-run", "warning", "t_initial (or the cycles) shorter than the run: the lr sits at lr_min", _schedule_shorter),
    Rule("TM203", "t-initial-in-updates", "warning", "a t_initial in updates on a schedule stepped per epoch", _t_initial_in_updates),
    Rule("TM204", "decay-under-warmup", "warning", "a warmup without warmup_prefix, under which the decay already runs", _decay_under_warmup),
    Rule("TM205", "wsd-last-epoch", "warning", "WSD per epoch reaching lr_min one step after the run", _wsd_last),
    Rule("TM301", "multistep-one-early", "info", "timm's MultiStepLRScheduler decays one step earlier than torch's MultiStepLR", _multistep_early),
    Rule("TM302", "noise-seed-shift", "info", "lr noise seeded with noise_seed + t", _noise_seed),
    Rule("TM303", "plateau-warmup-ignores-metric", "info", "PlateauLRScheduler ignores the metric during its warmup", _plateau_warmup),
    Rule("TM304", "plateau-deprecated", "info", "PlateauLRScheduler is deprecated and loses its state on resume", _plateau_deprecated),
)
