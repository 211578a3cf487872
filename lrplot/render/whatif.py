"""What-if overlays: over the planned lr, what a resumed run or a stepping mistake trains with.

``plot_trace(trace, overlays=...)`` calls :func:`draw_overlays` once the planned curve is drawn.
Each what-if that changes the curve is drawn from where it can first differ; what-ifs that give the
same curve share one line; those that keep the planned curve, or make the library raise, are
listed in the legend.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import matplotlib
import numpy as np
from matplotlib.lines import Line2D

from ..chart import Series, scaled
from .axes import draw_series, value_axis
from .style import literal

if TYPE_CHECKING:
    from ..chart import XAxis
    from ..engine import Trace
    from ..engine.whatif import Outcome

DASHES = ("--", "-.", ":", (0, (5, 1.5, 1, 1.5)), (0, (3, 1)), (0, (1, 1)), (0, (8, 2)))


def draw_overlays(ax, axis: XAxis, trace: Trace, outcomes: Sequence[Outcome], steps: tuple[int, int], columns: int,
                  exponent: int, log: bool, planned: list, handles: list) -> list:
    """Draw ``outcomes`` over the planned lines (``planned``) on the lr axes; the legend's handles."""
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
    out = list(handles) if len(planned) > 1 else [(planned[0], "planned"), *handles]
    # the style's colours after the planned groups' own
    cycle = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
    colors = [cycle[(len(planned) + i) % len(cycle)] for i in range(len(cycle))]
    per = axis.steps_per_x(trace)
    start, stop = steps
    for k in sorted({o.start for o in outcomes if start < o.start < stop}):
        ax.axvline(k / per, color=matplotlib.rcParams["axes.edgecolor"], lw=0.9, ls=(0, (1, 2)), gid="resume-point")
        ax.annotate("resumed", (k / per, 1), xycoords=("data", "axes fraction"), xytext=(3, -3), textcoords="offset points",
                    ha="left", va="top", fontsize=8, color=matplotlib.rcParams["text.color"], gid="resume-label")
    values = [scaled(trace.lr[:, start:stop].ravel(), exponent)]
    for i, group in enumerate(curves.values()):
        o = group[0]
        style = {"color": colors[i % len(colors)], "ls": DASHES[i % len(DASHES)]}
        # from where it can first differ (the resume), drawn in whole steps like the plan
        first = max(start, min(g.start for g in group))
        series = [Series((name,), o.lr[g]) for g, name in enumerate(trace.groups)]
        draw_series(ax, axis, trace, series, (first, stop), columns, exponent, lw=1.6, gid=f"whatif-{o.name}", **style)
        values += [scaled(s.values[first:stop], exponent) for s in series]
        out.append((Line2D([], [], lw=1.6, **style), literal(", ".join(_legend(g) for g in group))))
    if same:
        out.append((Line2D([], [], color="none"), literal(f"as planned: {', '.join(_legend(o) for o in same)}")))
    for o in raising:
        out.append((Line2D([], [], color="none", marker="x", markeredgecolor=colors[0]), literal(f"{_legend(o)}: {_short(o.error)}")))
    value_axis(ax, "learning rate", np.concatenate(values), exponent, log)  # room for every curve drawn
    return out


def _legend(outcome: Outcome) -> str:
    # resume methods by the name --resume-method takes; mistakes in words
    return outcome.name if outcome.kind == "resume" else outcome.label


def _short(error: str) -> str:
    # "torch raises KeyError while resuming (param 'initial_lr' ...)" -> "torch raises KeyError while resuming"
    return error.split(" (", 1)[0]
