"""The layout check: every gallery recipe and the hard cases, at the sizes papers and slides use.

Measured on the rendered matplotlib Figure itself (the one the SVG and PNG writers write), from its
artists' window extents under the Agg renderer, not from pixels: no two texts overlap, no text
leaves the figure, no text covers a plotted point, legends and insets cover no data, and the data
span at least 70% of each panel's height. Each figure is drawn once per size (no PNG).
"""

from __future__ import annotations

import itertools
from functools import lru_cache

import numpy as np
import pytest
from matplotlib.path import Path as MplPath
from matplotlib.transforms import Bbox

import lrplot
from lrplot.render import Look, compare_traces, plot_trace

from examples import CONFIGS

ROOT = CONFIGS.parent
SIZES = {"3.5x2.6": (3.5, 2.6), "5x3.5": (5.0, 3.5), "default": None, "10x4": (10.0, 4.0)}
MIN_SPAN = 0.7
TOLERANCE = 0.5  # pixels: boxes that merely touch do not overlap
TICK_GAP = 2.0  # points between two x tick labels at least: "0 5k10k" reads as one number


# ----------------------------------------------------------------------------------------------
# The figures


@lru_cache(maxsize=None)
def _trace(path: str):
    return lrplot.simulate(ROOT / path)


def _inline(*specs: str, epochs: int = 100, metric: bool = False):
    from lrplot.cli import build_spec
    from lrplot.inline import parse_inline
    from lrplot.explain import summary

    flags = {"epochs": epochs, **({"metric_model": "synthetic"} if metric else {})}  # --metric synthetic --metric-all
    traces = [lrplot.simulate(build_spec(kind, flags, keys)) for kind, keys in map(parse_inline, specs)]
    return traces, [summary(t.spec) for t in traces]


def _resume(config: str, at: int):
    from lrplot.engine import whatif

    def draw(look):
        trace = _trace(config)
        return plot_trace(trace, look, overlays=whatif.resumes(trace, at))

    return draw


def _mistakes(config: str):
    from lrplot import whatif as words
    from lrplot.engine import whatif

    def draw(look):
        trace = _trace(config)
        names = [m for m in words.MISTAKE_NAMES if whatif.mistake_applies(trace.spec, m) is None]
        return plot_trace(trace, look, overlays=whatif.mistakes(trace, names))

    return draw


def _verify(plan: str, runlog: str, **look_options):
    from lrplot.config import load
    from lrplot.render.verify import plot_verdict
    from lrplot.runlog import read_runlog
    from lrplot.verify import verify

    def draw(look):
        spec = load(ROOT / "tests/fixtures/plans" / plan)
        verdict = verify(spec, read_runlog(str(ROOT / "tests/fixtures/runs" / runlog)), 1e-6, base_dir=ROOT / "tests/fixtures/plans")
        from dataclasses import replace

        return plot_verdict(verdict, replace(look, **look_options))

    return draw


def _compare(*specs: str, layout: str = "overlay", log: bool = False, **flags):
    def draw(look):
        from dataclasses import replace

        traces, labels = _inline(*specs, **flags)
        return compare_traces(traces, labels, replace(look, log=log), layout)

    return draw


def _compare_files(*patterns: str, layout: str = "overlay"):
    def draw(look):
        traces = [_trace(str(p.relative_to(ROOT))) for pattern in patterns for p in sorted(CONFIGS.glob(pattern))]
        return compare_traces(traces, [t.name for t in traces], look, layout)

    return draw


def _plot(config: str | dict, **look_options):
    def draw(look):
        from dataclasses import replace

        trace = lrplot.simulate(config) if isinstance(config, dict) else _trace(config)
        return plot_trace(trace, replace(look, **look_options))

    return draw


TWO_GROUPS_600K = {  # a GPT-style pre-training: two groups, 2,000 warmup steps of 600k, cosine
    "name": "two-groups-600k",
    "optimizer": {"param_groups": [{"name": "decay", "lr": 6e-4}, {"name": "no_decay", "lr": 6e-5}], "betas": [0.9, 0.95]},
    "run": {"iterations": 600_000},
    "scheduler": {"type": "SequentialLR", "milestones": [2000], "schedulers": [
        {"type": "LinearLR", "start_factor": 0.001, "total_iters": 2000}, {"type": "CosineAnnealingLR", "T_max": 598_000}]},
}
ONE_ZERO_STEP = {  # lr 0 at one step of 100k: a log axis must still show where
    "name": "one-zero-step",
    "run": {"iterations": 100_000},
    "scheduler": {"type": "LambdaLR", "lr_lambda": "step / 1000 if step < 1000 else 0.5 ** (step / 20000)"},
}
HARD = {
    "resume-warmup-cosine": _resume("configs/warmup-cosine.yaml", 50),
    "resume-onecycle": _resume("configs/onecycle-per-batch.yaml", 1000),
    "mistakes-onecycle": _mistakes("configs/onecycle-per-batch.yaml"),
    "mistakes-multistep": _mistakes("configs/multistep-30-80.yaml"),
    "verify-diverged": _verify("torch-warmup-cosine.yaml", "torch-per-micro-batch/log.jsonl"),
    "verify-two-groups": _verify("lightning-onecycle.yaml", "lightning-onecycle-correct/metrics.csv"),
    "verify-two-groups-diverged": _verify("lightning-onecycle-accum.yaml", "lightning-onecycle-accum-ignored/metrics.csv"),
    "verify-followed": _verify("transformers-trainer.yaml", "transformers-correct"),
    "verify-per-epoch": _verify("lightning-onecycle.yaml", "lightning-onecycle-per-epoch/metrics.csv"),
    "verify-log-dark": _verify("torch-warmup-cosine.yaml", "torch-per-micro-batch/log.jsonl", log=True, dark=True, title="a title the user gave"),
    "compare-five": _compare("step:step_size=30", "multistep:milestones=[30,80]", "cosine", "onecycle:max_lr=0.1", "exponential:gamma=0.97"),
    "compare-grid": _compare("step:step_size=30", "multistep:milestones=[30,80]", "cosine", "onecycle:max_lr=0.1", layout="grid"),
    "compare-grid-scales": _compare("cosine:T_max=1000", "onecycle:max_lr=0.4", "exponential:gamma=0.999", layout="grid", epochs=1000),
    # eight long file names in a 3.5 in column: titles shortened, labels shared, ticks spaced (issue 19)
    "compare-grid-eight-files": _compare_files("compare-detection-*.yaml", "warmup5-cosine1-*.yaml", layout="grid"),
    "compare-grid-log": _compare("cosine:T_max=1000", "onecycle:max_lr=0.4", "poly:total_iters=500", layout="grid", epochs=1000, log=True),
    "compare-24": _compare(*[f"step:step_size={k}" for k in range(4, 28)]),
    "compare-plateaus": _compare("plateau:patience=3", "plateau:patience=10", "cosine", metric=True),
    "two-groups-600k": _plot(TWO_GROUPS_600K),
    "log-zero": _plot({"scheduler": {"type": "poly", "total_iters": 50}, "run": {"epochs": 100}}, log=True),
    "log-one-zero-step": _plot(ONE_ZERO_STEP, log=True),
    "log-warmup-inset": _plot("configs/nanogpt-cosine.yaml", log=True),
    "dark-plateau": _plot("configs/plateau-synthetic.yaml", dark=True),
    "dark-milestones": _plot("configs/wide-resnet-60-120-160.yaml", dark=True),
}
FIGURES = {**{p.stem: _plot(str(p.relative_to(ROOT))) for p in sorted(CONFIGS.glob("*.yaml"))}, **HARD}


# ----------------------------------------------------------------------------------------------
# What is drawn, measured


def _all_axes(fig):
    out = []

    def walk(ax):
        if ax.get_visible():
            out.append(ax)
            for child in ax.child_axes:
                walk(child)

    for ax in fig.axes:
        walk(ax)
    return out


def _texts(fig, renderer) -> list[tuple[str, Bbox]]:
    """(what, window extent) of every visible text drawn."""
    found = []

    def add(what, text):
        if text.get_visible() and text.get_text().strip():
            found.append((what, text.get_window_extent(renderer)))

    for text in fig.texts:
        add(f"figure text {text.get_text()[:30]!r}", text)
    legends = list(fig.legends)
    for ax in _all_axes(fig):
        name = ax.get_gid() or type(ax).__name__
        for t in (ax.title, ax._left_title, ax._right_title):
            add(f"{name} title", t)
        for which, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            add(f"{name} {which}label", axis.label)
            add(f"{name} {which} offset", axis.offsetText)
            for tick in axis._update_ticks():
                for label in (tick.label1, tick.label2):
                    add(f"{name} {which}tick {label.get_text()!r}", label)
        for text in ax.texts:
            add(f"{name} text {text.get_text()[:30]!r}", text)
        if ax.get_legend() is not None:
            legends.append(ax.get_legend())
    for legend in legends:
        if legend.get_visible():
            for text in legend.get_texts():
                add(f"legend {text.get_text()[:30]!r}", text)
    return found


def _tick_rows(fig, renderer) -> list[tuple[str, list[tuple[str, Bbox]]]]:
    """Each x axis's visible tick labels, left to right, with their window extents."""
    rows = []
    for ax in _all_axes(fig):
        labels = [t for tick in ax.xaxis._update_ticks() for t in (tick.label1, tick.label2) if t.get_visible() and t.get_text().strip()]
        for side in {id(t.get_transform()): None for t in labels}:
            row = sorted(((t.get_text(), t.get_window_extent(renderer)) for t in labels if id(t.get_transform()) == side), key=lambda p: p[1].x0)
            rows.append((f"{ax.get_gid() or type(ax).__name__} x", row))
    return rows


def _is_rule(xy: np.ndarray, box: Bbox) -> bool:
    """A full-height or full-width rule (an event, a resume point, the zero line) is a guide, not data."""
    xs, ys = xy[:, 0], xy[:, 1]
    vertical = np.ptp(xs) < 1e-6 and ys.min() <= box.y0 + 1 and ys.max() >= box.y1 - 1
    horizontal = np.ptp(ys) < 1e-6 and xs.min() <= box.x0 + 1 and xs.max() >= box.x1 - 1
    return bool(vertical or horizontal)


def _data(ax) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(polylines, marker points) of ``ax``'s data in display coordinates."""
    curves, points = [], []
    for line in ax.get_lines():
        if not line.get_visible():
            continue
        path = line._get_transformed_path().get_fully_transformed_path()  # as drawn: steps, transform
        xy = path.vertices
        xy = xy[np.isfinite(xy).all(axis=1)] if xy.size else xy
        if len(xy) == 0 or _is_rule(xy, ax.bbox):
            continue
        if line.get_linestyle() not in ("None", "none", "", " "):
            curves.append(path.vertices)
        if line.get_marker() not in (None, "None", "none", "", " "):
            points.append(xy)
    return curves, points


def _covers(box: Bbox, ax, data) -> bool:
    """Whether ``box`` covers any of ``ax``'s data (inside the axes: what is clipped is not drawn)."""
    inner = Bbox.intersection(box, ax.bbox)
    if inner is None or inner.width <= 2 * TOLERANCE or inner.height <= 2 * TOLERANCE:
        return False
    inner = Bbox.from_extents(inner.x0 + TOLERANCE, inner.y0 + TOLERANCE, inner.x1 - TOLERANCE, inner.y1 - TOLERANCE)
    curves, points = data
    for xy in curves:
        ok = np.isfinite(xy).all(axis=1)
        edges = np.diff(np.concatenate([[0], ok.astype(np.int8), [0]]))
        for a, b in zip(np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]):
            run = xy[a:b]
            if len(run) == 1 and inner.contains(*run[0]) or len(run) > 1 and MplPath(run).intersects_bbox(inner, filled=False):
                return True
    for xy in points:
        if ((xy[:, 0] > inner.x0) & (xy[:, 0] < inner.x1) & (xy[:, 1] > inner.y0) & (xy[:, 1] < inner.y1)).any():
            return True
    return False


def layout_problems(fig) -> list[str]:
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    problems = []
    texts = _texts(fig, renderer)
    page = fig.bbox
    for what, box in texts:
        if box.x0 < page.x0 - TOLERANCE or box.y0 < page.y0 - TOLERANCE or box.x1 > page.x1 + TOLERANCE or box.y1 > page.y1 + TOLERANCE:
            problems.append(f"{what} leaves the figure")
    for what, boxes in _tick_rows(fig, renderer):
        for (a, box_a), (b, box_b) in zip(boxes, boxes[1:]):
            if box_b.x0 - box_a.x1 < TICK_GAP * renderer.points_to_pixels(1.0):
                problems.append(f"{what} tick labels {a!r} and {b!r} run together")
    for (a, box_a), (b, box_b) in itertools.combinations(texts, 2):
        shrunk = Bbox.from_extents(box_a.x0 + TOLERANCE, box_a.y0 + TOLERANCE, box_a.x1 - TOLERANCE, box_a.y1 - TOLERANCE)
        if shrunk.overlaps(box_b) and not (a.startswith("legend") and b.startswith("legend")):
            problems.append(f"{a} overlaps {b}")
    panels = _all_axes(fig)
    data = {ax: _data(ax) for ax in panels}
    for what, box in texts:
        if what.startswith("legend"):
            continue  # its legend's box is checked whole below
        for ax in panels:
            if _covers(box, ax, data[ax]):
                problems.append(f"{what} covers data of {ax.get_gid()}")
    legends = [(legend, None) for legend in fig.legends] + [(ax.get_legend(), ax) for ax in panels if ax.get_legend() is not None]
    for legend, owner in legends:
        box = legend.get_window_extent(renderer)
        for ax in panels:
            if _covers(box, ax, data[ax]):
                problems.append(f"the legend of {owner.get_gid() if owner else 'the figure'} covers data of {ax.get_gid()}")
    for ax in panels:
        for child in ax.child_axes:
            if child.get_gid() == "warmup-inset" and child.get_visible() and _covers(child.get_tightbbox(renderer), ax, data[ax]):
                problems.append(f"the inset covers data of {ax.get_gid()}")
    for ax in fig.axes:  # the panels themselves (not insets or top axes)
        if not ax.get_visible():
            continue
        curves, points = data[ax]
        ys = []
        x0, x1 = ax.bbox.x0 - 1, ax.bbox.x1 + 1
        for xy in curves + points:
            xy = xy[np.isfinite(xy).all(axis=1)]
            ys.append(xy[(xy[:, 0] >= x0) & (xy[:, 0] <= x1), 1])
        ys = np.concatenate(ys) if ys else np.array([])
        if ys.size == 0:
            continue
        low, high = float(ys.min()), float(ys.max())
        if ax.get_yscale() == "linear":
            bottom, top = ax.get_ylim()
            if min(bottom, top) <= 0 <= max(bottom, top):  # an axis that starts at 0 on purpose
                zero = ax.transData.transform((ax.get_xlim()[0], 0.0))[1]
                low, high = min(low, zero), max(high, zero)
        if high - low < 1:
            continue  # a flat line has nothing to fill
        share = (min(high, ax.bbox.y1) - max(low, ax.bbox.y0)) / ax.bbox.height
        if share < MIN_SPAN:
            problems.append(f"the data of {ax.get_gid()} span {share:.0%} of its height")
    return problems


# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
@pytest.mark.parametrize("name", FIGURES)
def test_layout(name, size):
    fig = FIGURES[name](Look(size=SIZES[size], dpi=100))
    problems = layout_problems(fig)
    assert not problems, f"{name} at {size}:\n  " + "\n  ".join(problems)
