"""Several schedules in one figure: overlaid on one axes, or as a grid of small multiples."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Sequence

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ..chart import View, XAxis, merge_groups, normalized, scale_exponent, scale_note, scaled, secondary, superscript, unique_labels, visible_steps, x_axis
from ..errors import ConfigError
from .axes import CountFormatter, axes_x, draw_series, mark_zeros, metric_points, pixel_columns, value_axis
from .layout import EDGE_IN, STEPS, Entry, Frame, Grid, GridPanel
from .style import Fonts, Look, literal, styled, unique_ids

if TYPE_CHECKING:
    from ..engine import Trace

# A line that would hide under an earlier one gets the first of these its neighbours do not use.
DASHES = ["-", (0, (6, 2.5)), (0, (1.5, 1.5)), (0, (7, 2, 1.5, 2)), (0, (3, 3))]
SHARE_WITHIN = 3.0  # grid panels share an axis when their extents are within this factor
COINCIDE = 0.15  # share of the x range two lines must run together on to be told apart by dashes


def compare_traces(traces: Sequence[Trace], labels: Sequence[str], look: Look = Look(), layout: str = "overlay", view: View = View()) -> Figure:
    """Several schedules in one figure: overlaid on one axes, or as a grid of small multiples."""
    look.check()
    if layout not in ("overlay", "grid"):
        raise ConfigError("--layout", f"must be overlay or grid, got {layout!r}")
    with styled(look):
        axis = x_axis(traces, view.x)
        labels = unique_labels([literal(label) for label in labels])
        series = [merge_groups(t.lr, t.groups) for t in traces]
        if view.normalize:
            series = [normalized(s) for s in series]
        if layout == "grid":
            return _grid(traces, labels, series, axis, look, view)
        return _overlay(traces, labels, series, axis, look, view)


def _steps(traces, axis, view):
    out = []
    for t in traces:
        try:
            out.append(visible_steps(t, axis, view.xlim))
        except ConfigError:
            out.append(None)  # a run that ends before the zoom starts: nothing of it to draw
    if all(s is None for s in out):
        raise ConfigError("--xlim", "shows none of the runs")
    return out


def _x_range(traces, axis: XAxis, view: View) -> tuple[float, float]:
    low, high = view.xlim or (None, None)
    return (0.0 if low is None else low), (max(axis.end(t) for t in traces) if high is None else high)


def _overlay(traces, labels, series, axis: XAxis, look: Look, view: View) -> Figure:
    with_metric = any(t.metric is not None for t in traces)
    lines = sum(len(ss) for ss in series)
    # a legend of many lines goes above the axes, in columns: the default figure grows to hold it
    size = look.size or (7.0, (6.2 if with_metric else 4.2) + (0.19 * math.ceil((lines - 8) / 3) if lines > 8 else 0.0))
    look.check_pixels(size)  # before the figure allocates anything
    fonts = Fonts.for_size(size)
    fig = Figure(figsize=size, dpi=look.dpi)
    FigureCanvasAgg(fig)
    if with_metric:
        ax, ax_metric = fig.subplots(2, 1, sharex=True, height_ratios=[2.2, 1.5])
        ax_metric.set_gid("metric")
    else:
        ax, ax_metric = fig.subplots(1, 1), None
    ax.set_gid("lr")
    # A second count on top only means something when every schedule has the same one.
    shared = {(t.steps_per_epoch, t.has_epochs) for t in traces}
    on_top = secondary(traces[0], axis) if len(shared) == 1 else None
    remark = scale_note([s for ss in series for s in ss], look.log or view.normalize)
    steps = _steps(traces, axis, view)
    shown = np.concatenate([s.values[a:b] for ss, st in zip(series, steps) if st for s in ss for a, b in [st]])
    exponent = scale_exponent(shown, look.log)
    colors = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
    low, high = _x_range(traces, axis, view)
    styles = _dashes(traces, series, steps, axis, low, high, scaled(shown, exponent), look.log)
    entries: list[Entry] = []
    zero_seen: set[str] = set()
    k = 0
    for i, (trace, label, ss, st) in enumerate(zip(traces, labels, series, steps)):
        if st is None:
            k += len(ss)
            continue
        drawn = []
        for s in ss:
            text = label if len(ss) == 1 else f"{label}: {s.label}"
            (line,) = draw_series(ax, axis, trace, [s], st, pixel_columns(fig), exponent, lw=1.7, label=text, color=colors[k % len(colors)], ls=DASHES[styles[k]], gid=f"lr-{i}")
            entries.append(Entry(line, line.get_label()))
            drawn.append(line)
            k += 1
        if look.log:
            for e in mark_zeros(ax, axis, trace, ss, st, [line.get_color() for line in drawn], gid=f"lr-zero-{i}"):
                if e.label not in zero_seen:
                    zero_seen.add(e.label)
                    entries.append(e)
        if ax_metric is not None and trace.metric is not None:
            x, y = metric_points(trace, axis)
            ax_metric.plot(x, y, lw=1.2, color=drawn[0].get_color(), ls=drawn[0].get_linestyle(), gid=f"metric-{i}")  # named by the lr's legend
    value_axis(ax, "lr / its peak" if view.normalize else "learning rate", scaled(shown, exponent), exponent, look.log, fonts)
    if ax_metric is not None:
        ax_metric.set_ylabel("metric", fontsize=fonts.label)
        ax_metric.tick_params(labelsize=fonts.tick)
    axes_x(ax, ax_metric if ax_metric is not None else ax, axis, low, high, on_top, fonts)
    frame = Frame(fig, [ax] + ([ax_metric] if ax_metric is not None else []), fonts, [look.title or "learning-rate schedules"], [remark] if remark else [])
    frame.arrange([(ax, entries)])
    unique_ids(fig)
    return fig


def _dashes(traces, series, steps, axis: XAxis, low: float, high: float, shown: np.ndarray, log: bool) -> list[int]:
    """A dash pattern per line (index into DASHES): solid, unless it runs together with an earlier
    line over a good part of the figure, where it must stay visible on top of it."""
    grid = np.linspace(low, high, 400, endpoint=False)
    finite = shown[np.isfinite(shown)]
    if log:
        finite = np.log10(finite[finite > 0])
    span = float(finite.max() - finite.min()) if finite.size else 0.0
    samples = []
    for trace, ss, st in zip(traces, series, steps):
        k = np.floor(grid * axis.steps_per_x(trace)).astype(np.int64)
        inside = (k >= 0) & (k < len(trace)) if st else np.zeros(grid.size, bool)
        for s in ss:
            y = np.full(grid.size, np.nan)
            y[inside] = s.values[k[inside]]
            if log:
                with np.errstate(all="ignore"):
                    y = np.where(y > 0, np.log10(np.where(y > 0, y, 1)), np.nan)
            samples.append(y)
    out: list[int] = []
    for i, y in enumerate(samples):
        taken = set()
        for j in range(i):
            both = np.isfinite(y) & np.isfinite(samples[j])
            close = both & (np.abs(np.nan_to_num(y - samples[j])) <= 0.01 * span if span > 0 else both)
            if close.sum() >= COINCIDE * grid.size:
                taken.add(out[j])
        out.append(next((d for d in range(len(DASHES)) if d not in taken), len(out) % len(DASHES)) if taken else 0)
    return out


def grid_shape(n: int, size: tuple[float, float] | None) -> tuple[int, int]:
    """(rows, columns) of a grid of n panels: by default up to three across (2 x 2 for four); for a
    given size, the panels closest to 4:3, an empty place counting against a layout as much as a
    third off that shape."""
    if size is None:
        cols = 2 if n == 4 else min(3, n)
        return -(-n // cols), cols
    w, h = size

    def cost(c: int) -> float:
        rows = -(-n // c)
        return abs(math.log((w / c) / (h / rows) / 1.33)) + 0.3 * (rows * c - n)

    cols = min(range(1, n + 1), key=cost)
    return -(-n // cols), cols


def _grid(traces, labels, series, axis: XAxis, look: Look, view: View) -> Figure:
    n = len(traces)
    rows, cols = grid_shape(n, look.size)
    size = look.size or (3.4 * cols, 2.6 * rows + 0.4)
    look.check_pixels(size)
    fonts = Fonts.for_size((size[0] / cols * 2, size[1] / rows * 1.4))
    fig = Figure(figsize=size, dpi=look.dpi, layout="constrained")
    fig.get_layout_engine().set(w_pad=EDGE_IN, h_pad=EDGE_IN, wspace=0.02, hspace=0.02)
    FigureCanvasAgg(fig)
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()
    colors = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
    steps = _steps(traces, axis, view)
    ends = [axis.end(t) for t in traces]
    peaks = [max(float(np.max(np.abs(s.values))) for s in ss) for ss in series]
    share_x = axis.unit == "progress" or view.xlim is not None or max(ends) <= SHARE_WITHIN * min(ends)
    positive = [p for p in peaks if p > 0]
    share_y = view.normalize or not positive or max(positive) <= SHARE_WITHIN * min(positive)
    all_shown = np.concatenate([s.values[a:b] for ss, st in zip(series, steps) if st for s in ss for a, b in [st]])
    shared_exponent = scale_exponent(all_shown, look.log)
    ylabel = "lr / its peak" if view.normalize else "lr"
    panels = []
    for i, (trace, label, ss, st, ax) in enumerate(zip(traces, labels, series, steps, axes)):
        ax.set_gid(f"panel-{i}")
        exponent = shared_exponent
        if st is not None:
            shown = np.concatenate([s.values[st[0] : st[1]] for s in ss])
            exponent = shared_exponent if share_y else scale_exponent(shown, look.log)
            draw_series(ax, axis, trace, ss, st, pixel_columns(fig) // cols, exponent, lw=1.5, color=None if len(ss) > 1 else colors[i % len(colors)], gid=f"lr-{i}")
            value_axis(ax, ylabel, scaled(all_shown if share_y else shown, exponent), exponent, look.log, fonts)
            if look.log:
                mark_zeros(ax, axis, trace, ss, st, [line.get_color() for line in ax.get_lines()], gid=f"lr-zero-{i}")
        low, high = _x_range(traces if share_x else [trace], axis, view)
        ax.set_xlim(low, high)
        if axis.unit == "progress":
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0%}" if 0 <= v <= 1.0001 else ""))
        else:
            ax.xaxis.set_major_formatter(CountFormatter())
        ax.xaxis.set_major_locator(MaxNLocator(integer=axis.unit != "progress", steps=STEPS, min_n_ticks=2))
        ax.tick_params(labelsize=fonts.tick)
        scale = f"\u00d710{superscript(exponent)}" if exponent else ""
        panels.append(GridPanel(ax, label, scale, own_ylabel=not (share_y and i % cols)))
    for ax in axes[n:]:
        ax.set_visible(False)
    # the layout (ticks for the panels' sizes, titles that fit) is fitted where the panels are
    Grid(fig, panels, cols, fonts, ylabel, axis.label, literal(look.title) if look.title else None).arrange()
    unique_ids(fig)
    return fig
