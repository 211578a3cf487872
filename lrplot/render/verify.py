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

from ..chart import XAxis, natural_unit, scale_exponent, scaled, secondary
from .axes import axes_x, margins, pixel_columns, reduce_points, title, title_lines, value_axis
from .layout import place_legend
from .style import Look, literal, styled

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
        fig = Figure(figsize=size, dpi=look.dpi)
        canvas = FigureCanvasAgg(fig)
        ax, ax_res = fig.subplots(2, 1, sharex=True, height_ratios=[2.4, 1.2])
        axis = XAxis(natural_unit(plan))
        on_top = secondary(plan, axis)
        lines = title_lines(fig, look.title or _headline(verdict))
        margins(fig, top_axis=on_top is not None, title_lines=len(lines))
        title(fig, lines)
        colors = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
        per = axis.steps_per_x(plan)
        columns = pixel_columns(fig)
        planned_rows = plan.lr[list(verdict.groups)]
        shown = np.concatenate([planned_rows.ravel(), log.lr.ravel()])
        exponent = scale_exponent(shown, look.log)
        many = len(log.columns) > 1
        best = verdict.best
        x_log = log.step / per
        for c, (name, g) in enumerate(zip(log.columns, verdict.groups)):
            color = colors[c % len(colors)]
            suffix = f" ({name})" if many else ""
            planned = scaled(np.append(plan.lr[g], plan.lr[g][-1]), exponent)
            keep = reduce_points(planned, columns)
            x_plan = np.arange(planned.size) / per
            ax.plot(x_plan[keep], planned[keep], drawstyle="steps-post" if keep.size == planned.size else "default",
                    lw=1.6, color=color, alpha=0.55, label=literal(f"plan{suffix}"), gid=f"plan-{c}")
            logged = scaled(log.lr[c], exponent)
            kept = reduce_points(logged, columns)
            marker = "o" if kept.size <= 200 else None
            ax.plot(x_log[kept], logged[kept], ls="none" if marker else "-", marker=marker, ms=3.0, lw=0.9,
                    color=color, label=literal(f"logged{suffix}"), gid=f"log-{c}")
            if best is not None:
                # Each value holds until the next logged step, as the plan's do.
                values = scaled(best.lr[c][kept], exponent)
                ax.plot(np.append(x_log[kept], x_log[kept][-1] + 1 / per), np.append(values, values[-1]),
                        drawstyle="steps-post" if kept.size == len(log) else "default", ls="--", lw=1.2, color="#333333",
                        label=literal(best.mistake.short) if c == 0 else None, gid=f"mistake-{c}")
        first = verdict.first
        if first is not None:
            x = log.step[first] / per
            for panel in (ax, ax_res):
                panel.axvline(x, color="#d62728", ls=":", lw=1.0, gid="first-divergence")
            # Along the line from the bottom, where the legend rarely is.
            ax.annotate(f"first divergence: step {int(log.step[first]):,}", (x, 0), xycoords=("data", "axes fraction"),
                        xytext=(3, 4), textcoords="offset points", ha="left", va="bottom", rotation=90, fontsize=8, color="#d62728")
        value_axis(ax, "learning rate", scaled(shown, exponent), exponent, look.log)
        _residuals(ax_res, verdict, x_log, colors, canvas.get_renderer())
        end = max(len(plan), int(log.step[-1]) + 1) / per
        axes_x(ax, ax_res, axis, 0.0, end, on_top)
        handles = [h for h in ax.get_lines() if not h.get_label().startswith("_")]
        place_legend(ax, handles, [h.get_label() for h in handles], canvas.get_renderer(), fontsize=8)
    return fig


def _residuals(ax, verdict: Verdict, x: np.ndarray, colors, renderer) -> None:
    tol = verdict.tolerance
    off_plan = np.nan_to_num((verdict.log.lr - verdict.planned) / verdict.scale[:, None], nan=1.0)
    band = ax.axhspan(-tol, tol, color="#2ca02c", alpha=0.15, lw=0, gid="tolerance")
    handles, labels = [band], [f"within {tol:g}"]
    for c in range(off_plan.shape[0]):
        (line,) = ax.plot(x, off_plan[c], lw=0.9, marker="o" if x.size <= 200 else None, ms=2.5, color=colors[c % len(colors)], gid=f"residual-plan-{c}")
        if c == 0:
            handles.append(line)
            labels.append("log - plan")
    best = verdict.best
    if best is not None:
        off_mistake = (verdict.log.lr - best.lr) / verdict.scale[:, None]
        for c in range(off_mistake.shape[0]):
            (line,) = ax.plot(x, off_mistake[c], lw=1.0, ls="--", color="#333333", gid=f"residual-mistake-{c}")
            if c == 0:
                handles.append(line)
                labels.append("log - mistake")
    ax.set_yscale("symlog", linthresh=tol)
    top = max(float(np.abs(off_plan).max()), 10 * tol)
    decade = 10.0 ** np.ceil(np.log10(top))
    # The tolerance and the largest decade: the symlog axis's own ticks crowd every decade, and
    # without the tolerance's ticks a difference of 0.6 would seem to sit at 1.
    ax.set_yticks([-decade, -tol, tol, decade], [f"{-decade:g}", f"{-tol:g}", f"{tol:g}", f"{decade:g}"])
    ax.yaxis.set_minor_locator(matplotlib.ticker.NullLocator())
    ax.axhline(0, color="#999999", lw=0.6, gid="zero")
    ax.set_ylim(-decade * 1.5, decade * 1.5)
    ax.set_ylabel("difference / peak (symlog)")
    place_legend(ax, handles, labels, renderer, fontsize=8)


def _headline(verdict: Verdict) -> str:
    name = verdict.spec.name
    if verdict.followed:
        return f"{name}: the logged run followed the plan"
    where = f"diverged at step {int(verdict.log.step[verdict.first]):,}"
    return f"{name}: {where}" + ("" if verdict.best is not None else ", no known mistake explains it")
