"""What-if overlays: over the planned lr, what a resumed run or a stepping mistake trains with.

``plot_trace(trace, overlays=...)`` calls :func:`draw_overlays` once the planned curve is drawn.
Each what-if that changes the curve is drawn from where it can first differ; what-ifs that give the
same curve share one line; one that makes the library raise is drawn up to the step where it
raises and marked there with a cross; those that keep the planned curve are named in a note.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import matplotlib
import numpy as np
from matplotlib.lines import Line2D

from ..chart import Series, scaled
from .axes import draw_series, value_axis
from .layout import Entry
from .style import Fonts, literal

if TYPE_CHECKING:
    from ..chart import XAxis
    from ..engine import Trace
    from ..engine.whatif import Outcome

DASHES = ("--", "-.", ":", (0, (5, 1.5, 1, 1.5)), (0, (3, 1)), (0, (1, 1)), (0, (8, 2)))
INVISIBLE = 0.01  # a what-if closer than this share of the axis to the plan is drawn where it cannot be seen: the legend says so


def draw_overlays(ax, axis: XAxis, trace: Trace, outcomes: Sequence[Outcome], steps: tuple[int, int], columns: int,
                  exponent: int, log: bool, planned: list, entries: list[Entry], fonts: Fonts) -> tuple[list[Entry], list[str]]:
    """Draw ``outcomes`` over the planned lines (``planned``) on the lr axes; the legend's entries
    and the notes under the figure."""
    from ..engine.whatif import off_plan

    curves: dict[bytes, list[Outcome]] = {}
    same, raising = [], []
    for o in outcomes:
        if o.error is not None:
            raising.append(o)
        elif not off_plan(o.lr, trace.lr).any():
            same.append(o)
        else:
            curves.setdefault(o.lr.tobytes(), []).append(o)
    out = list(entries) if len(planned) > 1 else [Entry(planned[0], "planned"), *entries]
    # the style's colours after the planned groups' own
    cycle = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
    colors = [cycle[(len(planned) + i) % len(cycle)] for i in range(len(cycle))]
    per = axis.steps_per_x(trace)
    start, stop = steps
    resumed = sorted({o.start for o in outcomes if o.kind == "resume" and start < o.start < stop})
    for i, k in enumerate(resumed):
        rule = ax.axvline(k / per, color=matplotlib.rcParams["axes.edgecolor"], lw=0.9, ls=(0, (1, 2)), gid=f"resume-point-{i}")
        out.append(Entry(rule, f"resumed at {trace.spec.run.at(k)}", essential=False))
    values = [scaled(trace.lr[:, start:stop].ravel(), exponent)]
    low, high = (float(v) for v in (np.nanmin(values[0]), np.nanmax(values[0]))) if values[0].size else (0.0, 1.0)
    style_index = 0

    def next_style() -> dict:
        nonlocal style_index
        style = {"color": colors[style_index % len(colors)], "ls": DASHES[style_index % len(DASHES)]}
        style_index += 1
        return style

    for group in curves.values():
        o = group[0]
        style = next_style()
        # from where it can first differ (the resume), drawn in whole steps like the plan
        first = max(start, min(g.start for g in group))
        if first >= stop:  # it resumes after the zoom's end: nothing of it to draw (its colour kept, as unzoomed)
            continue
        series = [Series((name,), o.lr[g]) for g, name in enumerate(trace.groups)]
        draw_series(ax, axis, trace, series, (first, stop), columns, exponent, lw=1.6, gid=f"whatif-{o.name}", **style)
        values += [scaled(s.values[first:stop], exponent) for s in series]
        label = ", ".join(_legend(g) for g in group)
        off = float(np.abs(o.lr[:, first:stop] - trace.lr[:, first:stop]).max(initial=0.0))
        if not log and float(scaled(np.array([off]), exponent)[0]) < INVISIBLE * (high - low):
            label += f" (at most {_percent(off / float(np.abs(trace.lr).max()))} of the peak off the plan)"
        out.append(Entry(Line2D([], [], lw=1.6, **style), literal(label), short=literal(", ".join(g.name for g in group))))
    # a raise: the steps trained until then, and a cross where it raises (what-ifs raising at the
    # same point with the same error share one mark)
    marks: dict[tuple[int, str], list[Outcome]] = {}
    for o in raising:
        trained = o.lr.shape[1] if o.lr is not None else o.start
        marks.setdefault((trained, _short(o.error)), []).append(o)
    for (trained, error), group in marks.items():
        o = group[0]
        style = next_style()
        first = max(start, o.start)
        end = min(stop, trained)
        lr = o.lr if o.lr is not None else trace.lr[:, :trained]
        if end > first and o.lr is not None and o.lr.shape[1] > o.start:
            series = [Series((name,), lr[g]) for g, name in enumerate(trace.groups)]
            draw_series(ax, axis, trace, series, (first, end), columns, exponent, lw=1.6, gid=f"whatif-{o.name}", **style)
            values += [scaled(s.values[first:end], exponent) for s in series]
        if start < trained <= stop and trained > 0:
            ys = scaled(lr[:, trained - 1], exponent)
            ax.plot([trained / per] * len(ys), ys, ls="none", marker="X", ms=7, mew=0.6, mec=matplotlib.rcParams["axes.facecolor"], color=style["color"], gid=f"raises-{o.name}")
        handle = Line2D([], [], lw=1.6, marker="X", ms=7, mew=0.6, mec=matplotlib.rcParams["axes.facecolor"], **style)
        names = ", ".join(g.name for g in group)
        out.append(Entry(handle, literal(f"{', '.join(_legend(g) for g in group)}: {error}"), short=literal(f"{names}: raises")))
    value_axis(ax, "learning rate", np.concatenate(values), exponent, log, fonts)  # room for every curve drawn
    notes = [literal(f"as planned: {', '.join(_legend(o) for o in same)}")] if same else []
    return out, notes


def drawn_values(outcomes: Sequence[Outcome], steps: tuple[int, int]) -> list[np.ndarray]:
    """The lr of every what-if curve inside the shown ``steps`` (each from where it can differ): with
    the plan's, what the axis's scale is chosen from (a restart's spike to 0.33 over a plan in units
    of 10⁻⁴ read 3,300)."""
    start, stop = steps
    out = []
    for o in outcomes:
        if o.lr is not None:
            part = o.lr[:, max(start, o.start) : stop]
            if part.size:
                out.append(part.ravel())
    return out


def _percent(share: float) -> str:
    return f"{100 * share:.1g}%" if share >= 0.001 else "0.1%"


def _legend(outcome: Outcome) -> str:
    # resume methods by the name --resume-method takes; mistakes in words
    return outcome.name if outcome.kind == "resume" else outcome.label


def _short(error: str) -> str:
    # "torch raises KeyError while resuming (param 'initial_lr' ...)" -> "torch raises KeyError while resuming"
    return error.split(" (", 1)[0]
