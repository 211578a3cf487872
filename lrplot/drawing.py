"""Figures as objects: what ``lrplot.plot`` and ``lrplot.compare`` return, and what the CLI saves.

A :class:`Drawing` holds the numbers it shows (``.trace``, or ``.traces`` for a comparison) and
builds its matplotlib Figure on first use (``.figure``, drawn on the Figure API, never pyplot's
global state, so a notebook shows no second copy and keeps no figures alive). In Jupyter it shows
itself as a static SVG and PNG (``_repr_svg_``, ``_repr_png_``), which GitHub and nbviewer show in
a saved notebook too. ``.save(path)`` writes PNG, SVG, PDF or a self-contained interactive HTML
page, by the path's extension, atomically.

Nothing here imports matplotlib until a figure is asked for: ``import lrplot`` stays instant.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

from .errors import ConfigError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .chart import View
    from .config import Spec
    from .engine import Trace
    from .render import Look

CSS_PX_PER_INCH = 96  # a PNG shown in a notebook at the size its SVG shows at (72 pt to the inch)


class Drawing:
    """A figure of one or several traces, drawn when first shown or saved."""

    def __init__(self, traces: Sequence[Trace], labels: Sequence[str], look: Look, view: View, draw: Callable[[], Figure],
                 layout: str = "single", overlays: Sequence[Any] = ()):
        self.traces = list(traces)
        self.labels = list(labels)
        self.look = look
        self.view = view
        self.layout = layout  # "single" (one run), or a comparison's "overlay" (one axes) or "grid" (a panel per run)
        self.overlays = list(overlays)  # what-ifs drawn over a plot (lrplot.engine.whatif's outcomes)
        self.draw = draw  # a new Figure each call
        self._figure: Figure | None = None
        self._bytes: dict[str, bytes] = {}

    @property
    def figure(self) -> Figure:
        """The matplotlib Figure (built once; change it and ``save`` writes the change)."""
        if self._figure is None:
            self._figure = self.draw()
        return self._figure

    def to_bytes(self, fmt: str) -> bytes:
        """The figure as PNG, SVG or PDF bytes (the same bytes on every run), or the HTML page."""
        from .output import PAGE_FORMATS

        if fmt not in PAGE_FORMATS:
            raise ConfigError("format", f"must be one of {', '.join(PAGE_FORMATS)}, got {fmt!r}")
        if fmt not in self._bytes:
            if fmt == "html":
                from .render.page import page

                self._bytes[fmt] = page(self).encode()
            else:
                from .render import figure_bytes

                self._bytes[fmt] = figure_bytes(self.figure, fmt, self.look)
        return self._bytes[fmt]

    def save(self, path: str | os.PathLike) -> str:
        """Write the figure to ``path`` (.png, .svg, .pdf or .html), atomically; returns the path."""
        from .output import PAGE_FORMATS, destination, figure_format, write

        path = os.fspath(path)
        fmt = figure_format(path, PAGE_FORMATS)
        write(destination(path), [self.to_bytes(fmt)])
        return path

    def _repr_svg_(self) -> str:
        return self.to_bytes("svg").decode()

    def _repr_png_(self) -> tuple[bytes, dict[str, int]]:
        w, h = self.figure.get_size_inches()
        return self.to_bytes("png"), {"width": round(w * CSS_PX_PER_INCH), "height": round(h * CSS_PX_PER_INCH)}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {', '.join(repr(label) for label in self.labels)}>"


class Plot(Drawing):
    """One schedule (``lrplot.plot``): ``.trace`` holds its numbers."""

    @property
    def trace(self) -> Trace:
        return self.traces[0]


class Comparison(Drawing):
    """Several schedules in one figure (``lrplot.compare``): ``.traces`` and their ``.labels``."""


def look_and_view(title=None, log=False, size=None, dpi=150, style=None, dark=False, x=None, xlim=None, normalize=False) -> tuple[Look, View]:
    """A figure's options as lrplot's records, checked."""
    from .chart import View, x_axis
    from .render import Look

    look = Look(size=None if size is None else (float(size[0]), float(size[1])), dpi=dpi, style=style, dark=dark, log=log, title=title)
    look.check()
    if xlim is not None:
        if len(xlim) != 2 or (xlim[0] is not None and xlim[1] is not None and not xlim[0] < xlim[1]):
            raise ConfigError("xlim", f"must be (start, end) with start below end, got {xlim!r}")
        xlim = tuple(None if v is None else float(v) for v in xlim)
    if x is not None:
        x_axis([], x)  # the name is checked; whether the runs have epochs is checked when drawn
    return look, View(x=x, xlim=xlim, normalize=normalize)


def as_trace(config: Any, exact: bool = False) -> Trace:
    """A Trace from a Trace, a Spec, a mapping in the YAML schema, or a config file's path."""
    from .engine import Trace, simulate

    if isinstance(config, Trace):
        return config
    if not isinstance(config, (Mapping, str, os.PathLike)) and type(config).__name__ != "Spec":
        raise ConfigError("config", f"must be a config mapping, a path, a Spec or a Trace, not {type(config).__name__}")
    return simulate(config, exact=exact)


def plot(
    config: Spec | Trace | Mapping[str, Any] | str | os.PathLike,
    *,
    exact: bool = False,
    title: str | None = None,
    log: bool = False,
    size: tuple[float, float] | None = None,
    dpi: int = 150,
    style: str | None = None,
    dark: bool = False,
    x: str | None = None,
    xlim: tuple[float | None, float | None] | None = None,
    resume_at: int | None = None,
    resume_method: str | None = None,
    what_if: str | Sequence[str] | None = None,
) -> Plot:
    """One schedule's figure, as ``lrplot plot`` draws it.

    ``config`` is a mapping in the YAML schema, a config file (lrplot's YAML or a framework's own
    file), a Spec or a Trace. ``resume_at`` (with ``resume_method``, every method by default) and
    ``what_if`` (mistake names, or ``"all"``) draw what a resumed run or a stepping mistake trains
    with over the plan::

        p = lrplot.plot({"scheduler": {"type": "onecycle", "max_lr": 0.1}, "run": {"epochs": 10, "steps_per_epoch": 100}})
        p              # in a notebook: the figure
        p.trace.lr     # the numbers: lr[group, optimizer step]
        p.save("onecycle.html")
    """
    look, view = look_and_view(title, log, size, dpi, style, dark, x, xlim)
    trace = as_trace(config, exact)
    from .engine.whatif import overlays

    return plotted(trace, look, view, overlays(trace, resume_at, resume_method, what_if, exact))


def compare(
    *configs: Spec | Trace | Mapping[str, Any] | str | os.PathLike,
    labels: Sequence[str] | None = None,
    layout: str = "overlay",
    exact: bool = False,
    normalize: bool = False,
    title: str | None = None,
    log: bool = False,
    size: tuple[float, float] | None = None,
    dpi: int = 150,
    style: str | None = None,
    dark: bool = False,
    x: str | None = None,
    xlim: tuple[float | None, float | None] | None = None,
) -> Comparison:
    """Several schedules in one figure, as ``lrplot compare`` draws them: each a mapping, a config
    file, a Spec or a Trace, labelled by ``labels`` (default: each one's name)."""
    from .inline import check_count

    if not configs:
        raise ConfigError("configs", "give at least one schedule to compare")
    check_count(len(configs))
    if labels is not None and len(labels) != len(configs):
        raise ConfigError("labels", f"{len(labels)} labels for {len(configs)} schedules")
    if layout not in ("overlay", "grid"):
        raise ConfigError("layout", f"must be overlay or grid, got {layout!r}")
    look, view = look_and_view(title, log, size, dpi, style, dark, x, xlim, normalize)
    traces = [as_trace(c, exact) for c in configs]
    return comparison(traces, list(labels) if labels is not None else [t.name for t in traces], look, view, layout)


def comparison(traces: Sequence[Trace], labels: Sequence[str], look: Look, view: View, layout: str = "overlay") -> Comparison:
    """The Comparison of traces already simulated (the CLI's, whose specs come from flags and logs)."""

    def draw() -> Figure:
        from .render import compare_traces

        return compare_traces(traces, labels, look, layout, view)

    return Comparison(traces, labels, look, view, draw, layout)


def plotted(trace: Trace, look: Look, view: View, overlays: Sequence[Any] = ()) -> Plot:
    """The Plot of a trace already simulated, with its what-ifs (the CLI's)."""

    def draw() -> Figure:
        from .render import plot_trace

        return plot_trace(trace, look, view=view, overlays=overlays)

    return Plot([trace], [trace.name], look, view, draw, overlays=overlays)
