"""One schedule: lr against epoch or iteration, momentum and the metric in panels below, events marked."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .axes import axes_lr, axes_x, pixel_columns, default_title, draw_groups, draw_metric, margins, mark_events, per_x, secondary, title, vline, x_unit
from .style import Look, styled

if TYPE_CHECKING:
    from ..engine import Trace


def plot_trace(trace: Trace, look: Look = Look(), *, reduce: bool = True) -> Figure:
    """lr against epoch, one line per param group; momentum and the metric in panels below; events marked."""
    from ..engine.events import find_events

    look.check()
    with styled(look):
        panels = ["lr"] + (["momentum"] if trace.momentum is not None else []) + (["metric"] if trace.metric is not None else [])
        ratios = {"lr": 2.2, "momentum": 1.0, "metric": 1.5}
        height = 3.9 + sum({"momentum": 1.3, "metric": 1.9}[p] for p in panels[1:])
        fig = Figure(figsize=look.size or (7.0, height), dpi=look.dpi)
        FigureCanvasAgg(fig)
        axes = np.atleast_1d(fig.subplots(len(panels), 1, sharex=True, height_ratios=[ratios[p] for p in panels]))
        by_panel = dict(zip(panels, axes))
        ax = by_panel["lr"]
        margins(fig, top_axis=secondary(trace) is not None)
        columns = pixel_columns(fig) if reduce else 0
        many = len(trace.groups) > 1
        lines = draw_groups(ax, trace, trace.lr, columns, lw=1.8, labels=many)
        axes_lr(ax, trace.lr, look.log)
        title(fig, look.title or default_title(trace))
        events = find_events(trace)
        mark_events(ax, trace, events, lines)
        if "momentum" in by_panel:
            ax_m = by_panel["momentum"]
            draw_groups(ax_m, trace, trace.momentum, columns, lw=1.4, labels=False)
            ax_m.set_ylabel("beta1" if trace.spec.optimizer.betas is not None else "momentum")
        if "metric" in by_panel:
            draw_metric(by_panel["metric"], trace, events)
        for other in axes[1:]:
            for e in events:
                if e.kind in ("switch", "restart", "reduction"):
                    other.axvline(e.step / per_x(trace), **vline(e.kind), gid=f"event-{e.kind}")
        axes_x(ax, axes[-1], x_unit(trace), len(trace) / per_x(trace), secondary(trace))
        if many or events:
            ax.legend(loc="best")
    return fig
