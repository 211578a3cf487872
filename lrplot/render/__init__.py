"""Figures from traces: the only package that imports matplotlib.

Figures are built with ``matplotlib.figure.Figure`` (no pyplot global state) under a pinned rc
context (``style``), so the same trace gives the same bytes on every run. What a figure shows is
decided in ``lrplot.chart`` (shared with the terminal figures of ``lrplot.term``); ``axes`` holds
the pieces every figure is drawn with, ``layout`` places legends and insets off the data; ``plot``
draws one schedule, ``compare`` several.
"""

from __future__ import annotations

from ..chart import reduce_points
from .compare import compare_traces
from .plot import plot_trace
from .style import Look, figure_bytes, styled

__all__ = ["Look", "compare_traces", "figure_bytes", "plot_trace", "reduce_points", "styled"]
