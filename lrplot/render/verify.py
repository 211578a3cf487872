"""A logged run against its plan: the plan, the log, the mistake that explains it, the first divergence
marked, and the residuals below."""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib
import matplotlib.patches
import matplotlib.ticker
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..chart import XAxis, natural_unit, scale_exponent, scaled, secondary
from .axes import axes_x, pixel_columns, reduce_points, value_axis
from .layout import Entry, Frame
from .style import Fonts, Look, literal, styled, unique_ids

if TYPE_CHECKING:
    from ..verify import Verdict


def plot_verdict(verdict: Verdict, look: Look = Look()) -> Figure:
    """lr against the plan's axis: the plan as a line, the log as points, the explaining mistake
    dashed; below, each point's difference from the plan (and from the mistake) relative to the
    peak lr, on a scale linear within the tolerance and logarithmic beyond."""
    look.check()
    plan, log = verdict.plan, verdict.log
    with styled(look):
        size = look.size or (7.0, 5.6)
        look.check_pixels(size)
        fonts = Fonts.for_size(size)
        fig = Figure(figsize=size, dpi=look.dpi)
        FigureCanvasAgg(fig)
        ax, ax_res = fig.subplots(2, 1, sharex=True, height_ratios=[2.4, 1.2])
        ax.set_gid("lr")
        ax_res.set_gid("residual")
        axis = XAxis(natural_unit(plan))
        on_top = secondary(plan, axis)
        colors = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
        per = axis.steps_per_x(plan)
        columns = pixel_columns(fig)
        planned_rows = plan.lr[list(verdict.groups)]
        shown = np.concatenate([planned_rows.ravel(), log.lr.ravel()])
        exponent = scale_exponent(shown, look.log)
        many = len(log.columns) > 1
        best = verdict.best
        x_log = log.step / per
        # With several groups, the legend says what each style is (in a neutral colour) and which
        # group each colour is, instead of every style of every group.
        neutral = _ink() if many else colors[0]
        entries: list[Entry] = [
            Entry(Line2D([], [], lw=1.6, color=neutral, alpha=0.55), "plan"),
            Entry(Line2D([], [], ls="none", marker="o", ms=3.0, color=neutral), "logged"),
        ]
        if best is not None:
            entries.append(Entry(Line2D([], [], ls="--", lw=1.2, color=_ink()), literal(best.mistake.short), short="the mistake"))
        for c, (name, g) in enumerate(zip(log.columns, verdict.groups)):
            color = colors[c % len(colors)]
            planned = scaled(np.append(plan.lr[g], plan.lr[g][-1]), exponent)
            keep = reduce_points(planned, columns)
            x_plan = np.arange(planned.size) / per
            ax.plot(x_plan[keep], planned[keep], drawstyle="steps-post" if keep.size == planned.size else "default",
                    lw=1.6, color=color, alpha=0.55, gid=f"plan-{c}")
            logged = scaled(log.lr[c], exponent)
            kept = reduce_points(logged, columns)
            marker = "o" if kept.size <= 200 else None
            ax.plot(x_log[kept], logged[kept], ls="none" if marker else "-", marker=marker, ms=3.0, lw=0.9, color=color, gid=f"log-{c}")
            if many:
                entries.append(Entry(Patch(color=color), literal(name)))
            if best is not None:
                # Each value holds until the next logged step, as the plan's do.
                values = scaled(best.lr[c][kept], exponent)
                ax.plot(np.append(x_log[kept], x_log[kept][-1] + 1 / per), np.append(values, values[-1]),
                        drawstyle="steps-post" if kept.size == len(log) else "default", ls="--", lw=1.2, color=_ink(), gid=f"mistake-{c}")
        first = verdict.first
        if first is not None:
            # a rule through both panels, named in the legend (a label along it ran over the points)
            x = log.step[first] / per
            rule = ax.axvline(x, color="#d62728", ls=":", lw=1.0, gid="first-divergence")
            ax_res.axvline(x, color="#d62728", ls=":", lw=1.0, gid="first-divergence-residual")
            entries.append(Entry(rule, f"first divergence: step {int(log.step[first]):,}", essential=False))
        value_axis(ax, "learning rate", scaled(shown, exponent), exponent, look.log, fonts)
        residual_entries, limits = _residuals(ax_res, verdict, x_log, colors, fonts)
        end = max(len(plan), int(log.step[-1]) + 1) / per
        axes_x(ax, ax_res, axis, 0.0, end, on_top, fonts)
        frame = Frame(fig, [ax, ax_res], fonts, [look.title or _headline(verdict), verdict.spec.name],
                      optional=[(ax_res, "no room for the residuals' panel at this size")])
        frame.fit()
        _residual_ticks(ax_res, limits, verdict.tolerance, frame.renderer)
        frame.arrange([(ax, entries), (ax_res, residual_entries)])
        _residual_ticks(ax_res, limits, verdict.tolerance, frame.renderer)
        unique_ids(fig)
    return fig


def _ink() -> str:
    from .style import _mix

    return _mix(matplotlib.rcParams["text.color"], matplotlib.rcParams["axes.facecolor"], 0.8)


def _residuals(ax, verdict: Verdict, x: np.ndarray, colors, fonts: Fonts) -> tuple[list[Entry], tuple[float, float]]:
    tol = verdict.tolerance
    off_plan = np.nan_to_num((verdict.log.lr - verdict.planned) / verdict.scale[:, None], nan=1.0)
    band = ax.axhspan(-tol, tol, color="#2ca02c", alpha=0.15, lw=0, gid="tolerance")
    entries = [Entry(band, f"within {tol:g}", essential=False)]
    many = off_plan.shape[0] > 1
    marker = "o" if x.size <= 200 else None
    for c in range(off_plan.shape[0]):
        ax.plot(x, off_plan[c], lw=0.9, marker=marker, ms=2.5, color=colors[c % len(colors)], gid=f"residual-plan-{c}")
    # in the groups' colours (named above): one entry in a neutral colour, not the first group's
    # colour naming a line drawn under the others
    entries.append(Entry(Line2D([], [], lw=0.9, marker=marker, ms=2.5, color=_ink() if many else colors[0]), "log - plan"))
    best = verdict.best
    values = [off_plan]
    if best is not None:
        off_mistake = (verdict.log.lr - best.lr) / verdict.scale[:, None]
        values.append(off_mistake)
        for c in range(off_mistake.shape[0]):
            (line,) = ax.plot(x, off_mistake[c], lw=1.0, ls="--", color=_ink(), gid=f"residual-mistake-{c}")
            if c == 0:
                entries.append(Entry(line, "log - mistake"))
    ax.set_yscale("symlog", linthresh=tol, linscale=1.5)
    every = np.concatenate([v.ravel() for v in values])
    every = every[np.isfinite(every)]
    top = max(float(every.max(initial=0.0)), 10 * tol)
    bottom = min(float(every.min(initial=0.0)), -10 * tol)
    up, down = (10.0 ** np.ceil(np.log10(abs(v))) for v in (top, bottom))
    ax.yaxis.set_minor_locator(matplotlib.ticker.NullLocator())
    ax.axhline(0, color="#999999", lw=0.6, gid="zero")
    # a decade past the largest difference each way: the points fill the panel
    ax.set_ylim(-down * 1.3, up * 1.3)
    ax.set_ylabel("\u0394 lr / peak (symlog)", fontsize=fonts.label)  # its ticks alone (-1, 0, 0.1) do not say it
    ax.tick_params(labelsize=fonts.tick)
    ax.set_yticks([-down, 0, up], [f"{-down:g}", "0", f"{up:g}"])
    return entries, (down, up)


def _residual_ticks(ax, limits: tuple[float, float], tol: float, renderer) -> None:
    """The tolerance's ticks too, where their labels do not touch the others (at 3.5 in they did):
    checked once the panel has its size, and again once the legends are placed."""
    down, up = limits
    ticks = [-down, -tol, 0, tol, up]
    if len(ax.get_yticks()) != 3:
        ax.set_yticks(ticks, [f"{v:g}" if v else "0" for v in ticks])
    boxes = [label.get_window_extent(renderer) for label in ax.get_yticklabels()]
    if any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :]):
        ax.set_yticks([-down, 0, up], [f"{-down:g}", "0", f"{up:g}"])


def _headline(verdict: Verdict) -> str:
    name = verdict.spec.name
    if verdict.followed:
        return f"{name}: the logged run followed the plan"
    where = f"diverged at step {int(verdict.log.step[verdict.first]):,}"
    return f"{name}: {where}" + ("" if verdict.best is not None else ", no known mistake explains it")
