"""What a figure shows, decided before anything is drawn: the matplotlib figures (``render/``) and the
terminal (``term.py``) draw the same lines, notes and zooms from here, and neither decides them alone.

Nothing here imports matplotlib: ``lrplot plot --term`` must start as fast as ``export``.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Sequence

import numpy as np

from .frozen import record
from .errors import ConfigError

if TYPE_CHECKING:
    from .config import Spec
    from .engine import Trace

X_MODES = ("epoch", "iteration", "progress")
X_LABELS = {"epoch": "epoch", "iteration": "iteration", "progress": "fraction of training"}
WARMUP_SHARE = 0.02  # a rise shorter than this share of the run gets a zoom of its own
SCALE_GAP = 100.0  # peaks further apart than this draw as flat lines beside each other


@record
class View:
    """What part of the runs a figure shows, and how: the x (``--x``), a zoom (``--xlim``) and
    whether each line is divided by its peak (``--normalize``)."""

    x: str | None = None
    xlim: tuple[float | None, float | None] | None = None
    normalize: bool = False


@record
class XAxis:
    """The x of a figure: epochs or iterations as the runs count them, or the fraction of training."""

    unit: str  # epoch | iteration | progress

    @property
    def label(self) -> str:
        return X_LABELS[self.unit]

    def steps_per_x(self, trace: Trace) -> float:
        """Optimizer steps per x unit for ``trace`` (x = step / steps_per_x)."""
        if self.unit == "progress":
            return float(len(trace))
        return float(trace.steps_per_epoch if self.unit == "epoch" else 1)

    def end(self, trace: Trace) -> float:
        return len(trace) / self.steps_per_x(trace)


def natural_unit(trace: Trace) -> str:
    """The x of one run: epochs for a run counted in epochs, iterations otherwise."""
    return "epoch" if trace.spec.run.unit == "epoch" else "iteration"


def x_axis(traces: Sequence[Trace], mode: str | None = None) -> XAxis:
    """The x axis several runs share: their own unit when they agree, else optimizer steps (or ``mode``)."""
    if mode is None:
        units = {natural_unit(t) for t in traces}
        return XAxis(units.pop() if len(units) == 1 else "iteration")
    if mode not in X_MODES:
        raise ConfigError("--x", f"must be one of {', '.join(X_MODES)}, got {mode!r}")
    if mode == "epoch":
        missing = [t.name for t in traces if not t.has_epochs]
        if missing:
            raise ConfigError("--x", f"{missing[0]} is counted in iterations with no epoch length (give run.steps_per_epoch or a plan)")
    return XAxis(mode)


def secondary(trace: Trace, axis: XAxis) -> tuple[str, float] | None:
    """The other count on top of one run's figure (its label, and its units per x unit), when it tells something."""
    spe = trace.steps_per_epoch
    if spe <= 1 or not trace.has_epochs or axis.unit == "progress":
        return None
    return ("iteration", float(spe)) if axis.unit == "epoch" else ("epoch", 1.0 / spe)


# ----------------------------------------------------------------------------------------------
# Lines


@record
class Series:
    """One drawn line: the values of one or several param groups that follow the same curve."""

    names: tuple[str, ...]  # the param groups it stands for
    values: np.ndarray  # one value per optimizer step

    @property
    def label(self) -> str:
        return ", ".join(self.names)


def merge_groups(values: np.ndarray, names: Sequence[str]) -> list[Series]:
    """One series per distinct curve, named after every group that follows it (in group order):
    two groups with the same lr would otherwise draw on top of each other, one of them invisible."""
    out: list[Series] = []
    for g, name in enumerate(names):
        for i, s in enumerate(out):
            if np.array_equal(s.values, values[g]):
                out[i] = Series((*s.names, name), s.values)
                break
        else:
            out.append(Series((name,), values[g]))
    return out


def normalized(series: Sequence[Series]) -> list[Series]:
    """Each line divided by its own peak, so runs at different scales compare by shape."""
    out = []
    for s in series:
        peak = float(np.max(np.abs(s.values))) if s.values.size else 0.0
        out.append(Series(s.names, s.values / peak if peak > 0 and math.isfinite(peak) else s.values))
    return out


def varies(values: np.ndarray) -> bool:
    return bool(values.size) and bool((values != values.flat[0]).any())


def momentum_note(trace: Trace) -> str | None:
    """A constant momentum is a fact to state, not a panel to draw (None when it changes, or is absent)."""
    if trace.momentum is None or varies(trace.momentum):
        return None
    what = "beta1" if trace.spec.optimizer.betas is not None else "momentum"
    return f"{what} {float(trace.momentum.flat[0]):g} throughout"


def scale_note(series: Sequence[Series], log: bool) -> str | None:
    """Say so when lines at very different scales would draw the smaller ones flat on the axis."""
    peaks = [float(np.max(np.abs(s.values))) for s in series if s.values.size]
    peaks = [p for p in peaks if p > 0 and math.isfinite(p)]
    if log or len(peaks) < 2 or max(peaks) / min(peaks) <= SCALE_GAP:
        return None
    return f"peaks differ {max(peaks) / min(peaks):,.0f}x: --normalize or --log shows them together"


def warmup_end(series: Sequence[Series]) -> int | None:
    """The step a short warmup reaches its peak at, when the rise is too short to see in the run.

    Read off the curve, so it works for any framework: the lr starts below half its peak, rises
    once (a cyclic schedule rises again and again, and is not a warmup) and reaches the peak within
    ``WARMUP_SHARE`` of the run, after at least two steps.
    """
    if not series:
        return None
    v = max(series, key=lambda s: float(np.max(s.values)) if s.values.size else 0.0).values
    n = v.size
    peak = float(np.max(v)) if n else 0.0
    if n < 50 or not peak > 0 or not math.isfinite(peak) or not v[0] < 0.5 * peak:
        return None
    half = 0.5 * peak
    if np.count_nonzero((v[1:] >= half) & (v[:-1] < half)) != 1:
        return None
    end = int(np.argmax(v >= peak * (1 - 1e-9)))
    return end if 2 <= end < WARMUP_SHARE * n else None


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


def zero_spans(values: np.ndarray) -> list[tuple[int, int]]:
    """[start, stop) of each run of steps where the lr is 0, which a log axis cannot show."""
    mask = values == 0
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.nonzero(edges == 1)[0].tolist(), np.nonzero(edges == -1)[0].tolist()))


def scale_exponent(values: np.ndarray, log: bool = False) -> int:
    """The power of ten values are drawn in: 0 for ordinary numbers, the peak's exponent for very
    small or large ones. Drawn in that unit, matplotlib's ticks and limits never meet numbers near
    the ends of floating point (an lr of 5e-324 or 1.7e308 broke them: inf and nan ticks, overflow)."""
    finite = np.abs(values[np.isfinite(values)])
    peak = float(finite.max()) if finite.size else 0.0
    if peak == 0:
        return 0
    exponent = math.floor(math.log10(peak))
    if log:
        low = float(finite[finite > 0].min())
        return exponent if peak > 1e100 or low < 1e-100 else 0
    return exponent if not 0.01 <= peak < 1e4 else 0


def scaled(values: np.ndarray, exponent: int) -> np.ndarray:
    if exponent == 0:
        return values
    half = exponent // 2  # two divisions: 10**-324 itself is not a float
    return values / 10.0**half / 10.0 ** (exponent - half)


def superscript(exponent: int) -> str:
    return str(exponent).translate(str.maketrans("-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079"))


# ----------------------------------------------------------------------------------------------
# Zoom


def parse_xlim(text: str | None) -> tuple[float | None, float | None] | None:
    """``A:B`` (either end may be left out) in the figure's x unit, like ``0:2000`` or ``:5``."""
    if text is None:
        return None
    m = re.fullmatch(r"\s*([^:]*?)\s*:\s*([^:]*?)\s*", text)
    if not m:
        raise ConfigError("--xlim", f"must be A:B in the figure's x unit, like 0:2000 or :5, got {text!r}")
    ends = []
    for part in m.groups():
        if not part:
            ends.append(None)
            continue
        try:
            value = float(part)
        except ValueError:
            raise ConfigError("--xlim", f"{part!r} is not a number") from None
        if not math.isfinite(value):
            raise ConfigError("--xlim", f"{part!r} is not a finite number")
        ends.append(value)
    low, high = ends
    if low is not None and high is not None and not low < high:
        raise ConfigError("--xlim", f"the start must be below the end, got {text!r}")
    return low, high


def visible_steps(trace: Trace, axis: XAxis, xlim: tuple[float | None, float | None] | None) -> tuple[int, int]:
    """The optimizer steps [start, stop) a zoom shows (each step is drawn from its x to the next one's)."""
    n = len(trace)
    if xlim is None:
        return 0, n
    per = axis.steps_per_x(trace)
    low, high = xlim
    start = 0 if low is None else int(min(n, max(0, math.floor(low * per))))
    stop = n if high is None else int(min(n, max(0, math.ceil(high * per))))
    if stop <= start:
        raise ConfigError("--xlim", f"shows none of {trace.name}, which runs from 0 to {axis.end(trace):g} {axis.label}s")
    return start, stop


# ----------------------------------------------------------------------------------------------
# Words


def summary(spec: Spec) -> str:
    """The schedule in its framework's words, short enough for a legend (``MultiStepLR [30, 80]``)."""
    return spec.family.part("describe").summary(spec)


def title(trace: Trace) -> str:
    """The config's name and what the schedule is; the name alone when it already says it."""
    return titles(trace)[0]


def titles(trace: Trace) -> list[str]:
    """Titles from the fullest to the shortest, for a figure to show the first that fits its width:
    the name and the summary; the name and the schedulers' names; the name.

    A schedule written as an expression too long for a title (nanoGPT's ``get_lr`` as a LambdaLR)
    is named by the shape of its curve instead of "custom lr_lambda": five recipes read the same.
    """
    spec = trace.spec
    what = summary(spec)
    node = spec.scheduler
    if not node.children and CUSTOM.search(what):
        what = CUSTOM.sub(lambda m: ", " + shape_words(trace), what, count=1)
    name = trace.name
    # the short form in the words the user wrote, where the family says them (detectron2's
    # WarmupMultiStepLR, not the MultiStepParamScheduler it becomes); else the schedulers' types
    own = getattr(spec.family.part("describe"), "short_title", None)
    short = own(spec) if own is not None else None
    if not short:
        short = (" \u2192 " if node.type == "SequentialLR" else " + ").join(c.type for c in node.children) if node.children else node.type
        short = short.replace(".", " ")
    if name in (node.type, what):
        return list(dict.fromkeys([what, short]))
    return list(dict.fromkeys([f"{name}: {what}", f"{name}: {short}", name]))


CUSTOM = re.compile(r" custom \w+")


def shape_words(trace: Trace) -> str:
    """The shape of the highest line, in a few words: ``warmup 2,000 iterations, then decay to 6e-05``."""
    series = max(merge_groups(trace.lr, trace.groups), key=lambda s: float(np.max(s.values)))
    v = series.values
    n = v.size
    peak = float(v.max())
    if not n or not peak > 0:
        return f"lr {_g(peak)}"
    unit = "epochs" if trace.spec.run.unit == "epoch" else "iterations"
    per = trace.steps_per_epoch if unit == "epochs" else 1
    top = int(np.argmax(v >= peak * (1 - 1e-9)))
    words = []
    if top > 0 and v[0] < 0.5 * peak and np.all(np.diff(v[: top + 1]) >= 0):
        words.append(f"warmup {top / per:,.4g} {unit}")
    held = top + int(np.argmax(v[top:] < peak * (1 - 1e-9))) if (v[top:] < peak * (1 - 1e-9)).any() else n
    if held - top >= 0.05 * n and held < n:
        words.append(f"constant to {unit[:-1]} {held / per:,.4g}")
    rest = v[held:]
    if rest.size:
        if np.all(np.diff(rest) <= 0):
            words.append(f"decay to {_g(rest[-1])}")
        else:
            words.append(f"between {_g(rest.min())} and {_g(rest.max())}")
    if not words:
        return f"lr {_g(peak)}"
    return ", then ".join(words) if len(words) <= 2 else f"{words[0]}, {words[1]}, then {words[2]}"


def _g(value: float) -> str:
    return re.sub(r"e([+-])0*(\d)", lambda m: "e" + ("-" if m.group(1) == "-" else "") + m.group(2), f"{float(value):.3g}")


def unique_labels(labels: Sequence[str]) -> list[str]:
    """Legend labels, numbered where two would read the same."""
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if labels.count(label) == 1 else f"{label} ({seen[label]})")
    return out


def compact(value: float) -> str:
    """A tick label for a count: 100k, 1.5M, 600k, 0.25 (never 100000, which runs into its neighbours)."""
    if value != value or math.isinf(value):
        return ""
    a = abs(value)
    for size, suffix in ((1e9, "G"), (1e6, "M"), (1e4, "k")):
        if a >= size:
            scaled = value / (size if suffix != "k" else 1e3)
            return f"{scaled:.4g}{suffix}"
    return f"{value:.6g}"
