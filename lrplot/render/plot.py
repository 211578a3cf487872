"""One schedule: lr against epoch or iteration, a changing momentum and the metric in panels below,
events marked, a short warmup zoomed in an inset."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ..chart import View, XAxis, merge_groups, momentum_note, scale_exponent, scaled, secondary, titles, varies, visible_steps, warmup_end, x_axis
from .axes import axes_x, count_axis, draw_metric, draw_series, log_axis, log_ticks_within, mark_events, mark_zeros, pixel_columns, rule_style, value_axis
from .layout import STEPS, Entry, Frame, Inset
from .style import Fonts, Look, literal, styled, unique_ids

if TYPE_CHECKING:
    from ..engine import Trace
    from ..engine.whatif import Outcome

INSET_IN = (2.0, 0.95)  # the warmup inset's plotting area at most, inches


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
        fonts = Fonts.for_size(size)
        fig = Figure(figsize=size, dpi=look.dpi)
        FigureCanvasAgg(fig)
        axes = list(np.atleast_1d(fig.subplots(len(panels), 1, sharex=True, height_ratios=[ratios[p] for p in panels])))
        by_panel = dict(zip(panels, axes))
        for name, panel in by_panel.items():
            panel.set_gid(name)
        ax = by_panel["lr"]
        on_top = secondary(trace, axis)
        remark = momentum_note(trace)
        columns = pixel_columns(fig) if reduce else 0
        many = len(series) > 1
        shown = np.concatenate([s.values[steps[0] : steps[1]] for s in series])
        if overlays:  # the scale holds every curve drawn, not only the plan's
            from .whatif import drawn_values

            exponent = scale_exponent(np.concatenate([shown, *drawn_values(overlays, steps)]), look.log)
        else:
            exponent = scale_exponent(shown, look.log)
        drawn = draw_series(ax, axis, trace, series, steps, columns, exponent, lw=1.8)
        value_axis(ax, "learning rate", scaled(shown, exponent), exponent, look.log, fonts)
        events = find_events(trace)
        entries = [Entry(line, line.get_label()) for line in drawn] if many else []
        event_entries, labels = mark_events(ax, axis, trace, events, exponent, steps, fonts)
        entries += event_entries
        if look.log:
            entries += mark_zeros(ax, axis, trace, series, steps, [line.get_color() for line in drawn])
        notes = [remark] if remark else []
        if overlays:
            from .whatif import draw_overlays

            entries, more = draw_overlays(ax, axis, trace, overlays, steps, columns, exponent, look.log, drawn, entries, fonts)
            notes += more
        legends = [(ax, entries)]
        if momentum:
            ax_m = by_panel["momentum"]
            values = np.concatenate([s.values for s in momentum])
            m_exponent = scale_exponent(values)
            lines = draw_series(ax_m, axis, trace, momentum, steps, columns, m_exponent, lw=1.4, gid="momentum")
            value_axis(ax_m, "beta1" if trace.spec.optimizer.betas is not None else "momentum", scaled(values, m_exponent), m_exponent, False, fonts, from_zero=False)
            if len(momentum) > 1:
                legends.append((ax_m, [Entry(line, literal(s.label)) for line, s in zip(lines, momentum)]))
        for other in axes[1:]:
            for i, e in enumerate(events):
                if e.kind in ("switch", "branch", "restart", "reduction") and steps[0] < e.step < steps[1]:
                    kind = "reduction-rule" if e.kind == "reduction" else e.kind
                    other.axvline(e.step / axis.steps_per_x(trace), **rule_style(e.kind), gid=f"event-{kind}-{other.get_gid()}-{i}")
        per = axis.steps_per_x(trace)
        axes_x(ax, axes[-1], axis, steps[0] / per, steps[1] / per, on_top, fonts)
        if "metric" in by_panel:
            legends.append((by_panel["metric"], draw_metric(by_panel["metric"], axis, trace, fonts)))
        # what gives way before the legend does, the last first: the top axis, then the momentum
        optional = []
        if momentum:
            low, high = (float(f(trace.momentum)) for f in (np.min, np.max))
            optional.append((by_panel["momentum"], f"{by_panel['momentum'].get_ylabel()} {low:g}-{high:g} (its panel left out at this size)"))
        top = [c for c in ax.child_axes if str(c.get_gid()).endswith("-axis")]
        if top:
            optional.append((top[0], f"{trace.steps_per_epoch:,} iterations per epoch (the top axis left out at this size)"))
        frame = Frame(fig, axes, fonts, titles(trace) if look.title is None else [look.title], notes, optional)
        end = warmup_end(series)
        inset = None
        if end is not None and view.xlim is None:
            inset = Inset(ax, lambda rect: warmup_inset(ax, axis, trace, series, end, exponent, look.log, fonts, rect), INSET_IN,
                          f"no room for the warmup's zoom at this size (--xlim 0:{2 * end / per:g} shows it)")
        frame.arrange(legends, inset, labels)
        unique_ids(fig)
    return fig


def warmup_inset(ax, axis, trace: Trace, series, end: int, exponent: int, log: bool, fonts: Fonts, rect) -> object:
    """The first steps of the run, twice the warmup, in an inset at ``rect`` (axes fraction)."""
    inset = ax.inset_axes(rect)
    inset.set_gid("warmup-inset")
    stop = min(len(trace), 2 * end)
    # a warmup of whole epochs in epochs, else in the iterations a config counts it in (not 0.06808
    # epochs), and the inset's own axis then counts iterations too (its title said 999 iterations
    # over ticks at epochs 0 and 2)
    if axis.unit == "iteration" or axis.unit == "epoch" and end % trace.steps_per_epoch:
        length = f"{end:,} iterations"
        axis = XAxis("iteration")
    else:
        length = f"{end / axis.steps_per_x(trace):,.4g} {axis.label}s"
    lines = draw_series(inset, axis, trace, series, (0, stop), 0, exponent, lw=1.4, gid="inset-lr")
    for line in lines:
        line.set_label(f"_{line.get_label()}")  # the main legend names the lines
    size = fonts.small
    if log:
        log_axis(inset)
        values = scaled(np.concatenate([s.values[:stop] for s in series]), exponent)
        positive = values[values > 0]
        if positive.size:
            log_ticks_within(inset, float(positive.min()), float(positive.max()))
    else:
        inset.yaxis.set_major_locator(MaxNLocator(nbins=2, steps=STEPS, min_n_ticks=2))
    per = axis.steps_per_x(trace)
    inset.set_xlim(0, stop / per)
    inset.tick_params(labelsize=size, length=2, pad=1)
    if axis.unit != "progress":
        count_axis(inset.xaxis)
        inset.xaxis.set_major_locator(MaxNLocator(nbins=3, integer=True, steps=STEPS))
    for spine in inset.spines.values():
        spine.set_visible(True)
        spine.set_color("#999999")
    inset.grid(True, lw=0.4)
    inset.set_title(f"warmup: {length}", fontsize=size, loc="left", pad=2)
    return inset
