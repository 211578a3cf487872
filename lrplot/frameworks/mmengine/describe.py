"""mmengine's schedulers in moments and words: events to mark, phases to explain (pitfalls are check rules, in ``checks``).

A scheduler counts its own steps (epochs, or iterations with ``by_epoch`` false or
``convert_to_iter_based``) from its ``begin``; the value it sets at its step g trains from
iteration ``g * u`` on (u: the epoch's iterations for an epoch scheduler, 1 otherwise), and it
is active for g in ``[begin, end)``: ``end`` is exclusive. In an IterBasedTrainLoop an epoch
scheduler steps only after the last iteration, so it is never active.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...config import SchedulerSpec, Spec
from ...engine.events import MAX_EVENTS_PER_KIND, Event, Phase
from .records import INF
from .replica import effective


@dataclass(frozen=True)
class Span:
    """One scheduler on the iteration axis: its effective keywords and where it is active."""

    node: SchedulerSpec
    p: dict[str, Any]
    unit: int  # iterations per step of its own
    start: int  # first iteration it sets the value of
    stop: int  # first iteration it no longer sets (clipped to the run)

    @property
    def name(self) -> str:
        return self.node.info.library_name

    def at(self, step: int) -> int:
        """The iteration that trains with what the scheduler set at its own step ``step`` (from 0)."""
        return step * self.unit


def spans(spec: Spec) -> list[Span]:
    node, run = spec.scheduler, spec.run
    nodes = node.children if node.info.composite else (node,)
    n, L = run.total_steps, run.steps_per_epoch
    out = []
    for child in nodes:
        p = effective(child, L)
        if p["by_epoch"] and run.unit == "iteration":
            out.append(Span(child, p, L, n, n))  # steps only after the last iteration
            continue
        unit = L if p["by_epoch"] else 1
        end = n if p["end"] >= INF else min(n, p["end"] * unit)
        out.append(Span(child, p, unit, min(n, p["begin"] * unit), end))
    return out


def _short(v: Any) -> str:
    if isinstance(v, tuple):
        return "[" + ", ".join(_short(x) for x in v) + "]"
    return f"{v:g}" if isinstance(v, float) else str(v)


def _words(s: Span) -> str:
    p, name = s.p, s.name
    what = "momentum" if name.endswith("Momentum") else "lr"
    unit = "epoch" if p["by_epoch"] else "iteration"
    kind = name.removesuffix("LR").removesuffix("Momentum")
    if kind == "Linear":
        return f"{name}: {what} x {_short(p['start_factor'])} -> x {_short(p['end_factor'])}, reached at {unit} {p['end'] - 1} (end - 1)"
    if kind == "Constant":
        return f"{name}: {what} x {_short(p['factor'])} until {unit} {p['end'] - 1} (end - 1)"
    if kind == "Step":
        return f"{name}: {what} x {_short(p['gamma'])} every {p['step_size']} {unit}s from {unit} {p['begin']}"
    if kind == "MultiStep":
        at = [p["begin"] + m for m in p["milestones"]]
        return f"{name}: {what} x {_short(p['gamma'])} at {unit}s {at} (milestones {list(p['milestones'])} counted from begin {p['begin']})"
    if kind == "Exponential":
        return f"{name}: {what} x {_short(p['gamma'])} every {unit}"
    if kind == "CosineAnnealing":
        T = p["T_max"] or (p["end"] - p["begin"])
        eta = f"eta_min_ratio {_short(p['eta_min_ratio'])}" if p["eta_min_ratio"] is not None else f"eta_min {_short(p['eta_min'] or 0.0)}"
        return f"{name}: half a cosine to {eta} over T_max {T} {unit}s"
    if kind == "Poly":
        return f"{name}: polynomial (power {_short(p['power'])}) to eta_min {_short(p['eta_min'])} at {unit} {p['end'] - 1}"
    if kind == "CosineRestart":
        return f"{name}: cosine cycles of {list(p['periods'])} {unit}s, restart weights {_short(p['restart_weights'])}"
    if kind == "OneCycle":
        return f"{name}: one cycle up to eta_max {_short(p['eta_max'])} and down ({p['anneal_strategy']})"
    return f"{name}: {what} x {_short(p['factor'])} after {p['patience']} validations without improvement ({p['rule']} {p['monitor']})"


def phases(spec: Spec) -> list[Phase]:
    n = spec.run.total_steps
    all_spans = spans(spec)
    cuts = sorted({0, n, *(s.start for s in all_spans), *(s.stop for s in all_spans)})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        if b <= a:
            continue
        active = [s for s in all_spans if s.start <= a < s.stop]
        if not active:
            words = "no scheduler active: the values stay"
            node = spec.scheduler
        else:
            words = " + ".join(_words(s) for s in active)
            node = active[0].node
        out.append(Phase(a, b, node, words))
    return out


def events(spec: Spec) -> list[Event]:
    n = spec.run.total_steps
    out: list[Event] = []
    for s in spans(spec):
        p, kind = s.p, s.name.removesuffix("LR").removesuffix("Momentum")
        own: list[tuple[int, str, str]] = []
        if s.start > 0 and s.start < n:
            own.append((s.start, "switch", f"{s.name} begins"))
        if kind in ("Linear", "Constant") and p["end"] < INF:
            own.append((s.at(p["end"] - 1), "milestone", "end of warmup" if kind == "Linear" else f"{s.name} ends"))
        elif kind == "MultiStep":
            own += [(s.at(p["begin"] + m), "milestone", f"x{p['gamma'] ** list(p['milestones']).count(m):g}") for m in sorted(set(p["milestones"]))
                    if p["begin"] + m < p["end"]]
        elif kind == "Step":
            first, period = p["begin"] + p["step_size"], p["step_size"]
            count = max(0, (min(p["end"], first + period * MAX_EVENTS_PER_KIND) - first + period - 1) // period)
            own += [(s.at(first + j * period), "milestone", f"x{p['gamma']:g}") for j in range(min(count, MAX_EVENTS_PER_KIND))]
        elif kind == "CosineRestart":
            total = 0
            for period in list(p["periods"])[:-1]:
                total += period
                if p["begin"] + total < p["end"]:
                    own.append((s.at(p["begin"] + total), "restart", "restart"))
        out += [Event(k, kind_, label) for k, kind_, label in own if s.start <= k < s.stop or kind_ == "switch"]
    return [e for e in out if 0 < e.step < n]


def summary(spec: Spec) -> str:
    """``mmengine LinearLR (iterations 0-499) + MultiStepLR (epochs 0-11)``: the schedulers and their ranges."""
    parts = []
    for s in spans(spec):
        unit = "epoch" if s.p["by_epoch"] else "iteration"
        end = "" if s.p["end"] >= INF else f"-{s.p['end'] - 1}"
        extra = ""
        if s.name.startswith("MultiStep"):
            extra = f" {list(s.p['milestones'])}"
        parts.append(f"{s.name}{extra} ({unit}s {s.p['begin']}{end})")
    return "mmengine " + " + ".join(parts)
