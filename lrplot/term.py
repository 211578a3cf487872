"""Figures in the terminal, drawn with Unicode braille (2 x 4 dots a character), for the GPU server
over SSH where no image can be opened.

The same chart model as the matplotlib figures (``chart.py``): merged groups, notes, zooms, the
normalized and progress axes. numpy only, no matplotlib: a terminal figure starts as fast as
``export``. Lines are drawn column by column (each column's extent, joined to the next), so a
million-step run costs what a short one does. Colours (16-colour ANSI) only when asked, which the
CLI does when stdout is a terminal and NO_COLOR is unset.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Sequence

import numpy as np

from .frozen import record
from .chart import (
    Series, View, XAxis, compact, merge_groups, momentum_note, normalized, scale_exponent, scale_note, scaled, superscript,
    title as chart_title, unique_labels, varies, visible_steps, x_axis,
)
from .errors import ConfigError

if TYPE_CHECKING:
    from .engine import Trace

COLORS = (34, 31, 32, 35, 33, 36, 94, 91)  # blue, red, green, magenta, yellow, cyan: the figures' order
DIM = 90
EVENT_MARKS = {"milestone": "\u25b2", "reduction": "\u25b2", "switch": "\u250a", "branch": "\u250a", "restart": "\u250a"}
EVENT_WORDS = {"milestone": "milestone", "reduction": "plateau reduction", "switch": "scheduler switch", "branch": "branch", "restart": "warm restart"}
# braille dot bits by (row within the cell, column within the cell)
DOTS = np.array([[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]], dtype=np.int32)
MIN_SIZE = (30, 8)
# The most a screen shows: an 8K display in an 8 x 16 pixel font is 960 x 270 characters. A larger
# COLUMNS or LINES (LINES=1000000) is clamped to this, and the figure says so.
MAX_SIZE = (1000, 300)
LABEL_WIDTH = 6


@record
class Line:
    trace: Trace
    series: Series
    label: str
    color: int


class Canvas:
    """A character grid with a colour per cell; braille dots for the plot area."""

    def __init__(self, width: int, height: int):
        self.width, self.height = width, height
        self.chars = [[" "] * width for _ in range(height)]
        self.colors = [[0] * width for _ in range(height)]

    def put(self, row: int, col: int, text: str, color: int = 0) -> None:
        for i, ch in enumerate(text):
            if 0 <= row < self.height and 0 <= col + i < self.width:
                self.chars[row][col + i] = ch
                self.colors[row][col + i] = color

    def lines(self, color: bool) -> list[str]:
        out = []
        for chars, colors in zip(self.chars, self.colors):
            if not color:
                out.append("".join(chars).rstrip())
                continue
            text, current = "", 0
            for ch, c in zip(chars, colors):
                if c != current and ch != " ":
                    text += f"\x1b[{c}m" if c else "\x1b[0m"
                    current = c
                text += ch
            out.append(text.rstrip() + ("\x1b[0m" if current else ""))
        return out


def terminal_size(size: tuple[int, int] | None = None) -> tuple[int, int, str | None]:
    """Columns and rows to draw in: the terminal's (COLUMNS and LINES override it), a row left for
    the prompt, clamped to what a screen shows; and a note saying so when it was clamped."""
    cols, rows = size or _terminal()
    drawn = (min(max(MIN_SIZE[0], cols), MAX_SIZE[0]), min(max(MIN_SIZE[1], rows - 1), MAX_SIZE[1]))
    if cols <= MAX_SIZE[0] and rows - 1 <= MAX_SIZE[1]:
        return (*drawn, None)
    return (*drawn, f"drawn {drawn[0]} x {drawn[1]} characters: {cols:,} x {rows:,} (COLUMNS x LINES) is more than a screen shows")


def _terminal() -> tuple[int, int]:
    """shutil.get_terminal_size((100, 30)) without loading shutil (and the compression modules it
    imports): COLUMNS and LINES first, then the terminal on stdout, then 100 x 30."""
    import os
    import sys

    def env(name: str) -> int:
        try:
            return int(os.environ.get(name, "0"))
        except ValueError:
            return 0

    cols, rows = env("COLUMNS"), env("LINES")
    if cols <= 0 or rows <= 0:
        try:
            size = os.get_terminal_size(sys.__stdout__.fileno())
        except (AttributeError, ValueError, OSError):
            size = os.terminal_size((100, 30))
        cols, rows = cols if cols > 0 else size.columns or 100, rows if rows > 0 else size.lines or 30
    return cols, rows


def plot_text(trace: Trace, view: View = View(), *, log: bool = False, title: str | None = None, size: tuple[int, int] | None = None, color: bool = False) -> str:
    """One schedule: the lr chart, a changing momentum in a chart below, events marked, notes."""
    from .engine.events import find_events

    cols, rows, clamped = terminal_size(size)
    axis = x_axis([trace], view.x)
    series = merge_groups(trace.lr, trace.groups)
    lines = [Line(trace, s, s.label, COLORS[i % len(COLORS)]) for i, s in enumerate(series)]
    momentum = merge_groups(trace.momentum, trace.groups) if trace.momentum is not None and varies(trace.momentum) else None
    notes = [n for n in [momentum_note(trace), clamped] if n]
    header = [title or chart_title(trace)]
    events = find_events(trace)
    body = rows - len(header) - len(notes) - 1  # a row for the legend
    lr_rows = body if momentum is None else max(6, body * 2 // 3)
    out = [_bold(h, color) for h in header]
    chart, marks = _chart(lines, axis, view, cols, lr_rows, log, "learning rate", events, color)
    out += chart
    if momentum is not None:
        what = "beta1" if trace.spec.optimizer.betas is not None else "momentum"
        m_lines = [Line(trace, s, s.label, COLORS[i % len(COLORS)]) for i, s in enumerate(momentum)]
        out += _chart(m_lines, axis, view, cols, max(5, body - lr_rows), False, what, events, color, from_zero=False)[0]
    if len(lines) > 1 or marks:
        out += _legend(lines if len(lines) > 1 else [], marks, color, cols)
    out += [_paint(n, DIM, color) for n in notes]
    return "\n".join(out) + "\n"


def compare_text(traces: Sequence[Trace], labels: Sequence[str], view: View = View(), *, log: bool = False, title: str | None = None, layout: str = "overlay", size: tuple[int, int] | None = None, color: bool = False) -> str:
    """Several schedules: overlaid in one chart, or (``grid``) one chart each, one under another."""
    cols, rows, clamped = terminal_size(size)
    axis = x_axis(traces, view.x)
    labels = unique_labels(list(labels))
    lines = []
    k = 0
    for trace, label in zip(traces, labels):
        series = merge_groups(trace.lr, trace.groups)
        if view.normalize:
            series = normalized(series)
        for s in series:
            lines.append(Line(trace, s, label if len(series) == 1 else f"{label}: {s.label}", COLORS[k % len(COLORS)]))
            k += 1
    ylabel = "lr / its peak" if view.normalize else "learning rate"
    out = [_bold(title or "learning-rate schedules", color)]
    if layout == "grid":
        each = max(6, (rows - 1 - bool(clamped)) // len(traces) - 1)
        for trace, label in zip(traces, labels):
            mine = [line for line in lines if line.trace is trace]
            out.append(_bold(label, color))
            out += _chart(mine, axis, view, cols, each, log, ylabel, (), color)[0]
        out += [_paint(clamped, DIM, color)] if clamped else []
        return "\n".join(out) + "\n"
    notes = [n for n in [scale_note([line.series for line in lines], log or view.normalize), clamped] if n]
    legend = _legend(lines, {}, color, cols)
    chart, marks = _chart(lines, axis, view, cols, rows - 1 - len(legend) - len(notes), log, ylabel, (), color)
    out += chart
    out += _legend(lines, marks, color, cols)
    out += [_paint(n, DIM, color) for n in notes]
    return "\n".join(out) + "\n"


def _chart(lines: Sequence[Line], axis: XAxis, view: View, cols: int, rows: int, log: bool, ylabel: str, events, color: bool, from_zero: bool = True):
    """A chart of ``rows`` text rows: a header with the unit, the plot with y labels, the x axis and its labels."""
    plot_rows = max(2, rows - 4)
    spans = {}
    for line in lines:
        try:
            spans[id(line)] = visible_steps(line.trace, axis, view.xlim)
        except ConfigError:
            if len(lines) == 1:
                raise
    if not spans:
        raise ConfigError("--xlim", "shows none of the runs")
    shown = np.concatenate([line.series.values[a:b] for line in lines if id(line) in spans for a, b in [spans[id(line)]]])
    exponent = scale_exponent(shown, log)
    values = scaled(shown, exponent)
    lo, hi = _y_range(values, log, from_zero)
    ticks = _log_ticks(lo, hi) if log else _nice_ticks(lo, hi, max(2, plot_rows // 3))
    labels = [_tick_label(t, log) for t in ticks]
    label_w = max([LABEL_WIDTH] + [len(t) for t in labels])  # charts stacked in one figure line up
    width = max(10, cols - label_w - 2)
    px_w, px_h = 2 * width, 4 * plot_rows
    x_low = 0.0 if view.xlim is None or view.xlim[0] is None else view.xlim[0]
    x_high = max(axis.end(line.trace) for line in lines) if view.xlim is None or view.xlim[1] is None else view.xlim[1]
    canvas = Canvas(cols, rows)
    unit = f"{ylabel} (\u00d710{superscript(exponent)})" if exponent else ylabel
    canvas.put(0, 0, unit + (", log scale" if log else ""), DIM)
    top = 1
    dots = np.zeros((px_h, px_w), dtype=np.int32)  # 0: empty, else the colour of the last line there

    def to_row(v: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            t = (np.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo)) if log else (v - lo) / (hi - lo)
        return np.round((1 - t) * (px_h - 1))

    marks: dict[str, int] = {}
    for e in events:
        trace = lines[0].trace
        x = e.step / axis.steps_per_x(trace)
        if not x_low < x < x_high:
            continue
        col = int((x - x_low) / (x_high - x_low) * px_w)
        if e.kind in ("switch", "branch", "restart") and 0 <= col < px_w:
            dots[::3, col] = np.where(dots[::3, col] == 0, DIM, dots[::3, col])
        marks[e.kind] = col // 2
    for line in lines:
        if id(line) not in spans:
            continue
        a, b = spans[id(line)]
        per = axis.steps_per_x(line.trace)
        y = scaled(line.series.values, exponent)
        if log:
            y = np.where(y > 0, y, np.nan)
        # the step active at each pixel column's left edge, and the steps that start inside it
        edges = x_low + (x_high - x_low) * np.arange(px_w + 1) / px_w
        first = np.floor(edges * per).astype(np.int64)
        inside = (first[:-1] < b) & (first[1:] >= a) & (edges[:-1] < axis.end(line.trace))
        start = np.clip(first[:-1], a, b - 1)
        stop = np.clip(np.maximum(first[1:], start + 1), a + 1, b)
        low, high = np.fmin.reduceat(y[:b], start), np.fmax.reduceat(y[:b], start)
        # reduceat covers [start_j, start_j+1): cap each column at its own last step
        last = y[stop - 1]
        low, high = np.fmin(low, last), np.fmax(high, last)
        # join each column to the value its left neighbour ends with (a drop draws as a wall)
        before = np.concatenate([[np.nan], last[:-1]])
        joined_low, joined_high = np.fmin(low, before), np.fmax(high, before)
        r_top, r_bottom = to_row(joined_high), to_row(joined_low)
        r = np.arange(px_h)[:, None]
        hit = inside & np.isfinite(r_top) & np.isfinite(r_bottom)
        mask = hit & (r >= np.clip(r_top, 0, px_h - 1)) & (r <= np.clip(r_bottom, 0, px_h - 1))
        dots[mask] = line.color
        if log:
            zero = inside & ~(line.series.values[np.clip(start, 0, None)] > 0)
            for col in np.nonzero(zero)[0]:
                canvas.put(top + plot_rows, label_w + 1 + col // 2, "\u2501", line.color)
            if zero.any():
                marks["zero"] = int(np.nonzero(zero)[0][0]) // 2
    # braille: one character per 4 x 2 dots, coloured by the last line drawn through it
    cells = (dots != 0).reshape(plot_rows, 4, width, 2)
    codes = (cells * DOTS[None, :, None, :]).sum(axis=(1, 3))
    cell_color = dots.reshape(plot_rows, 4, width, 2).max(axis=(1, 3))
    for row in range(plot_rows):
        for col in np.nonzero(codes[row])[0]:
            canvas.put(top + row, label_w + 1 + int(col), chr(0x2800 + int(codes[row, col])), int(cell_color[row, col]))
    for t, text in zip(ticks, labels):
        row = int(to_row(np.array([t]))[0]) // 4
        canvas.put(top + row, label_w - len(text), text)
        canvas.put(top + row, label_w, "\u2524")
    for row in range(plot_rows):
        if canvas.chars[top + row][label_w] == " ":
            canvas.put(top + row, label_w, "\u2502")
    axis_row = top + plot_rows
    canvas.put(axis_row, label_w, "\u2514")
    for col in range(width):
        if canvas.chars[axis_row][label_w + 1 + col] == " ":
            canvas.put(axis_row, label_w + 1 + col, "\u2500")
    for kind, col in marks.items():
        if kind in EVENT_MARKS:
            for e in events:
                x = e.step / axis.steps_per_x(lines[0].trace)
                if e.kind == kind and x_low < x < x_high:
                    canvas.put(axis_row, label_w + 1 + int((x - x_low) / (x_high - x_low) * width), EVENT_MARKS[kind], DIM)
    used = -1
    for t in _nice_ticks(x_low, x_high, max(2, width // 12)):
        col = label_w + 1 + int(round((t - x_low) / (x_high - x_low) * (width - 1)))
        text = f"{t:.0%}" if axis.unit == "progress" else compact(t)
        at = min(max(col - len(text) // 2, used + 2), cols - len(text))
        if at > used + 1 and at + len(text) <= cols:
            if canvas.chars[axis_row][col] == "\u2500":
                canvas.put(axis_row, col, "\u252c")
            canvas.put(axis_row + 1, at, text)
            used = at + len(text)
    canvas.put(axis_row + 2, label_w + 1 + max(0, (width - len(axis.label)) // 2), axis.label, DIM)
    return canvas.lines(color)[: axis_row + 3], marks


def _y_range(values: np.ndarray, log: bool, from_zero: bool) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    if log:
        finite = finite[finite > 0]
        if not finite.size:
            return 0.1, 10.0
        lo, hi = float(finite.min()), float(finite.max())
        return (lo / 2, hi * 2) if lo == hi else (lo, hi)
    if not finite.size:
        return 0.0, 1.0
    lo, hi = float(finite.min()), float(finite.max())
    if from_zero:
        lo = min(0.0, lo)
    if hi == lo:
        pad = abs(hi) * 0.1 or 1.0
        lo, hi = (lo - pad if not from_zero or lo < 0 else lo), hi + pad
    return lo, hi


def _nice_ticks(lo: float, hi: float, count: int) -> list[float]:
    """Round numbers (1, 2, 2.5, 5 times a power of ten) between lo and hi, about ``count`` of them."""
    span = hi - lo
    if not span > 0 or not math.isfinite(span):
        return [lo]
    raw = span / count
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw * 0.999)
    first = math.ceil(lo / step - 1e-9)
    return [k * step for k in range(first, int(math.floor(hi / step + 1e-9)) + 1)]


def _log_ticks(lo: float, hi: float) -> list[float]:
    a, b = math.ceil(math.log10(lo) - 1e-9), math.floor(math.log10(hi) + 1e-9)
    every = max(1, (b - a + 1) // 6 + 1)
    ticks = [10.0**e for e in range(a, b + 1, every)]
    return ticks if len(ticks) > 1 else [lo, hi]  # less than a decade: label its ends


def _tick_label(value: float, log: bool) -> str:
    if log:
        e = round(math.log10(value))
        return f"1e{e}" if abs(value - 10.0**e) < 1e-9 * value else f"{value:.2g}"
    return f"{value:.4g}" if abs(value) > 1e-12 else "0"


def _legend(lines: Sequence[Line], marks: dict[str, int], color: bool, width: int) -> list[str]:
    """The legend's items, as many to a row as the width holds."""
    items = [(_paint("\u2501\u2501", line.color, color), "\u2501\u2501 " + line.label, line.label) for line in lines]
    items += [(_paint(EVENT_MARKS[kind], DIM, color), EVENT_MARKS[kind] + " " + EVENT_WORDS[kind], EVENT_WORDS[kind]) for kind in marks if kind in EVENT_MARKS]
    if "zero" in marks:
        items.append((_paint("\u2501", DIM, color), "\u2501 lr = 0 (off the log axis)", "lr = 0 (off the log axis)"))
    rows: list[str] = []
    shown, used = "", 0
    for mark, plain, text in items:
        if used and used + 3 + len(plain) > width:
            rows.append(shown)
            shown, used = "", 0
        shown += ("   " if used else "") + mark + " " + text
        used += (3 if used else 0) + len(plain)
    return rows + ([shown] if used else [])


def _paint(text: str, code: int, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color and code else text


def _bold(text: str, color: bool) -> str:
    return f"\x1b[1m{text}\x1b[0m" if color else text
