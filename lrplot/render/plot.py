"""One schedule: lr against epoch or iteration, a changing momentum and the metric in panels below,
events marked, a short warmup zoomed in an inset."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import Bbox

from ..chart import View, merge_groups, momentum_note, scale_exponent, scaled, secondary, title as chart_title, varies, visible_steps, warmup_end, x_axis
from .axes import (
    axes_x, count_axis, draw_metric, log_axis, draw_series, margins, mark_events, mark_zeros, note, pixel_columns,
    title, title_lines, value_axis, vline,
)
from .layout import Obstacles, add_headroom, free_place, place_legend
from .style import Look, literal, styled

if TYPE_CHECKING:
    from ..engine import Trace
    from ..engine.whatif import Outcome

INSET = (0.36, 0.40)  # the warmup inset's share of the lr axes (width, height)


def plot_trace(trace: Trace, look: Look = Look(), *, reduce: bool = True, view: View = View(), overlays: Sequence[Outcome] = ()) -> Figure:
    """lr against epoch, one line per distinct param-group curve; a changing momentum and the metric
    in panels below; events marked; a warmup too short to see zoomed in an inset; ``overlays``
    (lrplot.engine.whatif's resumes and stepping mistakes) over the lr."""
    from ..engine.events import find_events

    look.check()
    with styled(look):
        axis = x_axis([trace], view.x)
        steps = visible_steps(trace, axis, view.xlim)
        series = merge_groups(trace.lr, trace.groups)
        momentum = merge_groups(trace.momentum, trace.groups) if trace.momentum is not None and varies(trace.momentum) else None
        panels = ["lr"] + (["momentum"] if momentum else []) + (["metric"] if trace.metric is not None else [])
        ratios = {"lr": 2.2, "momentum": 1.0, "metric": 1.5}
        height = 3.9 + sum({"momentum": 1.3, "metric": 1.9}[p] for p in panels[1:])
        size = look.size or (7.0, height)
        look.check_pixels(size)  # before the figure allocates anything
        fig = Figure(figsize=size, dpi=look.dpi)
        canvas = FigureCanvasAgg(fig)
        axes = np.atleast_1d(fig.subplots(len(panels), 1, sharex=True, height_ratios=[ratios[p] for p in panels]))
        by_panel = dict(zip(panels, axes))
        ax = by_panel["lr"]
        on_top = secondary(trace, axis)
        lines = title_lines(fig, look.title or chart_title(trace))
        remark = momentum_note(trace)
        margins(fig, top_axis=on_top is not None, title_lines=len(lines), noted=bool(remark))
        title(fig, lines)
        columns = pixel_columns(fig) if reduce else 0
        many = len(series) > 1
        shown = np.concatenate([s.values[steps[0] : steps[1]] for s in series])
        exponent = scale_exponent(shown, look.log)
        drawn = draw_series(ax, axis, trace, series, steps, columns, exponent, lw=1.8)
        value_axis(ax, "learning rate", scaled(shown, exponent), exponent, look.log)
        events = find_events(trace)
        handles = [(line, line.get_label()) for line in drawn] if many else []
        handles += mark_events(ax, axis, trace, events, exponent, steps)
        if look.log:
            handles += mark_zeros(ax, axis, trace, series, steps, [line.get_color() for line in drawn])
        if overlays:
            from .whatif import draw_overlays

            handles = draw_overlays(ax, axis, trace, overlays, steps, columns, exponent, look.log, drawn, handles)
        if momentum:
            ax_m = by_panel["momentum"]
            values = np.concatenate([s.values for s in momentum])
            m_exponent = scale_exponent(values)
            draw_series(ax_m, axis, trace, momentum, steps, columns, m_exponent, lw=1.4, gid="momentum")
            value_axis(ax_m, "beta1" if trace.spec.optimizer.betas is not None else "momentum", scaled(values, m_exponent), m_exponent, log=False, from_zero=False)
            if len(momentum) > 1:
                place_legend(ax_m, ax_m.get_lines(), [literal(s.label) for s in momentum], canvas.get_renderer(), fontsize=8)
        for other in axes[1:]:
            for e in events:
                if e.kind in ("switch", "restart", "reduction") and steps[0] < e.step < steps[1]:
                    other.axvline(e.step / axis.steps_per_x(trace), **vline(e.kind), gid=f"event-{e.kind}")
        per = axis.steps_per_x(trace)
        axes_x(ax, axes[-1], axis, steps[0] / per, steps[1] / per, on_top)
        if "metric" in by_panel:
            draw_metric(by_panel["metric"], axis, trace, canvas.get_renderer())
        avoid = []
        end = warmup_end(series)
        if end is not None and view.xlim is None:
            avoid.append(warmup_inset(ax, axis, trace, series, end, exponent, look.log, canvas.get_renderer()))
        if handles:
            place_legend(ax, [h for h, _ in handles], [t for _, t in handles], canvas.get_renderer(), avoid=avoid)
        if remark:
            note(fig, remark)
    return fig


def warmup_inset(ax, axis, trace: Trace, series, end: int, exponent: int, log: bool, renderer) -> Bbox:
    """The first steps of the run, twice the warmup, in an inset off the data; returns its place."""
    fig = ax.figure
    pos = ax.get_position()
    fig_w, fig_h = fig.get_size_inches()
    w_in, h_in = pos.width * fig_w, pos.height * fig_h
    # room for the inset's tick labels (left, below) and its title (above), in axes fraction
    left, below, above = 0.42 / w_in, 0.22 / h_in, 0.2 / h_in
    w, h = INSET
    box_w, box_h = w + left, h + below + above
    obstacles = Obstacles(ax, renderer)
    spot = free_place(obstacles, box_w, box_h)
    if spot is None:
        add_headroom(ax, box_h + 0.04, obstacles.top())
        spot = (1 - 0.02 - box_w, 1 - 0.02 - box_h)
    x0, y0 = spot[0] + left, spot[1] + below
    inset = ax.inset_axes([x0, y0, w, h])
    inset.set_gid("warmup-inset")
    stop = min(len(trace), 2 * end)
    draw_series(inset, axis, trace, series, (0, stop), 0, exponent, lw=1.4)
    if log:
        log_axis(inset)
        inset.tick_params(labelleft=False)  # a warmup spans less than a decade: its log ticks crowd
    per = axis.steps_per_x(trace)
    inset.set_xlim(0, stop / per)
    inset.tick_params(labelsize=7, length=2, pad=1)
    if axis.unit != "progress":
        count_axis(inset.xaxis)
        inset.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
    inset.yaxis.set_major_locator(MaxNLocator(nbins=3))
    for spine in inset.spines.values():
        spine.set_visible(True)
        spine.set_color("#999999")
    inset.grid(True, lw=0.4)
    unit = "iterations" if axis.unit == "iteration" else f"{axis.label}s"
    inset.set_title(f"warmup: the first {stop / per:,.4g} {unit}", fontsize=7, loc="left", pad=2)
    return Bbox.from_bounds(*spot, box_w, box_h)
