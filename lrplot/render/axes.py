"""The pieces every figure is drawn with: lines reduced to the pixels, axes in epochs, iterations or
progress, value axes that hold any finite number, events, zeros on a log axis, the metric panel,
margins, titles and notes.

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

from ..chart import Series, XAxis, compact, reduce_points, scale_exponent, scaled, superscript, zero_spans
from .layout import place_legend
from .style import EVENT_LEGEND, EVENT_STYLE, literal

if TYPE_CHECKING:
    from ..engine import Trace


def pixel_columns(fig: Figure) -> int:
    return max(100, int(fig.get_figwidth() * fig.dpi))


TITLE_TOP = 0.42  # inches of top margin for a one-line title
LINE_IN = 0.2  # inches per further title line


NOTE_IN = 0.2  # inches of bottom margin for a note under the x label


def margins(fig: Figure, top_axis: bool, title_lines: int = 1, noted: bool = False) -> None:
    """Fixed margins in inches: as tidy as constrained layout for these figures, at a third of the
    cost (constrained layout measures every tick label, which dominated the time of a plot). A
    figure smaller than the margins (``--size 1x4``) keeps a third of each side for its axes."""
    w, h = fig.get_size_inches()
    top = TITLE_TOP + LINE_IN * (title_lines - 1) + (0.42 if top_axis else 0.0)
    left, right = min(0.9, w / 3), min(0.3, w / 6)
    bottom, top = min(0.55 + (NOTE_IN if noted else 0.0), h / 3), min(top, h / 3)
    fig.subplots_adjust(left=left / w, right=1 - right / w, bottom=bottom / h, top=1 - top / h, hspace=0.12 * 5.2 / h)


MAX_TITLE_LINES = 3


def title_lines(fig: Figure, text: str) -> list[str]:
    """The title in lines that fit the width, split between parts of the summary (after the name,
    between schedulers, between keywords) rather than between a keyword and its value; cut with an
    ellipsis only past three lines (a summary never holds a long expression: that is a long name)."""
    w, _ = fig.get_size_inches()
    room = max(8, int((w - 1.1) * 11))  # characters of 11 pt DejaVu Sans that fit the width
    rest = literal(text)
    lines: list[str] = []
    while len(rest) > room and len(lines) < MAX_TITLE_LINES - 1:
        cut = max(rest.rfind(" \u2192 ", 0, room + 1), rest.rfind(", ", 0, room) + 1, rest.rfind(": ", 0, room) + 1)
        if cut <= room // 3:
            cut = rest.rfind(" ", 0, room + 1)
        if cut <= 0:
            cut = room
        lines.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if len(rest) > room:
        cut = max(rest.rfind(", ", 0, room - 1), rest.rfind(" ", 0, room - 1))
        rest = rest[: cut if cut > room // 3 else room - 1] + "\u2026"
    return lines + [rest]


def title(fig: Figure, lines: list[str]) -> None:
    # A figure text in the top margin: Axes.set_title would measure the top ticks on every draw to
    # dodge them, a quarter of the time of a whole plot.
    w, h = fig.get_size_inches()
    fig.text(min(0.9, w / 3) / w, 1 - min(0.1, h / 20) / h, "\n".join(lines), ha="left", va="top", fontsize=matplotlib.rcParams["axes.titlesize"], gid="title")


def note(fig: Figure, text: str) -> None:
    """A fact about the figure that needs no panel (a constant momentum), under the x label on the right."""
    w, h = fig.get_size_inches()
    fig.text(1 - min(0.3, w / 6) / w, min(0.08, h / 30) / h, literal(text), ha="right", va="bottom", fontsize=8, color="#777777", gid="note")


def draw_series(ax, axis: XAxis, trace: Trace, series: Sequence[Series], steps: tuple[int, int], columns: int, exponent: int, lw: float, label=None, color=None, ls="-", gid: str = "lr"):
    """Step k holds its value from x(k) until the next step: ``steps-post`` draws just that."""
    start, stop = steps
    x = np.arange(start, stop + 1) / axis.steps_per_x(trace)
    lines = []
    for s in series:
        y = scaled(np.append(s.values[start:stop], s.values[stop - 1]), exponent)
        keep = reduce_points(y, columns) if columns else np.arange(y.size)
        # Reduced, a step is far narrower than a pixel: straight segments between the kept points
        # draw what the full staircase draws, where a staircase through them would shift slopes.
        style = "steps-post" if keep.size == y.size else "default"
        text = s.label if label is None else label
        (line,) = ax.plot(x[keep], y[keep], drawstyle=style, lw=lw, color=color, ls=ls, gid=f"{gid}-{s.label}", label=literal(text))
        lines.append(line)
    return lines


def value_axis(ax, label: str, scaled_values: np.ndarray, exponent: int, log: bool, from_zero: bool = True) -> None:
    """The y axis of a panel drawn in units of 10**exponent, with limits set from finite values only."""
    ax.set_ylabel(f"{label} (\u00d710{superscript(exponent)})" if exponent else label)
    finite = scaled_values[np.isfinite(scaled_values)]
    if log:
        log_axis(ax)
        positive = finite[finite > 0]
        if positive.size:
            lo, hi = float(positive.min()), float(positive.max())
            lo_t, hi_t = math.log10(lo), math.log10(hi)
            pad = max(0.05 * (hi_t - lo_t), 0.05)
            ax.set_ylim(10 ** (lo_t - pad), 10 ** (hi_t + pad))
        else:
            ax.set_ylim(0.1, 10)
        return
    if finite.size:
        lo, hi = float(finite.min()), float(finite.max())
        span = hi - lo if hi > lo else max(abs(hi), 1.0) * 0.1
        bottom = min(0.0, lo - 0.05 * span) if from_zero else lo - 0.05 * span
        ax.set_ylim(bottom, hi + 0.05 * span)


def log_axis(ax) -> None:
    """A log y scale labelled 10⁻³ in Unicode: with mathtext off (user text is literal), matplotlib's
    own log labels would show their TeX source."""
    ax.set_yscale("log", nonpositive="mask")
    ax.yaxis.set_major_formatter(FuncFormatter(_power_of_ten))
    ax.yaxis.set_minor_formatter(FuncFormatter(lambda v, _: ""))


def _power_of_ten(value: float, _=None) -> str:
    if not value > 0 or not math.isfinite(value):
        return ""
    exponent = round(math.log10(value))
    mantissa = value / 10.0 ** (exponent // 2) / 10.0 ** (exponent - exponent // 2)
    if abs(mantissa - 1) > 1e-6:
        return f"{value:.2g}"
    return "1" if exponent == 0 else "10" if exponent == 1 else f"10{superscript(exponent)}"


def count_axis(axis) -> None:
    """Integer ticks labelled compactly (100k, 1.5M): long counts never run into each other."""
    axis.set_major_locator(MaxNLocator(integer=True))
    axis.set_major_formatter(FuncFormatter(lambda v, _: compact(v)))


def axes_x(top_ax, bottom_ax, axis: XAxis, low: float, high: float, secondary: tuple[str, float] | None) -> None:
    top_ax.set_xlim(low, high)
    if axis.unit == "progress":
        bottom_ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0%}" if 0 <= v <= 1.0001 else ""))
    else:
        count_axis(bottom_ax.xaxis)
    bottom_ax.set_xlabel(axis.label)
    if secondary is not None:
        label, factor = secondary
        other = top_ax.secondary_xaxis("top", functions=(lambda x: x * factor, lambda y: y / factor))
        other.set_xlabel(label)
        other.set_gid(f"{label}-axis")
        other.xaxis.set_major_formatter(FuncFormatter(lambda v, _: compact(v)))


def mark_events(ax, axis: XAxis, trace: Trace, events, exponent: int, steps: tuple[int, int]) -> list:
    """Events inside the shown steps; the first handle of each kind, for the legend."""
    seen: dict[str, object] = {}
    per = axis.steps_per_x(trace)
    for e in events:
        if not steps[0] < e.step < steps[1]:
            continue
        x = e.step / per
        if e.kind in ("switch", "restart"):
            handle = ax.axvline(x, **EVENT_STYLE[e.kind], gid=f"event-{e.kind}")
            if e.kind == "switch":
                # Along the line from the bottom: at a switch the lr is usually at a high point.
                ax.annotate(
                    literal(e.label), (x, 0), xycoords=("data", "axes fraction"), xytext=(3, 4), textcoords="offset points",
                    ha="left", va="bottom", rotation=90, fontsize=8, color=EVENT_STYLE["switch"]["color"],
                )
        else:
            ys = scaled(trace.lr[:, e.step], exponent)
            (handle,) = ax.plot([x] * len(ys), ys, ls="none", **EVENT_STYLE[e.kind], gid=f"event-{e.kind}")
        seen.setdefault(e.kind, handle)
    return [(handle, EVENT_LEGEND[kind]) for kind, handle in seen.items()]


def mark_zeros(ax, axis: XAxis, trace: Trace, series: Sequence[Series], steps: tuple[int, int], colors) -> list:
    """Where the lr is 0, which a log axis cannot draw: a bar along the bottom edge, per line."""
    per = axis.steps_per_x(trace)
    handles = []
    for s, color in zip(series, colors):
        spans = zero_spans(s.values[steps[0] : steps[1]])
        if not spans:
            continue
        xs, ys = [], []
        for a, b in spans:
            xs += [(steps[0] + a) / per, (steps[0] + b) / per, np.nan]
            ys += [0.0, 0.0, np.nan]
        (line,) = ax.plot(xs, ys, transform=ax.get_xaxis_transform(), lw=4, solid_capstyle="butt", color=color, clip_on=False, gid="lr-zero")
        handles.append(line)
    return [(handles[0], "lr = 0 (off the log axis)")] if handles else []


def vline(kind: str) -> dict:
    if kind == "reduction":
        return {"color": EVENT_STYLE["reduction"]["color"], "ls": ":", "lw": 0.9}
    return EVENT_STYLE[kind]


def metric_points(trace: Trace, axis: XAxis):
    """x and value of each metric fed: it is measured at the end of the step it follows."""
    at = np.nonzero(~np.isnan(trace.metric))[0] if trace.plateau is None else trace.plateau.at
    return (at + 1) / axis.steps_per_x(trace), trace.metric[at]


def draw_metric(ax, axis: XAxis, trace: Trace, renderer) -> None:
    x, y = metric_points(trace, axis)
    log = trace.plateau
    exponent = scale_exponent(np.concatenate([y, log.best]) if log is not None else y)
    synthetic = trace.spec.metric.source == "synthetic"
    handles = []
    (line,) = ax.plot(x, scaled(y, exponent), lw=1.2, marker="o" if x.size <= 150 else None, ms=2.5, color="#555555", gid="metric")
    handles.append((line, "synthetic metric" if synthetic else "metric"))
    if log is not None:
        (best,) = ax.plot(x, scaled(log.best, exponent), drawstyle="steps-post", lw=1.0, ls="--", color="#999999", gid="metric-best")
        handles.append((best, "best so far"))
        step = (trace.steps_per_epoch if trace.spec.run.step == "epoch" else 1) / axis.steps_per_x(trace)
        params = trace.spec.scheduler.params
        patience = params["patience"] if "patience" in params else params["patience_t"]  # torch's, or timm's PlateauLRScheduler
        # The bad steps that exhausted the patience, and the cooldown after each reduction.
        for j in np.nonzero(log.reduced)[0]:
            ax.axvspan(x[max(0, j - patience)] - step, x[j], color="#d62728", alpha=0.10, lw=0, gid="patience-window")
        cooling = log.cooldown > 0
        for start, stop in runs(cooling):
            ax.axvspan(x[start], x[stop - 1] + step, color="#1f77b4", alpha=0.10, lw=0, gid="cooldown-window")
        for j in np.nonzero(log.reduced)[0]:
            ax.plot([x[j]], [scaled(y[j : j + 1], exponent)[0]], ls="none", marker="v", color=EVENT_STYLE["reduction"]["color"], ms=6, gid="metric-reduction")
        handles.append((matplotlib.patches.Patch(color="#d62728", alpha=0.2), f"patience ({patience}) running out"))
        if cooling.any():
            handles.append((matplotlib.patches.Patch(color="#1f77b4", alpha=0.2), "cooldown"))
    mode = trace.spec.metric.synthetic.mode if synthetic else trace.spec.scheduler.params.get("mode", "min")
    shown = scaled(np.concatenate([y, log.best]) if log is not None else y, exponent)
    value_axis(ax, f"metric ({'lower' if mode == 'min' else 'higher'} is better)", shown, exponent, log=False, from_zero=False)
    place_legend(ax, [h for h, _ in handles], [t for _, t in handles], renderer, fontsize=8)


def runs(mask: np.ndarray):
    """(start, stop) of each run of True in ``mask``."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return zip(np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0])
