"""The pieces every figure is drawn with: lines reduced to the pixels, axes in epochs or
iterations, the lr axis, events, the metric panel, margins and titles.

Long traces are reduced to what the pixels can show (every column's first, last, minimum and
maximum), so a million-step curve draws as fast as a short one.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Sequence

import matplotlib
import matplotlib.patches
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ..errors import ConfigError
from .style import EVENT_LEGEND, EVENT_STYLE

if TYPE_CHECKING:
    from ..engine import Trace


def reduce_points(y: np.ndarray, columns: int) -> np.ndarray:
    """Indices of ``y`` that draw the same picture at ``columns`` pixels across.

    Each column keeps its first and last point and its minimum and maximum, in order, so every
    extreme survives; short traces are returned whole.
    """
    n = y.shape[0]
    if n <= 4 * columns:
        return np.arange(n)
    width = math.ceil(n / columns)
    bins = math.ceil(n / width)
    padded = np.concatenate([y, np.full(bins * width - n, y[-1])]).reshape(bins, width)
    start = np.arange(bins) * width
    keep = np.concatenate([start, start + padded.argmin(axis=1), start + padded.argmax(axis=1), np.minimum(start + width - 1, n - 1), [n - 1]])
    return np.unique(keep[keep < n])


def pixel_columns(fig: Figure) -> int:
    return max(100, int(fig.get_figwidth() * fig.dpi))


def margins(fig: Figure, top_axis: bool) -> None:
    """Fixed margins in inches: as tidy as constrained layout for these figures, at a third of the
    cost (constrained layout measures every tick label, which dominated the time of a plot)."""
    w, h = fig.get_size_inches()
    top = 0.42 + (0.42 if top_axis else 0.0)
    fig.subplots_adjust(left=0.9 / w, right=1 - 0.3 / w, bottom=0.55 / h, top=1 - top / h, hspace=0.12 * 5.2 / h)


def title(fig: Figure, text: str) -> None:
    # A figure text in the top margin: Axes.set_title would measure the top ticks on every draw to
    # dodge them, a quarter of the time of a whole plot.
    w, h = fig.get_size_inches()
    room = int((w - 1.1) * 11)  # characters of 11 pt DejaVu Sans that fit the width
    if len(text) > room:
        text = text[: room - 1] + "\u2026"
    fig.text(0.9 / w, 1 - 0.1 / h, text, ha="left", va="top", fontsize=matplotlib.rcParams["axes.titlesize"], gid="title")


def default_title(trace: Trace) -> str:
    from ..explain import summary

    what = summary(trace.spec)
    return what if trace.name == trace.spec.scheduler.type else f"{trace.name}: {what}"


def draw_groups(ax, trace: Trace, values: np.ndarray, columns: int, lw: float, labels: bool, prefix: str = "", color=None, steps_per_x: int | None = None):
    """Step k holds its value from x(k) until the next step: ``steps-post`` draws just that."""
    x = np.arange(len(trace) + 1) / (per_x(trace) if steps_per_x is None else steps_per_x)
    lines = []
    for g, name in enumerate(trace.groups):
        y = np.append(values[g], values[g][-1])
        keep = reduce_points(y, columns) if columns else np.arange(y.size)
        # Reduced, a step is far narrower than a pixel: straight segments between the kept points
        # draw what the full staircase draws, where a staircase through them would shift slopes.
        style = "steps-post" if keep.size == y.size else "default"
        label = f"{prefix}{name}" if labels else (prefix.rstrip(": ") or None)
        (line,) = ax.plot(x[keep], y[keep], drawstyle=style, lw=lw, label=label, color=color, gid=f"lr-{name}")
        lines.append(line)
    return lines


def axes_lr(ax, values: np.ndarray, log: bool) -> None:
    ax.set_ylabel("learning rate")
    peak = float(np.abs(values).max())
    if not log and 0 < peak < 0.01:
        # Small lrs read as 3.0 (x1e-4) rather than 0.00030: narrow tick labels, and the scale in
        # the label instead of an offset text that would collide with an iteration axis on top.
        exponent = math.floor(math.log10(peak))
        scale = 10.0**exponent
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v / scale:.4g}"))
        ax.set_ylabel(f"learning rate ($\\times 10^{{{exponent}}}$)")
    if log:
        if (values <= 0).any():
            raise ConfigError("--log", "the lr reaches 0 or below, which a log axis cannot show; drop --log")
        ax.set_yscale("log")
    else:
        ax.set_ylim(bottom=min(0.0, float(values.min()) * 1.05))


def x_unit(trace: Trace) -> str:
    """The x axis of a figure: epochs for a run counted in epochs, iterations otherwise."""
    return "epoch" if trace.spec.run.unit == "epoch" else "iteration"


def per_x(trace: Trace, unit: str | None = None) -> int:
    """Optimizer steps per x unit, on the trace's own axis or on ``unit`` (x = step / _per_x)."""
    return trace.steps_per_epoch if (unit or x_unit(trace)) == "epoch" else 1


def common_unit(traces: Sequence[Trace]) -> str:
    """Schedules counted differently line up by optimizer step."""
    units = {x_unit(t) for t in traces}
    return units.pop() if len(units) == 1 else "iteration"


def secondary(trace: Trace) -> tuple[str, float] | None:
    """The other count on top (its label, and its units per x unit), when it tells something."""
    spe = trace.steps_per_epoch
    if spe <= 1 or not trace.has_epochs:
        return None
    return ("iteration", float(spe)) if x_unit(trace) == "epoch" else ("epoch", 1.0 / spe)


def axes_x(top_ax, bottom_ax, unit: str, end: float, secondary: tuple[str, float] | None) -> None:
    top_ax.set_xlim(0, end)
    bottom_ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    bottom_ax.set_xlabel(unit)
    if secondary is not None:
        label, factor = secondary
        axis = top_ax.secondary_xaxis("top", functions=(lambda x: x * factor, lambda y: y / factor))
        axis.set_xlabel(label)
        axis.set_gid(f"{label}-axis")


def mark_events(ax, trace: Trace, events, lines) -> None:
    seen: set[str] = set()
    for e in events:
        x = e.step / per_x(trace)
        label = EVENT_LEGEND[e.kind] if e.kind not in seen else None
        seen.add(e.kind)
        if e.kind in ("switch", "restart"):
            ax.axvline(x, **EVENT_STYLE[e.kind], label=label, gid=f"event-{e.kind}")
            if e.kind == "switch":
                # Along the line from the bottom: at a switch the lr is usually at a high point.
                ax.annotate(
                    e.label, (x, 0), xycoords=("data", "axes fraction"), xytext=(3, 4), textcoords="offset points",
                    ha="left", va="bottom", rotation=90, fontsize=8, color=EVENT_STYLE["switch"]["color"],
                )
        else:
            ys = trace.lr[:, e.step]
            ax.plot([x] * len(ys), ys, ls="none", **EVENT_STYLE[e.kind], label=label, gid=f"event-{e.kind}")


def vline(kind: str) -> dict:
    if kind == "reduction":
        return {"color": EVENT_STYLE["reduction"]["color"], "ls": ":", "lw": 0.9}
    return EVENT_STYLE[kind]


def metric_points(trace: Trace, unit: str | None = None):
    """x and value of each metric fed: it is measured at the end of the step it follows."""
    at = np.nonzero(~np.isnan(trace.metric))[0] if trace.plateau is None else trace.plateau.at
    return (at + 1) / per_x(trace, unit), trace.metric[at]


def draw_metric(ax, trace: Trace, events) -> None:
    x, y = metric_points(trace)
    synthetic = trace.spec.metric.source == "synthetic"
    label = "synthetic metric" if synthetic else "metric"
    ax.plot(x, y, lw=1.2, marker="o" if x.size <= 150 else None, ms=2.5, color="#555555", label=label, gid="metric")
    log = trace.plateau
    if log is not None:
        ax.plot(x, log.best, drawstyle="steps-post", lw=1.0, ls="--", color="#999999", label="best so far", gid="metric-best")
        step = (trace.steps_per_epoch if trace.spec.run.step == "epoch" else 1) / per_x(trace)
        params = trace.spec.scheduler.params
        patience = params["patience"] if "patience" in params else params["patience_t"]  # torch's, or timm's PlateauLRScheduler
        # The bad steps that exhausted the patience, and the cooldown after each reduction.
        for j in np.nonzero(log.reduced)[0]:
            ax.axvspan(x[max(0, j - patience)] - step, x[j], color="#d62728", alpha=0.10, lw=0, gid="patience-window")
        cooling = log.cooldown > 0
        for start, stop in runs(cooling):
            ax.axvspan(x[start], x[stop - 1] + step, color="#1f77b4", alpha=0.10, lw=0, gid="cooldown-window")
        for j in np.nonzero(log.reduced)[0]:
            ax.plot([x[j]], [y[j]], ls="none", marker="v", color=EVENT_STYLE["reduction"]["color"], ms=6, gid="metric-reduction")
        handles = [
            matplotlib.patches.Patch(color="#d62728", alpha=0.2, label=f"patience ({patience}) running out"),
        ]
        if cooling.any():
            handles.append(matplotlib.patches.Patch(color="#1f77b4", alpha=0.2, label="cooldown"))
        line_handles, _ = ax.get_legend_handles_labels()
        ax.legend(handles=line_handles + handles, loc="best", fontsize=8)
    else:
        ax.legend(loc="best", fontsize=8)
    mode = trace.spec.metric.synthetic.mode if synthetic else trace.spec.scheduler.params.get("mode", "min")
    ax.set_ylabel(f"metric ({'lower' if mode == 'min' else 'higher'} is better)")


def runs(mask: np.ndarray):
    """(start, stop) of each run of True in ``mask``."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return zip(np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0])
