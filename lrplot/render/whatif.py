"""What-if figures: the planned schedule, and over it what a resumed run or a stepping mistake trains with.

The planned figure is ``plot_trace``'s (events, momentum and metric panels included); each what-if
that changes the curve is drawn over it from where it can first differ, methods that give the same
curve share one line, and those that keep the planned curve or make the library raise are listed
in the legend.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .axes import per_x, pixel_columns, reduce_points
from .plot import plot_trace
from .style import Look, styled

if TYPE_CHECKING:
    from ..engine import Trace
    from ..whatif import Outcome

DASHES = ("--", "-.", ":", (0, (5, 1.5, 1, 1.5)), (0, (3, 1)), (0, (1, 1)), (0, (8, 2)))


def plot_whatif(trace: Trace, outcomes: Sequence[Outcome], look: Look = Look()) -> Figure:
    """The planned schedule with each what-if of ``outcomes`` drawn over it."""
    from ..whatif import off_plan

    fig = plot_trace(trace, look)
    with styled(look):
        ax = fig.axes[0]
        ax_m = fig.axes[1] if trace.momentum is not None else None
        planned_lines = [line for line in ax.get_lines() if (line.get_gid() or "").startswith("lr-")]
        if len(planned_lines) == 1:
            planned_lines[0].set_label("planned")
        curves: dict[bytes, list[Outcome]] = {}
        same, raising = [], []
        for o in outcomes:
            if o.error is not None:
                raising.append(o)
            elif not off_plan(o.lr, trace.lr).any():
                same.append(o)
            else:
                curves.setdefault(o.lr.tobytes(), []).append(o)
        # the style's colours after the planned groups' own
        cycle = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
        colors = [cycle[(len(trace.groups) + i) % len(cycle)] for i in range(len(cycle) - len(trace.groups))] or cycle
        columns = pixel_columns(fig)
        x_all = np.arange(len(trace) + 1) / per_x(trace)
        starts = sorted({o.start for o in outcomes if o.start > 0})
        for start in starts:
            ax.axvline(start / per_x(trace), color="#444444" if not look.dark else "#bbbbbb", lw=0.9, ls=(0, (1, 2)), gid="resume-point")
        handles: list = []
        for i, group in enumerate(curves.values()):
            o = group[0]
            label = ", ".join(_legend(g) for g in group)
            style = {"color": colors[i % len(colors)], "ls": DASHES[i % len(DASHES)], "lw": 1.6}
            k0 = min(g.start for g in group)
            momentum = o.momentum if o.momentum is not None and off_plan(o.momentum, trace.momentum).any() else None
            for values, axes in ((o.lr, ax), (momentum, ax_m)):
                if values is None or axes is None:
                    continue
                for g in range(values.shape[0]):
                    y = np.append(values[g, k0:], values[g, -1])
                    keep = reduce_points(y, columns) if columns else np.arange(y.size)
                    drawstyle = "steps-post" if keep.size == y.size else "default"
                    axes.plot(x_all[k0:][keep], y[keep], drawstyle=drawstyle, **style, gid=f"whatif-{o.name}")
            handles.append(Line2D([], [], **style, label=label))
        if same:
            handles.append(Line2D([], [], color="none", label=f"as planned: {', '.join(_legend(o) for o in same)}"))
        for o in raising:
            handles.append(Line2D([], [], color="none", marker="x", markeredgecolor=colors[-1], label=f"{_legend(o)}: {_short(o.error)}"))
        _refit(ax, True, look.log)
        if ax_m is not None:
            _refit(ax_m, False, False)
        base, base_labels = ax.get_legend_handles_labels()
        keep = [(h, lab) for h, lab in zip(base, base_labels) if not lab.startswith("_")]
        ax.legend(handles=[h for h, _ in keep] + handles, loc="best", fontsize=8)
        if starts:
            ax.annotate(
                "resumed", (starts[0] / per_x(trace), 1), xycoords=("data", "axes fraction"), xytext=(3, -3),
                textcoords="offset points", ha="left", va="top", fontsize=8, color=matplotlib.rcParams["text.color"],
            )
    return fig


def _legend(outcome: Outcome) -> str:
    # resume methods by the name --resume-method takes; mistakes in words
    return outcome.name if outcome.kind == "resume" else outcome.label


def _short(error: str) -> str:
    # "torch raises KeyError while resuming (param 'initial_lr' ...)" -> "torch raises KeyError while resuming"
    return error.split(" (", 1)[0]


def _refit(axes, lr_axis: bool, log: bool) -> None:
    """Fit the y axis to every curve drawn, the way the planned figure fits the planned one."""
    axes.set_autoscaley_on(True)
    axes.relim(visible_only=True)
    axes.autoscale_view(scalex=False)
    if lr_axis and not log:
        axes.set_ylim(bottom=min(0.0, axes.dataLim.y0 * 1.05))
