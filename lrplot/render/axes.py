"""The pieces every figure is drawn with: lines reduced to the pixels, axes in epochs, iterations or
progress labelled alike, value axes that hold any finite number, events, zeros on a log axis, and
the metric panel. Pieces that need a legend return its entries; ``layout`` places them.

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
from matplotlib.ticker import FixedLocator, Formatter, FuncFormatter, MaxNLocator, NullLocator, ScalarFormatter

from ..chart import Series, XAxis, reduce_points, scale_exponent, scaled, superscript, zero_spans
from .layout import STEPS, Entry, Label
from .style import EVENT_LEGEND, Fonts, _mix, event_style, literal, shade_alpha

if TYPE_CHECKING:
    from ..engine import Trace


def pixel_columns(fig: Figure) -> int:
    return max(100, int(fig.get_figwidth() * fig.dpi))


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


DATA_SHARE = 0.8  # of a log axis's height, the data keep at least this when it reaches a decade


def value_axis(ax, label: str, scaled_values: np.ndarray, exponent: int, log: bool, fonts: Fonts, from_zero: bool = True) -> None:
    """The y axis of a panel drawn in units of 10**exponent, with limits set from finite values only."""
    ax.set_ylabel(f"{label} (\u00d710{superscript(exponent)})" if exponent else label, fontsize=fonts.label)
    ax.tick_params(labelsize=fonts.tick)
    finite = scaled_values[np.isfinite(scaled_values)]
    if log:
        log_axis(ax)
        positive = finite[finite > 0]
        if positive.size:
            lo, hi = float(positive.min()), float(positive.max())
            lo_t, hi_t = math.log10(lo), math.log10(hi)
            pad = max(0.05 * (hi_t - lo_t), 0.05)
            bottom, top = lo_t - pad, hi_t + pad
            # the decade just past an end of the data, where it costs the data little of the axis:
            # then that end is labelled (yolov5's decay to 1.3e-4 left the bottom without a number)
            down, up = math.floor(lo_t), math.ceil(hi_t)
            if (hi_t - lo_t) / (top - min(bottom, down)) >= DATA_SHARE:
                bottom = min(bottom, down)
            if (hi_t - lo_t) / (max(top, up) - bottom) >= DATA_SHARE:
                top = max(top, up)
            ax.set_ylim(10**bottom, 10**top)
        else:
            ax.set_ylim(0.1, 10)
        return
    formatter = ScalarFormatter(useOffset=False)
    formatter.set_scientific(False)  # the exponent is in the label: no offset text to run into a legend
    ax.yaxis.set_major_formatter(formatter)
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


def log_ticks_within(ax, low: float, high: float) -> None:
    """Ticks for a log axis spanning less than a few decades (a warmup's zoom): its decades when it
    holds two, else its two ends, so it is never left without labelled ticks."""
    decades = [10.0**e for e in range(math.ceil(math.log10(low)), math.floor(math.log10(high)) + 1)]
    ax.yaxis.set_major_locator(FixedLocator(decades if len(decades) >= 2 else [low, high]))
    ax.yaxis.set_minor_locator(NullLocator())


def _power_of_ten(value: float, _=None) -> str:
    if not value > 0 or not math.isfinite(value):
        return ""
    exponent = round(math.log10(value))
    mantissa = value / 10.0 ** (exponent // 2) / 10.0 ** (exponent - exponent // 2)
    if abs(mantissa - 1) > 1e-6:
        return f"{value:.2g}"
    return "1" if exponent == 0 else "10" if exponent == 1 else f"10{superscript(exponent)}"


class CountFormatter(Formatter):
    """Counts labelled compactly and alike along one axis: 8k, 10k, 12k (never 8000, 10k, 12k),
    100k, 1.5M; below 10,000 as they are."""

    def __init__(self) -> None:
        self.unit, self.suffix = 1.0, ""

    def set_locs(self, locs) -> None:
        super().set_locs(locs)
        finite = [abs(v) for v in locs if math.isfinite(v)]
        big = max(finite, default=0.0)
        self.unit, self.suffix = next(((size, suffix) for size, suffix, low in ((1e9, "G", 1e9), (1e6, "M", 1e6), (1e3, "k", 1e4)) if big >= low), (1.0, ""))

    def __call__(self, value: float, pos=None) -> str:
        if not math.isfinite(value):
            return ""
        text = f"{value / self.unit:.4g}"
        return "0" if text in ("0", "-0") else text + self.suffix


def count_axis(axis) -> None:
    """Integer ticks labelled compactly and alike (10k, 20k): long counts never run into each other."""
    axis.set_major_locator(MaxNLocator(integer=True, steps=STEPS))
    axis.set_major_formatter(CountFormatter())


def axes_x(top_ax, bottom_ax, axis: XAxis, low: float, high: float, secondary: tuple[str, float] | None, fonts: Fonts) -> None:
    top_ax.set_xlim(low, high)
    if axis.unit == "progress":
        bottom_ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0%}" if 0 <= v <= 1.0001 else ""))
        bottom_ax.xaxis.set_major_locator(MaxNLocator(steps=STEPS))
    else:
        count_axis(bottom_ax.xaxis)
    bottom_ax.set_xlabel(axis.label, fontsize=fonts.label)
    bottom_ax.tick_params(labelsize=fonts.tick)
    if secondary is not None:
        label, factor = secondary
        other = top_ax.secondary_xaxis("top", functions=(lambda x: x * factor, lambda y: y / factor))
        other.set_xlabel(label, fontsize=fonts.label)
        other.set_gid(f"{label}-axis")
        other.tick_params(labelsize=fonts.tick)
        other.xaxis.set_major_locator(MaxNLocator(integer=True, steps=STEPS))
        other.xaxis.set_major_formatter(CountFormatter())


# ----------------------------------------------------------------------------------------------
# Events


def _decay(label: str) -> bool:
    """A milestone that multiplies the lr (``x0.1``), as every framework labels them."""
    return len(label) > 1 and label[0] == "x" and label[1:].replace(".", "", 1).replace("e-", "", 1).isdigit()


OTHER_MARKERS = ("o", "s", "D", "P", "X", "*")
FACTOR, REDUCTION = "\0factor", "\0reduction"  # meanings of markers (never an event's own label)


def mark_events(ax, axis: XAxis, trace: Trace, events, exponent: int, steps: tuple[int, int], fonts: Fonts) -> tuple[list[Entry], list[Label]]:
    """Events inside the shown steps: a rule at each switch and restart, a marker on the curve at
    each milestone, one legend entry per meaning (``lr ×0.1``, ``end of warmup``, ``noise on``: a
    bare "milestone" said nothing), and a label naming the scheduler after each switch."""
    per = axis.steps_per_x(trace)
    shown = [e for e in events if steps[0] < e.step < steps[1]]
    entries: list[Entry] = []
    labels: list[Label] = []
    for kind in ("switch", "branch", "restart"):
        style = event_style(kind)
        rules = [e for e in shown if e.kind == kind]
        for i, e in enumerate(rules):
            handle = ax.axvline(e.step / per, **style, gid=f"event-{kind}-{i}")
            if kind in ("switch", "branch"):
                labels.append(Label(ax, e.step / per, literal(e.label), style["color"]))
        if rules:
            entries.append(Entry(handle, EVENT_LEGEND[kind], essential=False))
    # markers: one line per meaning, its points at each group's lr
    meanings: dict[str, list] = {}
    for e in shown:
        if e.kind == "milestone":
            meanings.setdefault(FACTOR if _decay(e.label) else e.label, []).append(e)
        elif e.kind == "reduction":
            meanings.setdefault(REDUCTION, []).append(e)
    others = iter(OTHER_MARKERS)
    factors = sorted({e.label for e in meanings.get(FACTOR, [])})
    for meaning, group in meanings.items():
        x = np.repeat([e.step / per for e in group], trace.lr.shape[0])
        y = scaled(np.concatenate([trace.lr[:, e.step] for e in group]), exponent)
        if meaning == REDUCTION:
            style, text = event_style("reduction"), EVENT_LEGEND["reduction"]
        elif meaning == FACTOR:
            style, text = event_style("milestone"), "lr " + " / ".join(f"\u00d7{f[1:]}" for f in factors) if len(factors) <= 2 else "lr decays"
        else:
            style, text = {**event_style("milestone"), "marker": next(others, "o"), "ms": 4.5}, literal(meaning)
        gid = "event-reduction" if meaning == REDUCTION else f"event-milestone-{len(entries)}"
        (handle,) = ax.plot(x, y, ls="none", **style, gid=gid)
        entries.append(Entry(handle, text, essential=False))
    return entries, labels


ZERO_MARK_PT = 5.0  # the triangles' size
ZERO_ZORDER = 2.6  # above the spines (2.5), which covered a mark on the bottom edge


def mark_zeros(ax, axis: XAxis, trace: Trace, series: Sequence[Series], steps: tuple[int, int], colors, gid: str = "lr-zero") -> list[Entry]:
    """Where the lr is 0, which a log axis cannot draw: per line, a bar along the bottom edge with a
    triangle at each end, standing on the spine (drawn over it, never clipped), so that a single
    zero step of a long run shows as a triangle where the bar would be a 200th of a pixel."""
    from matplotlib.transforms import ScaledTranslation

    per = axis.steps_per_x(trace)
    spine = ax.spines["bottom"].get_linewidth() if ax.spines["bottom"].get_visible() else 0.0
    lift = ScaledTranslation(0, (ZERO_MARK_PT / 2 + spine / 2) / 72, ax.figure.dpi_scale_trans)
    handles = []
    for i, (s, color) in enumerate(zip(series, colors)):
        spans = zero_spans(s.values[steps[0] : steps[1]])
        if not spans:
            continue
        xs, ys = [], []
        for a, b in spans:
            xs += [(steps[0] + a) / per, (steps[0] + b) / per, np.nan]
            ys += [0.0, 0.0, np.nan]
        (line,) = ax.plot(xs, ys, transform=ax.get_xaxis_transform() + lift, lw=ZERO_MARK_PT * 0.6, solid_capstyle="butt", color=color,
                          marker="^", ms=ZERO_MARK_PT, mew=0, clip_on=False, zorder=ZERO_ZORDER, gid=f"{gid}-{i}")
        handles.append(line)
    return [Entry(handles[0], "lr = 0 (off the log axis)", essential=False)] if handles else []


def rule_style(kind: str) -> dict:
    """A rule through the panels below the lr at an event."""
    if kind == "reduction":
        return {"color": "#d62728", "ls": ":", "lw": 0.9}
    return event_style(kind)


def metric_points(trace: Trace, axis: XAxis):
    """x and value of each metric fed: it is measured at the end of the step it follows."""
    at = np.nonzero(~np.isnan(trace.metric))[0] if trace.plateau is None else trace.plateau.at
    return (at + 1) / axis.steps_per_x(trace), trace.metric[at]


def draw_metric(ax, axis: XAxis, trace: Trace, fonts: Fonts) -> list[Entry]:
    """The metric a plateau schedule was fed, its best so far, the patience running out and the
    cooldowns; the legend's entries."""
    x, y = metric_points(trace, axis)
    log = trace.plateau
    exponent = scale_exponent(np.concatenate([y, log.best]) if log is not None else y)
    synthetic = trace.spec.metric.source == "synthetic"
    ink = matplotlib.rcParams["text.color"]
    grey, light = _mix(ink, matplotlib.rcParams["axes.facecolor"], 0.7), _mix(ink, matplotlib.rcParams["axes.facecolor"], 0.45)
    entries = []
    (line,) = ax.plot(x, scaled(y, exponent), lw=1.2, marker="o" if x.size <= 150 else None, ms=2.5, color=grey, gid="metric")
    # the metric panel's entries give way first: its label says what the line is
    entries.append(Entry(line, "synthetic metric" if synthetic else "metric", essential=False))
    if log is not None:
        (best,) = ax.plot(x, scaled(log.best, exponent), drawstyle="steps-post", lw=1.0, ls="--", color=light, gid="metric-best")
        entries.append(Entry(best, "best so far", essential=False))
        step = (trace.steps_per_epoch if trace.spec.run.step == "epoch" else 1) / axis.steps_per_x(trace)
        # the metric-driven scheduler's patience (patience, patience_t), wherever it sits in the config
        driven = next(s for s in trace.spec.scheduler.walk() if s.info.steps_on_metric)
        patience = next(value for key, value in driven.params.items() if key.startswith("patience"))
        alpha = shade_alpha()
        # The bad steps that exhausted the patience, and the cooldown after each reduction.
        reduced = np.nonzero(log.reduced)[0]
        for i, j in enumerate(reduced):
            ax.axvspan(x[max(0, j - patience)] - step, x[j], color="#d62728", alpha=alpha, lw=0, gid=f"patience-window-{i}")
        cooling = log.cooldown > 0
        for i, (start, stop) in enumerate(runs(cooling)):
            ax.axvspan(x[start], x[stop - 1] + step, color="#1f77b4", alpha=alpha, lw=0, gid=f"cooldown-window-{i}")
        if reduced.size:
            ax.plot(x[reduced], scaled(y[reduced], exponent), ls="none", marker="v", color="#d62728", ms=6, gid="metric-reduction")
        entries.append(Entry(matplotlib.patches.Patch(color="#d62728", alpha=2 * alpha), f"patience ({patience}) running out", essential=False))
        if cooling.any():
            entries.append(Entry(matplotlib.patches.Patch(color="#1f77b4", alpha=2 * alpha), "cooldown", essential=False))
    mode = trace.spec.metric.synthetic.mode if synthetic else trace.spec.scheduler.params.get("mode", "min")
    shown = scaled(np.concatenate([y, log.best]) if log is not None else y, exponent)
    value_axis(ax, f"metric ({'lower' if mode == 'min' else 'higher'} is better)", shown, exponent, log=False, fonts=fonts, from_zero=False)
    return entries


def runs(mask: np.ndarray):
    """(start, stop) of each run of True in ``mask``."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return zip(np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0])
