"""Figures: tested on their data, their annotations and their bytes, not on pixels where avoidable."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import lrplot
from lrplot.engine.events import find_events
from lrplot.registry import SCHEDULERS, family
from lrplot.render import Look, compare_traces, figure_bytes, plot_trace, reduce_points

from examples import CONFIGS, example_config, legend_labels


def _line(ax, gid):
    (line,) = [ln for ln in ax.get_lines() if ln.get_gid() == gid]
    return line


def _gids(ax) -> list[str]:
    return [a.get_gid() for a in ax.get_children() if a.get_gid()]


# several param groups: the schedulers that scale an optimizer's lr (a Keras or optax schedule is one lr for all)
@pytest.mark.parametrize("info", [i for i in SCHEDULERS if family(i.family).scales_lr], ids=lambda i: i.name)
def test_each_group_is_drawn_exactly(info):
    config = example_config(info, epochs=12, steps_per_epoch=5)
    config["optimizer"] = {"param_groups": [{"name": "backbone", "lr": 0.01}, {"name": "head", "lr": 0.1}], "momentum": 0.9}
    trace = lrplot.simulate(config)
    fig = plot_trace(trace)
    ax_lr = fig.axes[0]
    # one line per distinct curve (CyclicLR sets every group's lr alike: one line named after both)
    distinct = {tuple(row): [] for row in trace.lr}
    for g, name in enumerate(trace.groups):
        distinct[tuple(trace.lr[g])].append(name)
    for row, names in distinct.items():
        line = _line(ax_lr, f"lr-{', '.join(names)}")
        # steps-post: one extra point closes the last step at the end of the run
        assert np.array_equal(line.get_ydata()[:-1], np.array(row))
        assert np.array_equal(line.get_xdata()[:-1], trace.epoch)
        assert line.get_xdata()[-1] == 12 and line.get_label() == ", ".join(names)
    if len(distinct) > 1:
        assert legend_labels(fig, ax_lr)[:2] == ["backbone", "head"]
    notes = [t.get_text() for t in fig.texts if t.get_gid() == "note"]
    if np.ptp(trace.momentum) > 0:  # a cycled momentum gets its panel, one line per distinct curve
        ax_m = fig.axes[1]
        assert ax_m.get_ylabel() == "momentum" and notes == []
        assert np.array_equal(_line(ax_m, "momentum-backbone, head").get_ydata()[:-1], trace.momentum[0])
    else:  # a constant one is a note, not a panel
        assert len([a for a in fig.axes if a.get_gid() != "warmup-inset"]) == (2 if trace.metric is not None else 1)
        assert notes == ["momentum 0.9 throughout"]


def test_iteration_axis_only_with_several_steps_per_epoch():
    per_batch = plot_trace(lrplot.simulate({"scheduler": {"type": "onecycle", "max_lr": 0.1}, "run": {"epochs": 5, "steps_per_epoch": 20}}))
    (secondary,) = [a for a in per_batch.axes[0].child_axes if a.get_gid() == "iteration-axis"]
    assert secondary.get_xlabel() == "iteration"
    assert secondary.get_xaxis().get_transform() is not None
    assert per_batch.axes[0].get_xlim() == (0.0, 5.0)
    per_epoch = plot_trace(lrplot.simulate({"scheduler": {"type": "step", "step_size": 3}, "run": {"epochs": 10}}))
    assert per_epoch.axes[0].child_axes == []


@pytest.mark.parametrize(
    ("scheduler", "run", "metric", "expected"),
    [
        ({"type": "multistep", "milestones": [30, 80]}, {"epochs": 100}, None, [("milestone", 30), ("milestone", 80)]),
        (
            {"type": "sequential", "milestones": [5], "schedulers": [{"type": "linear", "total_iters": 5}, {"type": "cosine"}]},
            {"epochs": 10, "steps_per_epoch": 4, "step": "iteration"},
            None,
            [("switch", 5)],
        ),
        ({"type": "warm_restarts", "T_0": 10, "T_mult": 2}, {"epochs": 80}, None, [("restart", 10), ("restart", 30), ("restart", 70)]),
        ({"type": "plateau", "patience": 1}, {"epochs": 8}, [1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5], [("reduction", 3), ("reduction", 7)]),
    ],
    ids=["milestones", "switch", "restarts", "reductions"],
)
def test_events_are_marked_where_they_happen(scheduler, run, metric, expected):
    config = {"scheduler": scheduler, "run": run}
    if metric:
        config["metric"] = {"values": metric}
    trace = lrplot.simulate(config)
    events = find_events(trace)
    assert [(e.kind, e.step) for e in events] == expected
    for e in events:  # the lr really changes at each marked step
        if e.kind != "switch":
            assert trace.lr[0, e.step] != trace.lr[0, e.step - 1]
    ax = plot_trace(trace).axes[0]
    kinds = {kind for kind, _ in expected}
    for kind in kinds:
        marks = [a for a in ax.get_lines() if str(a.get_gid()).startswith(f"event-{kind}")]
        xs = sorted({float(x) for m in marks for x in np.atleast_1d(m.get_xdata())})
        assert xs == [step / trace.steps_per_epoch for k, step in expected if k == kind]
    # one entry per meaning: both milestones of a MultiStepLR multiply by 0.1
    legend = legend_labels(ax.figure, ax)
    assert len(legend) == len(kinds)


def test_switch_label_names_the_next_scheduler():
    trace = lrplot.simulate(CONFIGS / "warmup-cosine.yaml")
    ax = plot_trace(trace).axes[0]
    assert "CosineAnnealingLR" in [t.get_text() for t in ax.texts]


def test_reduce_points_keeps_every_extreme():
    rng = np.random.default_rng(0)
    y = np.cumsum(rng.normal(size=1_000_003))
    keep = reduce_points(y, 1000)
    assert keep.size < 4 * 1000 + 5
    assert keep[0] == 0 and keep[-1] == y.size - 1 and np.all(np.diff(keep) > 0)
    # every column's extremes survive
    width = -(-y.size // 1000)
    for start in range(0, y.size, width):
        col = y[start : start + width]
        kept = y[keep[(keep >= start) & (keep < start + width)]]
        assert kept.min() == col.min() and kept.max() == col.max()
    assert np.array_equal(reduce_points(y[:100], 1000), np.arange(100))


def _million_step_trace():
    return lrplot.simulate({"scheduler": {"type": "cyclic", "base_lr": 0.01, "max_lr": 0.1, "step_size_up": 20_000, "mode": "triangular2"}, "run": {"epochs": 100, "steps_per_epoch": 10_000}})


def test_million_steps_render_small_and_like_the_full_render():
    trace = _million_step_trace()
    svg = figure_bytes(plot_trace(trace), "svg")
    assert len(svg) < 300_000
    from matplotlib.image import imread
    import io

    reduced = imread(io.BytesIO(figure_bytes(plot_trace(trace), "png")))
    full = imread(io.BytesIO(figure_bytes(plot_trace(trace, reduce=False), "png")))
    assert reduced.shape == full.shape
    diff = np.abs(reduced - full).max(axis=-1)
    # Only anti-aliasing shades may differ: a handful of pixels by more than a tenth of full scale,
    # none by half, and few at all.
    assert (diff > 0.1).sum() <= 20 and diff.max() < 0.5
    assert (diff > 0.02).sum() <= 0.003 * diff.size, f"{(diff > 0.02).sum()} pixels differ"


def test_compare_overlay_and_grid_data():
    a = lrplot.simulate({"name": "a", "scheduler": {"type": "step", "step_size": 5}, "run": {"epochs": 20}})
    b = lrplot.simulate({"name": "b", "scheduler": {"type": "cosine"}, "run": {"epochs": 30}})
    overlay = compare_traces([a, b], ["a", "b"])
    ax = overlay.axes[0]
    assert [ln.get_label() for ln in ax.get_lines()] == ["a", "b"]
    assert np.array_equal(ax.get_lines()[1].get_ydata()[:-1], b.lr[0])
    assert ax.get_xlim() == (0.0, 30.0)
    grid = compare_traces([a, b, a, b], ["a", "b", "c", "d"], layout="grid")
    visible = [ax for ax in grid.axes if ax.get_visible()]
    assert [ax.get_title(loc="left") for ax in visible] == ["a", "b", "c", "d"]
    # similar runs share their scales
    assert visible[0].get_ylim() == visible[3].get_ylim() and visible[0].get_xlim() == visible[1].get_xlim()


def test_look_options_and_errors():
    trace = lrplot.simulate({"scheduler": {"type": "exponential", "gamma": 0.9}, "run": {"epochs": 30}})
    fig = plot_trace(trace, Look(size=(5, 3), dpi=80, log=True, title="T", dark=True))
    assert tuple(fig.get_size_inches()) == (5, 3) and fig.axes[0].get_yscale() == "log"
    assert [t.get_text() for t in fig.texts if t.get_gid() == "title"] == ["T"]
    assert plot_trace(trace, Look(style="ggplot"))
    with pytest.raises(lrplot.ConfigError, match="did you mean 'ggplot'"):
        plot_trace(trace, Look(style="gplot"))


@pytest.mark.parametrize("fmt", ["svg", "pdf"])
def test_vector_output_is_byte_identical_across_processes(tmp_path, fmt):
    outputs = []
    for i in range(2):
        out = tmp_path / f"{i}.{fmt}"
        subprocess.run(
            [sys.executable, "-m", "lrplot", "compare", "step:step_size=10", "onecycle:max_lr=0.1", "--epochs", "30", "-o", str(out)],
            check=True, capture_output=True,
        )
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
