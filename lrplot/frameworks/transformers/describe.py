"""transformers' schedules in their own words: warmup, stable, decay, cycles (their pitfalls are check rules, in ``checks``).

Phases and events come from the keywords (num_warmup_steps, num_training_steps, num_cycles, WSD's
phases), placed on the optimizer-step axis the way the run steps the scheduler; the numbers
explain prints next to them come from the trace.
"""

from __future__ import annotations

import math

from ...config import SchedulerSpec, Spec
from ...engine.events import MAX_EVENTS_PER_KIND, Event, Phase, scheduler_time_to_step

# Schedules whose decay ends at num_training_steps.
_ENDS_AT_T = ("linear", "cosine", "cosine_with_restarts", "polynomial", "cosine_with_min_lr", "cosine_warmup_with_min_lr")


def _name(node: SchedulerSpec) -> str:
    return node.info.library_name


def _boundaries(node: SchedulerSpec) -> list[tuple[int, str]]:
    """(scheduler time, what starts there) for every change of behaviour, in order; time 0 first."""
    p, name = node.params, _name(node)
    if node.info.steps_on_metric:
        return [(0, _metric_words(node))]
    if name == "constant":
        return [(0, "constant at the lr")]
    w = p["num_warmup_steps"]
    out = [(0, _warmup_words(node))] if w > 0 else []
    if name == "warmup_stable_decay":
        # a negative stable phase (warmup + decay longer than the run) starts the decay inside the warmup
        s, d = _stable_steps(node), p["num_decay_steps"]
        if s > 0:
            out.append((w, "stable at the lr"))
        out.append((w + max(s, 0), f"{p['decay_type']} decay to min_lr_ratio {_num(p['min_lr_ratio'])}"))
        out.append((max(w + s + d, w), f"at min_lr_ratio {_num(p['min_lr_ratio'])}"))
        return out
    words = {
        "constant_with_warmup": lambda: "constant at the lr",
        "linear": lambda: "linear decay to 0 at num_training_steps",
        "cosine": lambda: "cosine decay to 0" if p["num_cycles"] == 0.5 else f"cosine, {_num(p['num_cycles'])} waves over the decay",
        "cosine_with_restarts": lambda: f"cosine decays to 0, {_num(p['num_cycles'])} cycles with hard restarts",
        "polynomial": lambda: f"polynomial decay (power {_num(p['power'])}) to lr_end {_num(p['lr_end'])}",
        "inverse_sqrt": lambda: f"inverse square root decay (timescale {p['timescale'] if p['timescale'] is not None else (w or 10_000)})",
        "cosine_with_min_lr": lambda: f"cosine decay to {_min_lr_words(node)}",
        "cosine_warmup_with_min_lr": lambda: f"cosine decay to {_min_lr_words(node)}, reached on the last step",
    }
    out.append((w, words[name]()))
    if name in _ENDS_AT_T:
        after = {
            "linear": "0 past num_training_steps",
            "cosine_with_restarts": "0 past num_training_steps",
            "polynomial": "lr_end past num_training_steps",
        }.get(name, "past num_training_steps the cosine goes on (transformers does not clamp it)")
        out.append((max(p["num_training_steps"], w), after))
    return out


def _stable_steps(node: SchedulerSpec) -> int:
    p = node.params
    if p["num_stable_steps"] is not None:
        return p["num_stable_steps"]
    return p["num_training_steps"] - p["num_warmup_steps"] - p["num_decay_steps"]


def _warmup_words(node: SchedulerSpec) -> str:
    p, name = node.params, _name(node)
    if name == "cosine_warmup_with_min_lr":
        start = f"warmup_lr_rate {_num(p['warmup_lr_rate'])}" if p["warmup_lr_rate"] is not None else f"1/{p['num_warmup_steps']}"
        return f"linear warmup from {start} of the lr"
    if name == "warmup_stable_decay":
        return f"{p['warmup_type']} warmup from {_num(p['min_lr_ratio'])} x the lr"
    return "linear warmup from 0"


def _min_lr_words(node: SchedulerSpec) -> str:
    p = node.params
    return f"min_lr {_num(p['min_lr'])}" if p["min_lr"] is not None else f"min_lr_rate {_num(p['min_lr_rate'])} x the lr"


def _metric_words(node: SchedulerSpec) -> str:
    p = node.params
    if _name(node) == "greedy":
        return f"GreedyLR: / {_num(p['factor'])} after {p['patience']} improving steps, x {_num(p['factor'])} after {p['patience']} bad ones"
    return f"ReduceLROnPlateau, x{_num(p['factor'])} after {p['patience']} bad steps"


# ----------------------------------------------------------------------------------------------


def events(spec: Spec) -> list[Event]:
    node, run = spec.scheduler, spec.run
    p, name = node.params, _name(node)
    found: list[tuple[float, str, str]] = []
    if not node.info.steps_on_metric and name != "constant" and p["num_warmup_steps"] > 0:
        found.append((p["num_warmup_steps"], "milestone", "end of warmup"))
    if name == "warmup_stable_decay":
        w, s, d = p["num_warmup_steps"], _stable_steps(node), p["num_decay_steps"]
        if s > 0:
            found.append((w + s, "milestone", "decay"))
        found.append((max(w + s + d, w), "milestone", "end of decay"))
    elif name == "cosine_with_restarts" and p["num_training_steps"] > p["num_warmup_steps"]:
        w, t, cycles = p["num_warmup_steps"], p["num_training_steps"], p["num_cycles"]
        # the cosine restarts where num_cycles * progress crosses a whole number
        for i in range(1, min(math.ceil(cycles), MAX_EVENTS_PER_KIND + 1)):
            found.append((w + math.ceil(i * (t - w) / cycles), "restart", "restart"))
    if name in _ENDS_AT_T and p["num_training_steps"] > p["num_warmup_steps"]:
        found.append((p["num_training_steps"], "milestone", "num_training_steps"))
    return [Event(scheduler_time_to_step(run, t), kind, label) for t, kind, label in found if 0 < t < run.length]


def phases(spec: Spec) -> list[Phase]:
    node, run = spec.scheduler, spec.run
    cuts = [(t, what) for t, what in _boundaries(node) if t < run.length]
    out = []
    for i, (t, what) in enumerate(cuts):
        end = cuts[i + 1][0] if i + 1 < len(cuts) else run.length
        if end > t:
            out.append(Phase(_to_step(spec, t), min(run.total_steps, _to_step(spec, end)), node, what))
    return out


def _to_step(spec: Spec, t: int) -> int:
    run = spec.run
    return t if run.step == "iteration" else t * run.steps_per_epoch


def summary(spec: Spec) -> str:
    """``transformers cosine_with_min_lr, warmup 3%, min_lr_rate 0.1``: the schedule in
    get_scheduler's words, its phases as shares of the run, short enough for a legend (titles and
    compare labels read it)."""
    node = spec.scheduler
    p = node.params
    total = p.get("num_training_steps") or spec.run.length
    words = [f"transformers {_name(node)}"]
    for prm in node.info.params:
        value = p.get(prm.name)
        if value is None or prm.name == "num_training_steps" and value == spec.run.length:
            continue
        if prm.name in ("num_warmup_steps", "num_decay_steps"):
            if value:
                words.append(f"{prm.name[4:-6]} {_share(value, total)}")
        elif not isinstance(prm.default, (int, float, str, bool)) or value != prm.default:
            words.append(f"{prm.name} {_short(value)}")
    return ", ".join(words)


def _share(steps: int, total: int) -> str:
    """A phase as a share of the run (3%, 0.5%), or in steps when the run has none."""
    if not total:
        return f"{steps:,} steps"
    pct = 100 * steps / total
    return f"{pct:.2g}%" if pct < 10 else f"{pct:.0f}%"


def _short(value) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(_short(v) for v in value) + "]"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _num(v) -> str:
    return f"{float(v):.4g}"
