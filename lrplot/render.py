"""Figures from traces. The only module that imports matplotlib.

Figures are built with ``matplotlib.figure.Figure`` (no pyplot global state) under a pinned rc
context, so the same trace gives the same bytes on every run: fixed ``svg.hashsalt``, no dates in
metadata, one font family.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")  # never try to open a display: lrplot runs on servers and in CI

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

if TYPE_CHECKING:
    from .engine import Trace

RC = {
    "svg.hashsalt": "lrplot",
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#d9d9d9",
    "grid.linewidth": 0.6,
    "axes.prop_cycle": matplotlib.cycler(
        color=["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2"]
    ),
    "legend.frameon": False,
    "savefig.dpi": 150,
}
METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None},
}


def describe(trace: Trace) -> str:
    """``StepLR(step_size=10, gamma=0.5)``: the scheduler and the keywords the user set."""
    spec = trace.spec.scheduler
    source = trace.spec.source.get("scheduler", {})
    if isinstance(source, dict):
        keys = [k for k in source if k not in ("type", "schedulers", "last_epoch")]
    else:
        keys = []
    args = ", ".join(f"{k}={_short(spec.params[k])}" for k in keys if k in spec.params)
    return f"{spec.type}({args})"


def _short(value) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(_short(v) for v in value) + "]"
    if hasattr(value, "source"):
        return repr(value.source)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def plot_trace(trace: Trace, *, title: str | None = None, log: bool = False) -> Figure:
    """One schedule: lr against epoch, one line per param group, momentum in a second panel."""
    with matplotlib.rc_context(RC):
        has_momentum = trace.momentum is not None
        fig = Figure(figsize=(7.0, 5.2 if has_momentum else 3.9), layout="constrained")
        FigureCanvasAgg(fig)
        if has_momentum:
            ax, ax_m = fig.subplots(2, 1, sharex=True, height_ratios=[2.2, 1])
        else:
            ax, ax_m = fig.subplots(1, 1), None
        x = _edges(trace)
        many = len(trace.groups) > 1
        for g, name in enumerate(trace.groups):
            ax.plot(x, _hold_last(trace.lr[g]), drawstyle="steps-post", lw=1.8, label=name if many else None)
        ax.set_ylabel("learning rate")
        if log:
            ax.set_yscale("log")
        else:
            ax.set_ylim(bottom=min(0.0, float(trace.lr.min()) * 1.05))
        ax.set_xlim(0, x[-1])
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        default_title = describe(trace) if trace.name == trace.spec.scheduler.type else f"{trace.name}: {describe(trace)}"
        ax.set_title(title or default_title, loc="left")
        if many:
            ax.legend(loc="best")
        if ax_m is not None:
            for g, name in enumerate(trace.groups):
                ax_m.plot(x, _hold_last(trace.momentum[g]), drawstyle="steps-post", lw=1.4, label=name if many else None)
            ax_m.set_ylabel("beta1" if trace.spec.optimizer.betas is not None else "momentum")
        bottom = ax_m if ax_m is not None else ax
        bottom.set_xlabel("epoch")
        if trace.steps_per_epoch > 1:
            spe = trace.steps_per_epoch
            top = ax.secondary_xaxis("top", functions=(lambda e: e * spe, lambda i: i / spe))
            top.set_xlabel("iteration")
            ax.spines["top"].set_visible(False)
    return fig


def _edges(trace: Trace):
    """Step k holds its lr from epoch k/spe until the next step: one more edge closes the last."""
    import numpy as np

    return np.append(trace.epoch, len(trace) / trace.steps_per_epoch)


def _hold_last(values):
    import numpy as np

    return np.append(values, values[-1])


def figure_bytes(fig: Figure, fmt: str, dpi: int | None = None) -> bytes:
    """Render to PNG, SVG or PDF bytes, identical across runs for identical figures."""
    buf = io.BytesIO()
    with matplotlib.rc_context(RC):
        fig.savefig(buf, format=fmt, metadata=METADATA[fmt], dpi=dpi)
    return buf.getvalue()
