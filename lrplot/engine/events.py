"""What a schedule does, in moments and phases: events to mark on a figure, phases to put in words.

Each framework's ``describe`` module derives them from the config's structure (where a scheduler
decays, switches or restarts; where a warmup ends) and places them on the optimizer-step axis the
way its loop steps the scheduler. Plateau reductions, which depend on the metric, are read off the
trace itself.
"""

from __future__ import annotations

from typing import Any

from ..frozen import record


MAX_EVENTS_PER_KIND = 60  # StepLR(step_size=1) would otherwise mark every step
KINDS = ("switch", "branch", "milestone", "restart", "reduction")


@record
class Event:
    step: int  # the first optimizer step that trains with the changed lr
    kind: str  # milestone | switch | branch (of a user's own function) | restart | reduction
    label: str


@record
class Phase:
    start: int  # optimizer steps [start, end)
    end: int
    node: Any  # the SchedulerSpec whose behaviour this is
    what: str  # plain words; "" lets the numbers speak (listed levels)


def find_events(trace) -> tuple[Event, ...]:
    spec = trace.spec
    n = len(trace)
    events: list[Event] = list(spec.family.part("describe").events(spec))
    if trace.plateau is not None:
        # Where the patience ran out and the lr did drop (min_lr or eps can hold it): read off the
        # scheduler's own log, since other changes (timm's noise, a warmup) move the lr too.
        log = trace.plateau
        after = log.at[log.reduced.astype(bool)] + 1
        after = after[after < n]
        drops = after[(trace.lr[:, after] < trace.lr[:, after - 1]).any(axis=0)]
        events += [Event(int(k), "reduction", "reduce") for k in drops]
    events = [e for e in events if 0 < e.step < n]
    out: list[Event] = []
    for kind in KINDS:
        same = sorted({(e.step, e.label): e for e in events if e.kind == kind}.values(), key=lambda e: e.step)
        out += same[:MAX_EVENTS_PER_KIND]
    return tuple(sorted(out, key=lambda e: (e.step, e.kind)))


def scheduler_time_to_step(run, t: float) -> int:
    """The first optimizer step whose lr reflects scheduler time ``t`` (torch's stepping)."""
    if run.step == "epoch":
        return int(t * run.steps_per_epoch)
    if run.step == "iteration":
        return int(t)
    # fractional: the lr of step k is set by step(t) after step k - 1
    return int(round(t * run.steps_per_epoch)) + 1
