"""A logged run against its plan: the plan, the log, the mistake that explains it, the first divergence
marked, and the residuals below."""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib
import matplotlib.ticker
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .axes import axes_lr, axes_x, margins, per_x, pixel_columns, reduce_points, secondary, title, x_unit
from .style import Look, styled

if TYPE_CHECKING:
    from ..verify import Verdict


def plot_verdict(verdict: Verdict, look: Look = Look()) -> Figure:
    """lr against the plan's axis: the plan as a line, the log as points, the explaining mistake
    dashed; below, each point's difference from the plan (and from the mistake) relative to the
    peak lr, on a scale linear within the tolerance and logarithmic beyond."""
    look.check()
    plan, log = verdict.plan, verdict.log
    with styled(look):
        fig = Figure(figsize=look.size or (7.0, 5.6), dpi=look.dpi)
        FigureCanvasAgg(fig)
        ax, ax_res = fig.subplots(2, 1, sharex=True, height_ratios=[2.4, 1.2])
        margins(fig, top_axis=secondary(plan) is not None)
        colors = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
        unit_steps = per_x(plan)
        columns = pixel_columns(fig)
        many = len(log.columns) > 1
        best = verdict.best
        x_log = log.step / unit_steps
        for c, (name, g) in enumerate(zip(log.columns, verdict.groups)):
            color = colors[c % len(colors)]
            suffix = f" ({name})" if many else ""
            planned = np.append(plan.lr[g], plan.lr[g][-1])
            keep = reduce_points(planned, columns)
            x_plan = np.arange(planned.size) / unit_steps
            ax.plot(x_plan[keep], planned[keep], drawstyle="steps-post" if keep.size == planned.size else "default",
                    lw=1.6, color=color, alpha=0.55, label=f"plan{suffix}", gid=f"plan-{c}")
            shown = reduce_points(log.lr[c], columns)
            marker = "o" if shown.size <= 200 else None
            ax.plot(x_log[shown], log.lr[c][shown], ls="none" if marker else "-", marker=marker, ms=3.0, lw=0.9,
                    color=color, label=f"logged{suffix}", gid=f"log-{c}")
            if best is not None:
                # Each value holds until the next logged step, as the plan's do.
                ax.plot(np.append(x_log[shown], x_log[shown][-1] + 1 / unit_steps), np.append(best.lr[c][shown], best.lr[c][shown][-1]),
                        drawstyle="steps-post" if shown.size == len(log) else "default", ls="--", lw=1.2, color="#333333",
                        label=best.mistake.short if c == 0 else None, gid=f"mistake-{c}")
        first = verdict.first
        if first is not None:
            x = log.step[first] / unit_steps
            for panel in (ax, ax_res):
                panel.axvline(x, color="#d62728", ls=":", lw=1.0, gid="first-divergence")
            # Along the line from the bottom, where the legend rarely is.
            ax.annotate(f"first divergence: step {int(log.step[first]):,}", (x, 0), xycoords=("data", "axes fraction"),
                        xytext=(3, 4), textcoords="offset points", ha="left", va="bottom", rotation=90, fontsize=8, color="#d62728")
        axes_lr(ax, np.concatenate([plan.lr[list(verdict.groups)].ravel(), log.lr.ravel()]), look.log)
        _residuals(ax_res, verdict, x_log, colors)
        axes_x(ax, ax_res, x_unit(plan), len(plan) / unit_steps if log.step[-1] < len(plan) else (log.step[-1] + 1) / unit_steps, secondary(plan))
        ax.legend(loc="best", fontsize=8)
        title(fig, look.title or _headline(verdict))
    return fig


def _residuals(ax, verdict: Verdict, x: np.ndarray, colors) -> None:
    tol = verdict.tolerance
    off_plan = np.nan_to_num((verdict.log.lr - verdict.planned) / verdict.scale[:, None], nan=1.0)
    ax.axhspan(-tol, tol, color="#2ca02c", alpha=0.15, lw=0, gid="tolerance", label=f"within {tol:g}")
    for c in range(off_plan.shape[0]):
        color = colors[c % len(colors)]
        ax.plot(x, off_plan[c], lw=0.9, marker="o" if x.size <= 200 else None, ms=2.5, color=color,
                label="log - plan" if c == 0 else None, gid=f"residual-plan-{c}")
    best = verdict.best
    if best is not None:
        off_mistake = (verdict.log.lr - best.lr) / verdict.scale[:, None]
        for c in range(off_mistake.shape[0]):
            ax.plot(x, off_mistake[c], lw=1.0, ls="--", color="#333333", label="log - mistake" if c == 0 else None, gid=f"residual-mistake-{c}")
    ax.set_yscale("symlog", linthresh=tol)
    top = max(float(np.abs(off_plan).max()), 10 * tol)
    decade = 10.0 ** np.ceil(np.log10(top))
    # Zero and the largest decade: the symlog axis's own ticks crowd every decade.
    ax.set_yticks([-decade, 0, decade], [f"{-decade:g}", "0", f"{decade:g}"])
    ax.yaxis.set_minor_locator(matplotlib.ticker.NullLocator())
    ax.set_ylim(-decade * 1.5, decade * 1.5)
    ax.set_ylabel("difference / peak lr")
    ax.legend(loc="best", fontsize=8)


def _headline(verdict: Verdict) -> str:
    name = verdict.spec.name
    if verdict.followed:
        return f"{name}: the logged run followed the plan"
    where = f"diverged at step {int(verdict.log.step[verdict.first]):,}"
    return f"{name}: {where}" + ("" if verdict.best is not None else ", no known mistake explains it")
