"""Moments worth marking on a figure: milestones, SequentialLR switches, restarts, plateau reductions.

Events come from the config's structure (where a scheduler decays, switches or restarts), placed on
the optimizer-step axis the way the run steps the scheduler; plateau reductions, which depend on the
metric, are read off the trace itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import SchedulerSpec

MAX_EVENTS_PER_KIND = 60  # StepLR(step_size=1) would otherwise mark every step


@dataclass(frozen=True)
class Event:
    step: int  # the first optimizer step that trains with the changed lr
    kind: str  # milestone | switch | restart | reduction
    label: str


def find_events(trace) -> tuple[Event, ...]:
    spec = trace.spec
    run = spec.run
    n = len(trace)
    found: list[Event] = []
    _walk(spec.scheduler, 0, run.length, found)
    # scheduler time -> the first optimizer step whose lr reflects it
    if run.step == "epoch":
        to_step = lambda t: t * run.steps_per_epoch  # noqa: E731
    elif run.step == "iteration":
        to_step = lambda t: t  # noqa: E731
    else:  # fractional: the lr of step k is set by step(t) after step k - 1
        to_step = lambda t: int(round(t * run.steps_per_epoch)) + 1  # noqa: E731
    events = [Event(int(to_step(e.step)), e.kind, e.label) for e in found]
    if spec.scheduler.type == "ReduceLROnPlateau":
        drops = np.nonzero((trace.lr[:, 1:] < trace.lr[:, :-1]).any(axis=0))[0] + 1
        events += [Event(int(k), "reduction", "reduce") for k in drops]
    events = [e for e in events if 0 < e.step < n]
    out: list[Event] = []
    for kind in ("switch", "milestone", "restart", "reduction"):
        same = sorted({(e.step, e.label): e for e in events if e.kind == kind}.values(), key=lambda e: e.step)
        out += same[:MAX_EVENTS_PER_KIND]
    return tuple(sorted(out, key=lambda e: (e.step, e.kind)))


def _walk(node: SchedulerSpec, offset: int, length: int, out: list[Event]) -> None:
    """Events of ``node`` active from scheduler time ``offset`` for ``length`` steps."""
    p = node.params
    if node.type == "SequentialLR":
        bounds = [0, *p["milestones"], max(length, *p["milestones"]) if p["milestones"] else length]
        for i, child in enumerate(node.children):
            start = bounds[i]
            if i > 0 and start < length:
                out.append(Event(offset + start, "switch", child.type))
            _walk(child, offset + start, bounds[i + 1] - start, out)
    elif node.type == "ChainedScheduler":
        for child in node.children:
            _walk(child, offset, length, out)
    elif node.type == "StepLR":
        for t in range(p["step_size"], min(length, p["step_size"] * (MAX_EVENTS_PER_KIND + 1)), p["step_size"]):
            out.append(Event(offset + t, "milestone", f"x{p['gamma']:g}"))
    elif node.type == "MultiStepLR":
        for t in sorted(set(p["milestones"])):
            if 0 < t < length:
                out.append(Event(offset + t, "milestone", f"x{p['gamma'] ** p['milestones'].count(t):g}"))
    elif node.type == "CosineAnnealingWarmRestarts":
        t, period = p["T_0"], p["T_0"]
        while t < length and len(out) < 10 * MAX_EVENTS_PER_KIND:
            out.append(Event(offset + t, "restart", "restart"))
            period *= p["T_mult"]
            t += period
    elif node.type in ("ConstantLR", "LinearLR") and 0 < p["total_iters"] < length:
        out.append(Event(offset + p["total_iters"], "milestone", "end of " + ("warmup" if node.type == "LinearLR" else "factor")))
