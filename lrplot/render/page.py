"""One self-contained, interactive HTML page of a figure (``-o schedule.html``).

The page is lrplot's own SVG, as ``-o schedule.svg`` writes it, with a small script (``page.js``,
beside this module) and the numbers behind the drawn lines; nothing is loaded from anywhere. The
script reads the mouse against the axes' places in the SVG: hovering shows the nearest drawn step
with its epoch and every param group's lr (and momentum), exactly as the trace holds them, and the
event there (the metric a plateau schedule was fed, and its best so far, too); a toggle per line
hides it; dragging across the axes zooms the x axis (the drawn elements are moved, the x ticks drawn
anew in one format along the axis, as the static figures', and a legend inside the axes moved to
the place the zoomed data leaves free), a double click goes back.

A long run is drawn from the points its pixel columns keep (``reduce_points``: each column's
first, last, lowest and highest step), and the page carries the numbers of just those steps, so a
million-step run makes a page of a few hundred kilobytes; hovering snaps to a kept step, and every
number it shows is that step's own.
"""

from __future__ import annotations

import html
import json
import math
import re
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.text import Annotation

from ..chart import secondary, x_axis
from .style import figure_bytes

if TYPE_CHECKING:
    from ..drawing import Drawing
    from ..engine import Trace

DATA_PREFIXES = ("lr-", "momentum-", "whatif-")  # the gids of drawn schedule lines (render/axes.draw_series)
METRIC_LINE = re.compile(r"^metric(?:-(best|\d+))?$")  # the metric panel's lines: the metric fed, its best so far (render/axes.draw_metric)


def page(drawing: Drawing) -> str:
    """The HTML page of ``drawing``: its SVG, the numbers of the drawn steps, and page.js."""
    from ..engine.events import find_events

    fig = drawing.draw()  # a figure of its own: the page renames what it draws, and the drawing's own SVG keeps its names
    traces = drawing.traces
    axis = x_axis(traces, drawing.view.x)
    outcomes = [o for o in drawing.overlays if o.lr is not None]
    grid = drawing.layout == "grid"
    panels = [ax for ax in fig.axes if ax.get_visible()]
    lines: list[dict[str, Any]] = []
    marks: list[str] = []  # the events' rules, markers and labels, toggled together
    annotations = []
    kept: list[set[int]] = [set() for _ in traces]
    for a, ax in enumerate(panels):
        ax.set_gid(f"ax{a}")
        ax.xaxis.set_gid(f"ax{a}-x")
        for child in ax.child_axes:
            if child.get_gid() != "warmup-inset":  # the other count, on top
                child.set_gid(f"ax{a}-top")
        for z, artist in enumerate([*ax.get_lines(), *ax.patches, *ax.collections, *ax.texts]):
            gid = str(artist.get_gid())
            artist.set_gid(f"ax{a}-z{z}")  # everything drawn in the axes moves with a zoom
            if gid.startswith("event-") or (isinstance(artist, Annotation) and gid == "None"):  # a switch's label has no gid
                marks.append(artist.get_gid())
            if isinstance(artist, Annotation):
                annotations.append((ax, artist))
            metric = METRIC_LINE.match(gid)
            if metric is not None and hasattr(artist, "get_xdata"):  # the metric panel's lines: toggled and read out too
                t = int(metric[1]) if metric[1] and metric[1].isdigit() else 0
                line = _metric_line(artist, metric[1] == "best", traces[t], axis.steps_per_x(traces[t]))
                if drawing.layout in ("overlay", "grid") and len(traces) > 1:
                    line["label"] = f"{drawing.labels[t]}: {line['label']}"
                line.update(axes=a, run=t)
                lines.append(line)
                kept[t].update(line.pop("steps"))
                continue
            if not gid.startswith(DATA_PREFIXES) or gid.startswith("lr-zero"):
                continue
            # render/ names a line <kind>-<its groups>; a comparison's <kind>-<run>-<its groups>
            kind, _, rest = gid.partition("-")
            t = 0
            if drawing.layout in ("overlay", "grid"):
                run, _, rest = rest.partition("-")
                t = int(run)
            line = _line(artist, kind, rest, traces[t], outcomes, axis.steps_per_x(traces[t]))
            line.update(axes=a, run=t)
            if grid:  # a panel's lines are named by its title, the run
                line["label"] = drawing.labels[t] if len(traces[t].groups) == 1 else f"{drawing.labels[t]}: {line['label']}"
            lines.append(line)
            kept[t].update(line.pop("steps"))
    svg = figure_bytes(fig, "svg", drawing.look).decode()
    svg = svg[svg.index("<svg") :]  # no XML declaration or doctype inside HTML
    w_pt, h_pt = (v * 72 for v in fig.get_size_inches())
    # An annotation's point (SVG x, once drawn: a constrained layout places the axes when drawing);
    # its text keeps its offset from it when a zoom moves the point.
    anchors = {a.get_gid(): float(ax.get_xaxis_transform().transform((a.xy[0], 0))[0]) * 72 / fig.dpi
               for ax, a in annotations if (a.xycoords[0] if isinstance(a.xycoords, tuple) else a.xycoords) == "data"}
    axes = [_axes(ax, a, w_pt, h_pt, traces[a] if grid else traces[0], axis, grid) for a, ax in enumerate(panels)]
    runs = []
    for t, (trace, label) in enumerate(zip(traces, drawing.labels)):
        steps = np.array(sorted(kept[t]), dtype=np.int64)
        # Events are marked in a figure of one schedule (a logged run has no scheduler to have them).
        events = find_events(trace) if len(traces) == 1 and trace.spec.scheduler is not None else ()
        runs.append({
            "label": label,
            "per": axis.steps_per_x(trace),
            "spe": trace.steps_per_epoch if trace.has_epochs else None,
            "groups": list(trace.groups),
            "steps": steps.tolist(),
            "lr": [_numbers(row[steps]) for row in trace.lr],
            "momentum": None if trace.momentum is None else [_numbers(row[steps]) for row in trace.momentum],
            "whatifs": [{"label": _curve_names(o, outcomes), "lr": [_numbers(row[steps]) for row in _whole(o.lr, len(trace))]} for o in outcomes],
            "metric": None if trace.metric is None else [_numbers(_fed(trace, False)[steps])],
            "best": None if trace.plateau is None else [_numbers(_fed(trace, True)[steps])],
            "events": [{"step": e.step, "kind": e.kind, "label": e.label} for e in events],
        })
    data = {"unit": axis.unit, "label": axis.label, "axes": axes, "runs": runs, "lines": lines, "events": marks, "anchors": anchors}
    title = drawing.look.title or (drawing.labels[0] if len(traces) == 1 else "learning-rate schedules")
    return TEMPLATE.format(
        title=html.escape(title),
        background=_hex(fig.get_facecolor()),
        ink="#e8eaed" if drawing.look.dark else "#222222",
        svg=svg,
        data=json.dumps(data, separators=(",", ":"), allow_nan=False).replace("</", "<\\/"),
        script=resources.files(__package__).joinpath("page.js").read_text(encoding="utf-8"),
    )


def _line(artist, kind: str, rest: str, trace: Trace, outcomes, per: float) -> dict[str, Any]:
    """What the page knows of one drawn schedule line: its param groups, its values' scale, its steps.

    ``kind`` and ``rest`` are what render/ named it by: ``lr``, ``momentum`` or ``whatif`` (then
    ``rest`` starts with the what-if's name), and the groups the line stands for.
    """
    from ..chart import Series, merge_groups

    which = None
    if kind == "whatif":  # one line per group, as far as the what-if trains (it may raise before the end)
        which = next(i for i, o in enumerate(outcomes) if rest.startswith(f"{o.name}-"))
        values, rest = _whole(outcomes[which].lr, len(trace)), rest[len(outcomes[which].name) + 1 :]
        s = Series((rest,), values[trace.groups.index(rest)])
    else:  # one line per distinct curve, named after every group that follows it
        values = trace.lr if kind == "lr" else trace.momentum
        s = next(s for s in merge_groups(values, trace.groups) if s.label == rest)
    x = np.asarray(artist.get_xdata(), dtype=float)
    y = np.asarray(artist.get_ydata(), dtype=float)
    steps = np.rint(x * per).astype(np.int64)
    inside = (steps >= 0) & (steps < len(trace))
    g = trace.groups.index(s.names[0])
    row = values[g]
    # The line is drawn in units of 10**exponent, or divided by its peak: the page draws its
    # hover dots from the values, in the line's own units.
    scale = next((float(row[k] / v) for k, v in zip(steps[inside], y[inside]) if v != 0 and math.isfinite(v) and row[k] != 0 and math.isfinite(row[k])), 1.0)
    # What the legend calls it: the what-ifs that train this curve, "planned" under them, the run
    # in a comparison; then the groups, where the run has several.
    label = str(artist.get_label())
    if kind == "whatif":
        label = _curve_names(outcomes[which], outcomes)
    elif kind == "lr" and outcomes:
        label = "planned"
    groups = f": {s.label}" if len(trace.groups) > 1 and not label.endswith(s.label) else ""
    return {
        "id": artist.get_gid(), "kind": kind, "whatif": which, "group": g, "groups": list(s.names),
        "label": label + groups, "color": _hex(artist.get_color()), "scale": scale,
        "steps": steps[inside].tolist(),
    }


def _fed(trace: Trace, best: bool) -> np.ndarray:
    """Per optimizer step, the metric fed last by the end of it (or the best so far then): NaN before the first."""
    at = np.nonzero(~np.isnan(trace.metric))[0] if trace.plateau is None else np.asarray(trace.plateau.at)
    values = np.asarray(trace.plateau.best if best else trace.metric[at], dtype=float)
    where = np.searchsorted(at, np.arange(len(trace)), side="right") - 1
    return np.where(where >= 0, values[np.maximum(where, 0)], np.nan)


def _metric_line(artist, best: bool, trace: Trace, per: float) -> dict[str, Any]:
    """The page's record of a metric line (the metric fed, or the best so far): its steps are the
    steps after which each value was fed, its scale the panel's units."""
    x = np.asarray(artist.get_xdata(), dtype=float)
    y = np.asarray(artist.get_ydata(), dtype=float)
    steps = np.rint(x * per).astype(np.int64) - 1  # a value is drawn at the end of the step it follows
    inside = (steps >= 0) & (steps < len(trace))
    values = _fed(trace, best)
    scale = next((float(values[k] / v) for k, v in zip(steps[inside], y[inside]) if v != 0 and math.isfinite(v) and values[k] != 0 and math.isfinite(values[k])), 1.0)
    synthetic = trace.spec.metric is not None and trace.spec.metric.source == "synthetic"
    return {
        "id": artist.get_gid(), "kind": "best" if best else "metric", "whatif": None, "group": 0, "groups": [trace.groups[0]],
        "label": "best so far" if best else "synthetic metric" if synthetic else "metric", "color": _hex(artist.get_color()),
        "scale": scale, "steps": steps[inside].tolist(),
    }


def _whole(lr: np.ndarray, n: int) -> np.ndarray:
    """A what-if's lr over the whole run: NaN (null in the page) after the step where the library raises."""
    if lr.shape[1] == n:
        return lr
    out = np.full((lr.shape[0], n), np.nan)
    out[:, : lr.shape[1]] = lr
    return out


def _curve_names(outcome, outcomes) -> str:
    """The what-ifs that train the same curve as ``outcome``, as the figure's legend names them."""
    return ", ".join(o.name for o in outcomes if o.lr.shape == outcome.lr.shape and np.array_equal(o.lr, outcome.lr, equal_nan=True))


def _axes(ax, a: int, w_pt: float, h_pt: float, trace: Trace, axis, grid: bool) -> dict[str, Any]:
    """An axes' place in the SVG (in its user units, y down), its limits and its scales."""
    pos = ax.get_position()
    top = secondary(trace, axis) if any(c.get_gid() == f"ax{a}-top" for c in ax.child_axes) else None
    grid_line = next(iter(ax.xaxis.get_gridlines()), None)
    tick_label = next(iter(ax.xaxis.get_ticklabels()), None)
    return {
        "id": f"ax{a}",
        "x0": pos.x0 * w_pt, "x1": pos.x1 * w_pt, "top": (1 - pos.y1) * h_pt, "bottom": (1 - pos.y0) * h_pt,
        "xlim": list(ax.get_xlim()), "ylim": list(ax.get_ylim()), "ylog": ax.get_yscale() == "log",
        "run": a if grid else None,
        "secondary": None if top is None else {"label": top[0], "factor": top[1]},
        "grid": _hex(grid_line.get_color()) if grid_line is not None and grid_line.get_visible() else None,
        "ink": _hex(tick_label.get_color()) if tick_label is not None else "#000000",
        "progress": axis.unit == "progress",
    }


def _numbers(values: np.ndarray) -> list[float | None]:
    """Floats as JSON writes them (repr: they read back exactly); NaN (a logged run's unlogged steps) as null."""
    return [v if v == v else None for v in values.tolist()]


def _hex(color) -> str:
    from matplotlib.colors import to_hex

    return to_hex(color, keep_alpha=False)


TEMPLATE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="lrplot">
<title>{title}</title>
<style>
body {{ margin: 0; padding: 16px; background: {background}; color: {ink}; font: 14px/1.4 "DejaVu Sans", system-ui, sans-serif; }}
#figure {{ position: relative; max-width: 100%; width: fit-content; }}
#figure > svg {{ display: block; max-width: 100%; height: auto; cursor: crosshair; user-select: none; }}
#readout {{ position: absolute; pointer-events: none; display: none; background: rgba(255,255,255,0.95); color: #222;
  border: 1px solid #999; border-radius: 3px; padding: 4px 7px; font-size: 12px; white-space: nowrap; z-index: 2; }}
#readout b {{ font-weight: 600; }}
#readout .swatch, #toggles .swatch {{ display: inline-block; width: 14px; height: 3px; margin: 0 5px 3px 0; vertical-align: middle; }}
#toggles {{ margin: 8px 0 0; display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 13px; }}
#toggles label {{ cursor: pointer; }}
#hint {{ font-size: 12px; opacity: 0.7; margin-top: 6px; }}
#hint button {{ font: inherit; margin-left: 8px; }}
</style>
</head>
<body>
<div id="figure">
{svg}
<div id="readout"></div>
</div>
<div id="toggles"></div>
<div id="hint">Hover for the values; drag across the plot to zoom in on x, double-click to zoom out.<button id="reset" hidden>zoom out</button></div>
<script type="application/json" id="lrplot-data">{data}</script>
<script>
{script}
</script>
</body>
</html>
"""
