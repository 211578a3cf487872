"""The user's function in moments and words: a phase per statement that gives the lr (``return
min_lr`` after the decay), switches where the loop's calls move from one to the next."""

from __future__ import annotations

import numpy as np

from ...config import Spec
from ...engine.events import MAX_EVENTS_PER_KIND, Event, Phase
from .schedule import lrs

MAX_PHASES = 12


MAX_STAIRS = 20  # an lr that changes this few times is a staircase: each change is marked


def _runs(spec: Spec, lines: np.ndarray | None = None) -> list[tuple[int, int, int]]:
    """(start, end, line) of each stretch of optimizer steps whose group-0 lr one statement gave."""
    if lines is None:
        _, lines = lrs(spec.scheduler.params["translated"], spec.run, [g.lr for g in spec.optimizer.groups], False)
    if lines.size == 0:
        return []
    cuts = np.nonzero(np.diff(lines))[0] + 1
    bounds = [0, *cuts.tolist(), lines.size]
    return [(a, b, int(lines[a])) for a, b in zip(bounds, bounds[1:])]


def events(spec: Spec) -> list[Event]:
    lr, lines = lrs(spec.scheduler.params["translated"], spec.run, [g.lr for g in spec.optimizer.groups], False)
    runs = _runs(spec, lines)
    out = [Event(a, "branch", f"line {line}") for a, _, line in runs[1:]] if len(runs) <= MAX_EVENTS_PER_KIND else []
    if lr.shape[1] > 1:
        jumps = np.nonzero(lr[0, 1:] != lr[0, :-1])[0] + 1
        if 0 < jumps.size <= MAX_STAIRS:
            out += [Event(int(k), "milestone", f"x{lr[0, k] / lr[0, k - 1]:.3g}" if lr[0, k - 1] else "") for k in jumps]
    return out


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
            return lines[line - part.first_line].strip().removeprefix("# ")  # (the loop's line, where it does not call the function)
    return ""


def summary(spec: Spec) -> str:
    schedule = spec.scheduler.params["translated"]
    return " + ".join(p.program.where.rsplit("/", 1)[-1] for p in schedule.parts)
