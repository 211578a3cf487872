"""The user's function in moments and words: a phase per statement that gives the lr (``return
min_lr`` after the decay), switches where the loop's calls move from one to the next."""

from __future__ import annotations

import numpy as np

from ...config import Spec
from ...engine.events import MAX_EVENTS_PER_KIND, Event, Phase
from .schedule import lrs

MAX_PHASES = 12


def _runs(spec: Spec) -> list[tuple[int, int, int]]:
    """(start, end, line) of each stretch of optimizer steps whose group-0 lr one statement gave."""
    schedule = spec.scheduler.params["translated"]
    _, lines = lrs(schedule, spec.run, [g.lr for g in spec.optimizer.groups], False)
    if lines.size == 0:
        return []
    cuts = np.nonzero(np.diff(lines))[0] + 1
    bounds = [0, *cuts.tolist(), lines.size]
    return [(a, b, int(lines[a])) for a, b in zip(bounds, bounds[1:])]


def events(spec: Spec) -> list[Event]:
    runs = _runs(spec)
    if len(runs) > MAX_EVENTS_PER_KIND:
        return []
    return [Event(a, "switch", f"line {line}") for a, _, line in runs[1:]]


def phases(spec: Spec) -> list[Phase]:
    schedule = spec.scheduler.params["translated"]
    part = schedule.parts[0]
    runs = _runs(spec)
    if len(runs) > MAX_PHASES:
        return [Phase(0, spec.run.total_steps, spec.scheduler, f"{part.program.where}, called {part.call} at {part.when.replace('_', ' ')}")]
    out = []
    for a, b, line in runs:
        if line == 0:
            words = "the optimizer's own lr (no call has set it yet)"
        else:
            text = _line_text(schedule, line)
            words = f"line {line}: {text}"
        out.append(Phase(a, b, spec.scheduler, words))
    return out


def _line_text(schedule, line: int) -> str:
    for part in schedule.parts:
        lines = part.source.splitlines()
        if part.first_line <= line < part.first_line + len(lines):
            return lines[line - part.first_line].strip()
    return ""


def summary(spec: Spec) -> str:
    schedule = spec.scheduler.params["translated"]
    return " + ".join(p.program.where.rsplit("/", 1)[-1] for p in schedule.parts)
