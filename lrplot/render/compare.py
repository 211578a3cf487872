"""Several schedules in one figure: overlaid on one axes, or as a grid of small multiples."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Sequence

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..errors import ConfigError
from .axes import axes_lr, axes_x, pixel_columns, common_unit, draw_groups, margins, metric_points, per_x, secondary, title, x_unit
from .style import Look, styled

if TYPE_CHECKING:
    from ..engine import Trace


def compare_traces(traces: Sequence[Trace], labels: Sequence[str], look: Look = Look(), layout: str = "overlay") -> Figure:
    """Several schedules in one figure: overlaid on one axes, or as a grid of small multiples."""
    look.check()
    with styled(look):
        n = len(traces)
        if layout == "grid":
            cols = min(3, n)
            rows = math.ceil(n / cols)
            fig = Figure(figsize=look.size or (3.4 * cols, 2.6 * rows + 0.4), dpi=look.dpi, layout="constrained")
            FigureCanvasAgg(fig)
            axes = np.atleast_1d(fig.subplots(rows, cols, sharex=True, sharey=True, squeeze=False)).ravel()
            colors = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
            unit = common_unit(traces)
            for i, (trace, label, ax) in enumerate(zip(traces, labels, axes)):
                draw_groups(ax, trace, trace.lr, pixel_columns(fig) // cols, lw=1.5, labels=len(trace.groups) > 1, color=None if len(trace.groups) > 1 else colors[i % len(colors)], steps_per_x=per_x(trace, unit))
                ax.set_title(label, fontsize=9)
                ax.set_xlim(0, max(len(t) / per_x(t, unit) for t in traces))
                if i % cols == 0:
                    ax.set_ylabel("learning rate")
                if i >= n - cols:
                    ax.set_xlabel(unit)
            for ax in axes[n:]:
                ax.set_visible(False)
            low = min(float(t.lr.min()) for t in traces)
            if look.log:
                axes_lr(axes[0], np.concatenate([t.lr.ravel() for t in traces]), True)
            else:
                axes[0].set_ylim(bottom=min(0.0, low * 1.05))
            if look.title:
                fig.suptitle(look.title, x=0.01, ha="left")
        elif layout == "overlay":
            with_metric = any(t.metric is not None for t in traces)
            fig = Figure(figsize=look.size or (7.0, 6.2 if with_metric else 4.2), dpi=look.dpi)
            FigureCanvasAgg(fig)
            if with_metric:
                ax, ax_metric = fig.subplots(2, 1, sharex=True, height_ratios=[2.2, 1.5])
            else:
                ax, ax_metric = fig.subplots(1, 1), None
            # A second count on top only means something when every schedule has the same one.
            unit = common_unit(traces)
            shared = {(x_unit(t), secondary(t)) for t in traces}
            on_top = shared.pop()[1] if len(shared) == 1 else None
            margins(fig, top_axis=on_top is not None)
            colors = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
            for i, (trace, label) in enumerate(zip(traces, labels)):
                many = len(trace.groups) > 1
                color = None if many else colors[i % len(colors)]
                draw_groups(ax, trace, trace.lr, pixel_columns(fig), lw=1.7, labels=many, prefix=f"{label}: " if many else label, color=color, steps_per_x=per_x(trace, unit))
                if ax_metric is not None and trace.metric is not None:
                    x, y = metric_points(trace, unit)
                    ax_metric.plot(x, y, lw=1.2, color=color, label=label, gid=f"metric-{label}")
            axes_lr(ax, np.concatenate([t.lr.ravel() for t in traces]), look.log)
            if ax_metric is not None:
                ax_metric.set_ylabel("metric")
            axes_x(ax, ax_metric if ax_metric is not None else ax, unit, max(len(t) / per_x(t, unit) for t in traces), on_top)
            title(fig, look.title or "learning-rate schedules")
            ax.legend(loc="best")
        else:
            raise ConfigError("--layout", f"must be overlay or grid, got {layout!r}")
    return fig
