"""What the figures show on real schedules, checked on their data: merged groups, a constant momentum
as a note, the progress and normalized axes, legends off the data, the warmup zoom, zeros on a log
axis, grids with their own scales, the terminal figure against a stored text, and --watch."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from matplotlib.path import Path as MplPath

import lrplot
from lrplot.chart import View
from lrplot.render import Look, compare_traces, plot_trace
from lrplot.term import plot_text

from examples import legend_labels
from processes import running

TERM = Path(__file__).parent / "term"
WARMUP = {  # nanoGPT's shape: 2,000 warmup steps in a 200k-step run (1%)
    "name": "short-warmup",
    "optimizer": {"lr": 6e-4},
    "run": {"iterations": 200_000},
    "scheduler": {"type": "SequentialLR", "milestones": [2000], "schedulers": [
        {"type": "LinearLR", "start_factor": 0.001, "total_iters": 2000}, {"type": "CosineAnnealingLR", "T_max": 198_000}]},
}


def _data_lines(ax):
    return [ln for ln in ax.get_lines() if str(ln.get_gid()).startswith("lr-") and ln.get_gid() != "lr-zero"]


def test_groups_with_the_same_curve_are_one_line_named_after_all():
    trace = lrplot.simulate({"optimizer": {"param_groups": [{"name": "a", "lr": 0.1}, {"name": "b", "lr": 0.1}, {"name": "c", "lr": 0.01}]}, "scheduler": "cosine", "run": {"epochs": 10}})
    ax = plot_trace(trace).axes[0]
    assert [ln.get_label() for ln in _data_lines(ax)] == ["a, b", "c"]
    assert legend_labels(ax.figure, ax) == ["a, b", "c"]


def test_progress_axis_and_normalized_lines_line_up_different_runs():
    short = lrplot.simulate({"optimizer": {"lr": 5e-5}, "scheduler": {"type": "linear", "start_factor": 1.0, "end_factor": 0.0, "total_iters": 1000}, "run": {"iterations": 1000}})
    long = lrplot.simulate({"optimizer": {"lr": 0.4}, "scheduler": "cosine", "run": {"epochs": 300, "steps_per_epoch": 50}})
    fig = compare_traces([short, long], ["short", "long"], view=View(x="progress", normalize=True))
    ax = fig.axes[0]
    lines = _data_lines(ax)
    for line in lines:
        assert line.get_xdata()[0] == 0 and line.get_xdata()[-1] == 1.0
        assert np.max(line.get_ydata()) == 1.0
    assert np.array_equal(lines[0].get_ydata()[:-1], short.lr[0] / short.lr[0].max())
    assert np.array_equal(lines[0].get_xdata()[:-1], np.arange(1000) / 1000)
    assert ax.get_xlabel() == "fraction of training" and ax.get_ylabel() == "lr / its peak"
    # without --normalize the figure says why the small run looks flat
    plain = compare_traces([short, long], ["short", "long"])
    assert any("--normalize" in t.get_text() for t in plain.texts if t.get_gid() == "note")


def _assert_legend_off_the_data(fig, ax):
    legend = ax.get_legend()
    renderer = fig.canvas.get_renderer()
    box = legend.get_window_extent(renderer)
    assert fig.bbox.contains(box.x0, box.y0) and fig.bbox.contains(box.x1, box.y1)
    for line in _data_lines(ax):
        xy = line.get_transform().transform(line.get_xydata())
        xy = xy[np.isfinite(xy).all(axis=1)]
        assert not MplPath(xy).intersects_bbox(box, filled=False), line.get_label()


def test_a_five_way_compare_keeps_its_legend_off_the_curves():
    specs = ["step:step_size=30", "multistep:milestones=[30,80]", "cosine", "onecycle:max_lr=0.1", "exponential:gamma=0.97"]
    from lrplot.cli import build_spec
    from lrplot.inline import parse_inline
    from lrplot.explain import summary

    traces = [lrplot.simulate(build_spec(kind, {"epochs": 100}, keys)) for kind, keys in map(parse_inline, specs)]
    fig = compare_traces(traces, [summary(t.spec) for t in traces])
    ax = fig.axes[0]
    assert legend_labels(ax.figure, ax)[:2] == ["StepLR step_size 30", "MultiStepLR [30, 80]"]
    _assert_legend_off_the_data(fig, ax)
    # StepLR and MultiStepLR run together for 30 epochs: the later one is dashed, so both show
    styles = [ln.get_linestyle() for ln in _data_lines(ax)]
    assert styles[0] == "-" and styles[1] != "-"


def test_a_short_warmup_is_zoomed_in_an_inset_off_the_data():
    trace = lrplot.simulate(WARMUP)
    fig = plot_trace(trace)
    ax = fig.axes[0]
    (inset,) = [a for a in ax.child_axes if a.get_gid() == "warmup-inset"]
    assert inset.get_xlim() == (0.0, 4000.0)
    (line,) = inset.get_lines()
    assert np.allclose(line.get_ydata()[:-1], trace.lr[0, :4000] * 1e4, rtol=1e-14)  # drawn in units of 1e-4
    box = inset.get_tightbbox(fig.canvas.get_renderer())
    for data in _data_lines(ax):
        xy = data.get_transform().transform(data.get_xydata())
        assert not MplPath(xy).intersects_bbox(box, filled=False)
    # zoomed by hand instead, the figure shows just that, and no inset
    zoomed = plot_trace(trace, view=View(xlim=(0, 3000)))
    assert zoomed.axes[0].get_xlim() == (0.0, 3000.0) and zoomed.axes[0].child_axes == []
    assert _data_lines(zoomed.axes[0])[0].get_xdata().max() <= 3000


def test_log_axis_draws_a_schedule_that_reaches_zero_and_marks_where():
    trace = lrplot.simulate({"scheduler": {"type": "poly", "total_iters": 5}, "run": {"epochs": 10}})
    ax = plot_trace(trace, Look(log=True)).axes[0]
    assert ax.get_yscale() == "log"
    (zero,) = [ln for ln in ax.get_lines() if ln.get_gid() == "lr-zero-0"]
    assert zero.get_xdata()[:2].tolist() == [5.0, 10.0]  # lr is 0 from epoch 5 to the end
    assert "lr = 0 (off the log axis)" in legend_labels(ax.figure, ax)


def test_log_axis_marks_a_single_zero_step_of_a_long_run_visibly():
    # lr 0 at step 0 only, of 100,000: a bar one step wide would be a 200th of a pixel, and one on
    # the bottom edge lay under the spines, drawn after it (issue 19: keras-cosine-warmup --log)
    trace = lrplot.simulate({"run": {"iterations": 100_000}, "scheduler": {"type": "LambdaLR", "lr_lambda": "step / 1000 if step < 1000 else 1"}})
    for size in [(3.5, 2.6), None]:
        fig = plot_trace(trace, Look(log=True, size=size, dpi=100))
        ax = fig.axes[0]
        (zero,) = [ln for ln in ax.get_lines() if ln.get_gid() == "lr-zero-0"]
        assert zero.get_xdata()[:2].tolist() == [0.0, 1.0]
        # a triangle at each end of the zero span, drawn over the spines and never clipped
        assert zero.get_marker() == "^" and zero.get_markersize() >= 4 and not zero.get_clip_on()
        assert zero.get_zorder() > max(spine.get_zorder() for spine in ax.spines.values())
        fig.draw_without_rendering()
        box = zero.get_window_extent(fig.canvas.get_renderer())
        spine = ax.spines["bottom"]
        spine_top = ax.bbox.y0 + spine.get_linewidth() / 2 * fig.dpi / 72
        assert box.height * 72 / fig.dpi >= 4 and box.width * 72 / fig.dpi >= 4  # as wide as it is tall
        assert box.y0 >= spine_top - 0.5 and box.y1 <= ax.bbox.y0 + 0.1 * ax.bbox.height  # on the spine, at the bottom
        assert fig.bbox.contains(box.x0, box.y0) and fig.bbox.contains(box.x1, box.y1)


def test_grid_panels_get_their_own_scales_and_compact_ticks():
    small = lrplot.simulate({"name": "ft", "optimizer": {"lr": 5e-5}, "scheduler": "cosine", "run": {"iterations": 1000}})
    big = lrplot.simulate({"name": "pre", "optimizer": {"lr": 0.4}, "scheduler": "cosine", "run": {"iterations": 600_000}})
    fig = compare_traces([small, big], ["ft", "pre"], layout="grid")
    a, b = [ax for ax in fig.axes if ax.get_visible()]
    assert a.get_xlim() == (0.0, 1000.0) and b.get_xlim() == (0.0, 600_000.0)
    assert a.get_ylim()[1] < 6 and b.get_ylim()[1] < 0.5  # ft drawn in units of 1e-5
    assert "\u00d710\u207b\u2075" in a.get_ylabel()
    fig.canvas.draw()
    labels = [t.get_text() for t in b.get_xticklabels() if t.get_text()]
    assert "600k" in labels and all(len(t) <= 5 for t in labels)


def test_a_grid_of_long_names_in_a_column_shortens_titles_shares_labels_and_says_so():
    """Issue 19: eight panels in 3.5 x 2.6 in. The titles lose the start they share (telling the two
    'torch' runs apart), the per-panel y labels give way to the figure's, their scales follow the
    titles, and a note names what was left out; at 10 x 4 everything is shown whole."""
    root = Path(__file__).parent.parent / "configs"
    paths = sorted(root.glob("compare-detection-*.yaml")) + sorted(root.glob("warmup5-cosine1-*.yaml"))
    traces = [lrplot.simulate(p) for p in paths]
    names = [t.name for t in traces]
    fig = compare_traces(traces, names, Look(size=(3.5, 2.6), dpi=100), layout="grid")
    panels = [ax for ax in fig.axes if ax.get_visible()]
    titles = [ax.get_title(loc="left") for ax in panels]
    assert titles[0] == "detectron2" and titles[3] == "keras (\u00d710\u207b\u00b3)"
    assert len(set(titles)) == len(titles)  # compare-detection-torch and warmup5-cosine1-torch told apart
    assert all("torch" in titles[i] for i in (2, 6))
    assert [ax.get_ylabel() for ax in panels] == [""] * 8 and fig._supylabel.get_text() == "lr"
    (note,) = [t.get_text().replace("\n", " ") for t in fig.texts if t.get_gid() == "note"]
    assert "compare-detection-" in note and "warmup5-cosine1-" in note
    wide = compare_traces(traces, names, Look(size=(10, 4), dpi=100), layout="grid")
    panels = [ax for ax in wide.axes if ax.get_visible()]
    assert [ax.get_title(loc="left") for ax in panels] == names
    assert not [t for t in wide.texts if t.get_gid() == "note"]
    assert "\u00d710\u207b\u00b3" in panels[4].get_ylabel()


def test_verify_takes_the_figure_options_plot_takes(tmp_path):
    """Issue 19: a verify figure for a paper's column (`--size 3.5x2.6` was "No such option")."""
    from click.testing import CliRunner
    from PIL import Image

    from lrplot.cli import cli

    fixtures = Path(__file__).parent / "fixtures"
    args = ["verify", str(fixtures / "plans/transformers-trainer.yaml"), str(fixtures / "runs/transformers-correct")]
    out = tmp_path / "v.png"
    result = CliRunner().invoke(cli, [*args, "--size", "3.5x2.6", "--dpi", "100", "--dark", "--title", "T", "--log", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert Image.open(out).size == (350, 260)
    svg = tmp_path / "v.svg"
    assert CliRunner().invoke(cli, [*args, "--title", "the run in my paper", "-o", str(svg)]).exit_code == 0
    assert "<!-- the run in my paper -->" in svg.read_text()  # the title, drawn as paths
    # a figure option without a figure, and a page verify does not draw: one Error: line, exit 2
    for extra, words in ((["--size", "3.5x2.6"], "no figure to shape"), (["-o", str(tmp_path / "v.html")], ".png, .svg or .pdf")):
        result = CliRunner().invoke(cli, [*args, *extra])
        assert result.exit_code == 2 and words in result.output and "Traceback" not in result.output
        assert not (tmp_path / "v.html").exists()


def test_verify_figure_options_reach_the_figure():
    from lrplot.config import load
    from lrplot.render.verify import plot_verdict
    from lrplot.runlog import read_runlog
    from lrplot.verify import verify

    fixtures = Path(__file__).parent / "fixtures"
    spec = load(fixtures / "plans/transformers-trainer.yaml")
    verdict = verify(spec, read_runlog(str(fixtures / "runs/transformers-correct")), 1e-6, base_dir=fixtures / "plans")
    fig = plot_verdict(verdict, Look(size=(3.5, 2.6), title="T", log=True, dark=True))
    assert tuple(fig.get_size_inches()) == (3.5, 2.6) and fig.axes[0].get_yscale() == "log"
    assert [t.get_text() for t in fig.texts if t.get_gid() == "title"] == ["T"]
    assert sum(fig.get_facecolor()[:3]) < 1.5


def test_the_lr_scale_holds_every_curve_drawn_not_only_the_plan():
    """Issue 19: a restart's curve (the scheduler built again, ChainedScheduler-style, on the
    resumed lr) spikes to 0.31 over a plan peaking at 6e-4: the axis read "(×10⁻⁴)" with ticks to
    3,000. The unit is chosen from every curve drawn."""
    from lrplot.chart import scale_exponent, superscript
    from lrplot.engine import whatif

    trace = lrplot.simulate({
        "name": "llm", "optimizer": {"betas": [0.9, 0.95], "param_groups": [{"name": "decay", "lr": 6e-4}, {"name": "no_decay", "lr": 3e-4}]},
        "run": {"iterations": 6000, "step": "iteration"},
        "scheduler": {"type": "SequentialLR", "milestones": [20], "schedulers": [
            {"type": "LinearLR", "start_factor": 0.001, "total_iters": 20}, {"type": "CosineAnnealingLR", "T_max": 5980, "eta_min": 6e-5}]},
    })
    outcomes = whatif.resumes(trace, 3000, ["restart"])
    fig = plot_trace(trace, Look(size=(3.5, 2.6), dpi=100), overlays=outcomes)
    ax = fig.axes[0]
    drawn = np.concatenate([trace.lr.ravel(), *(o.lr.ravel() for o in outcomes)])
    exponent = scale_exponent(drawn)
    assert exponent != scale_exponent(trace.lr.ravel())  # the case: the plan alone is drawn in 10⁻⁴
    label = ax.get_ylabel().replace("\n", " ")
    assert (f"\u00d710{superscript(exponent)}" in label) if exponent else "\u00d710" not in label
    top = max(np.nanmax(ln.get_ydata()) for ln in ax.get_lines() if str(ln.get_gid()).startswith("whatif-"))
    assert np.isclose(top, np.nanmax(np.concatenate([o.lr.ravel() for o in outcomes])) / 10.0**exponent)
    assert ax.get_ylim()[1] >= top
    ticks = [t for t in ax.get_yticks() if ax.get_ylim()[0] <= t <= ax.get_ylim()[1]]
    assert max(ticks) < 1  # 0.1, 0.2, 0.3: not 1,000, 2,000, 3,000


CONFIGS = Path(__file__).parent.parent / "configs"
COLUMN = Look(size=(3.5, 2.6), dpi=100)


def _title(fig) -> str:
    return next(t.get_text() for t in fig.texts if t.get_gid() == "title")


def test_detectron2_marks_each_milestone_as_the_factor_it_applies_and_keeps_its_name_when_short():
    """Issue 19: both drops read "lr ×0.01 / ×0.1" (the 1x schedule multiplies by 0.1 at each, as the
    mmengine figure of the same says), and at 3.5 in the title named the MultiStepParamScheduler
    the section becomes instead of the WarmupMultiStepLR the user wrote."""
    trace = lrplot.simulate(CONFIGS / "detectron2-faster-rcnn-r50-fpn-1x.yaml")
    mm = lrplot.simulate(CONFIGS / "mmengine-mmdet-faster-rcnn-1x.yaml")
    for size in [(3.5, 2.6), (5, 3.5), None]:
        fig = plot_trace(trace, Look(size=size, dpi=100))
        labels = legend_labels(fig)
        assert "lr \u00d70.1" in labels and not any("0.01" in label for label in labels)
        assert "WarmupMultiStepLR" in _title(fig) and "ParamScheduler" not in _title(fig)
    assert "lr \u00d70.1" in legend_labels(plot_trace(mm, Look(dpi=100)))


def test_a_title_never_breaks_between_a_key_and_its_value():
    trace = lrplot.simulate(CONFIGS / "sgdr-t0-10-tmult-2.yaml")
    for size in [(3.5, 2.6), (5, 3.5)]:
        lines = _title(plot_trace(trace, Look(size=size, dpi=100))).split("\n")
        assert any("T_0 10" in line for line in lines) and any("T_mult 2" in line for line in lines), lines


def test_a_warmup_inset_titled_in_iterations_counts_iterations_on_its_axis():
    # 999 iterations of warmup in a run drawn in epochs of 500 iterations
    trace = lrplot.simulate(CONFIGS / "mmengine-warmup-cosine-momentum.yaml")
    fig = plot_trace(trace, Look(dpi=100))
    (inset,) = [c for c in fig.axes[0].child_axes if c.get_gid() == "warmup-inset"]
    assert inset.get_title(loc="left") == "warmup: 999 iterations"
    assert inset.get_xlim() == (0.0, 1998.0)
    (line,) = inset.get_lines()
    np.testing.assert_array_equal(line.get_xdata(), np.arange(1999))


def test_a_label_taller_than_its_panel_is_shortened_or_left_out_and_noted():
    """Issue 19: at 3.5 x 2.6 the momentum label stood taller than its panel."""
    for name in ("yolo-coco-defaults-8.4.190", "mmengine-warmup-cosine-momentum"):
        fig = plot_trace(lrplot.simulate(CONFIGS / f"{name}.yaml"), COLUMN)
        fig.draw_without_rendering()
        renderer = fig.canvas.get_renderer()
        notes = " ".join(t.get_text().replace("\n", " ") for t in fig.texts if t.get_gid() == "note")
        for ax in fig.axes:
            label = ax.yaxis.label
            if ax.get_gid() == "momentum":
                assert label.get_text() in ("momentum", "mom.") or "momentum" in notes
            if label.get_text():
                reach = 0.8 * 9 * 0.8 * fig.dpi / 72  # a label may reach into the gap between panels
                assert label.get_window_extent(renderer).height <= ax.bbox.height + reach, (name, label.get_text())


def test_a_log_axis_labels_the_bottom_of_the_data():
    """Issue 19: yolov5's linear decay to 1.3e-4 on a log axis had labels at 10⁻² and 10⁻³ only."""
    trace = lrplot.simulate(CONFIGS / "yolov5-linear-lambda.yaml")
    for size in [(3.5, 2.6), None, (10, 4)]:
        fig = plot_trace(trace, Look(size=size, dpi=100, log=True))
        fig.draw_without_rendering()
        ax = fig.axes[0]
        bottom, top = ax.get_ylim()
        lowest = float(trace.lr.min())
        labelled = [t.get_position()[1] for t in ax.get_yticklabels() if t.get_text() and bottom <= t.get_position()[1] <= top]
        assert min(labelled) <= lowest, labelled
        assert np.log10(lowest / bottom) <= 0.2 * np.log10(top / bottom)  # the data still fill the panel


def test_the_residual_axis_says_it_is_symlog():
    from lrplot.config import load
    from lrplot.render.verify import plot_verdict
    from lrplot.runlog import read_runlog
    from lrplot.verify import verify

    fixtures = Path(__file__).parent / "fixtures"
    verdict = verify(load(fixtures / "plans/lightning-onecycle.yaml"), read_runlog(str(fixtures / "runs/lightning-onecycle-per-epoch/metrics.csv")),
                     1e-6, base_dir=fixtures / "plans")
    for size in [None, (5, 3.5)]:
        fig = plot_verdict(verdict, Look(size=size, dpi=100))
        (residual,) = [ax for ax in fig.axes if ax.get_gid() == "residual"]
        notes = " ".join(t.get_text() for t in fig.texts if t.get_gid() == "note")
        assert residual.get_yscale() == "symlog"
        assert "symlog" in residual.get_ylabel() or "symlog" in notes


def test_terminal_figure_matches_the_stored_text():
    trace = lrplot.simulate({"scheduler": {"type": "step", "step_size": 10, "gamma": 0.5}, "optimizer": {"momentum": 0.9}, "run": {"epochs": 40}})
    text = plot_text(trace, size=(72, 20), color=False)
    assert text == (TERM / "step-40-epochs.txt").read_text(encoding="utf-8")
    colored = plot_text(trace, size=(72, 20), color=True)
    assert "\x1b[34m" in colored and "\x1b[" not in text


def test_terminal_figures_never_import_matplotlib(tmp_path):
    env = {**os.environ, "COLUMNS": "80", "LINES": "24", "NO_COLOR": "1"}
    code = (
        "import sys\nfrom lrplot.cli import cli\n"
        "try:\n    cli(['compare', 'step:step_size=3', 'cosine', '--epochs', '9', '--term', '--x', 'progress'])\n"
        "except SystemExit as e:\n    assert e.code == 0, e.code\n"
        "assert 'matplotlib' not in sys.modules\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "learning-rate schedules" and max(len(line) for line in lines) <= 80 and len(lines) <= 23
    assert "StepLR step_size 3" in lines[-1] and any(0x2801 <= ord(c) <= 0x28FF for c in out.stdout)


def test_watch_draws_again_after_the_config_changes(tmp_path):
    config = tmp_path / "run.yaml"
    config.write_text("scheduler: {type: step, step_size: 10}\nrun: {epochs: 30}\n")
    out = tmp_path / "run.svg"
    # Started with Ctrl-C working and killed on the way out, whatever signals the suite inherited:
    # here the worst case, SIGINT ignored as in a suite started by `pytest &` from a script.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with running(["plot", str(config), "-o", str(out), "--watch"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
            try:
                deadline = time.monotonic() + 60
                while not out.exists() and time.monotonic() < deadline:
                    time.sleep(0.1)
                first = out.read_bytes()
                config.write_text("scheduler: {type: step, step_size: 5}\nrun: {epochs: 30}\n")
                while out.read_bytes() == first and time.monotonic() < deadline:
                    time.sleep(0.1)
                assert out.read_bytes() != first
                config.write_text("scheduler: {type: step, step_size: 0}\n")  # mid-edit: an error, and it keeps watching
                time.sleep(1.5)
                assert proc.poll() is None
            finally:
                proc.send_signal(signal.SIGINT)
                stdout, stderr = proc.communicate(timeout=30)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert proc.returncode == 0 and "Traceback" not in stderr
    assert "scheduler.step_size: must be > 0" in stderr
    assert stdout.splitlines().count(str(out)) == 2


def test_marking_many_milestones_is_linear_and_bounded():
    from lrplot.engine.events import MAX_EVENTS_PER_KIND, find_events

    small, large = (
        lrplot.simulate({"scheduler": {"type": "multistep", "gamma": 0.99999, "milestones": list(range(1, n + 1))}, "run": {"iterations": n + 10}})
        for n in (13_000, 130_000)
    )
    timings = []
    for trace in (small, large):
        start = time.perf_counter()
        events = find_events(trace)
        timings.append(time.perf_counter() - start)
        assert [e.step for e in events] == list(range(1, MAX_EVENTS_PER_KIND + 1))
    # ten times the milestones, far less than a hundred times the work (it took 437 s when quadratic)
    assert timings[1] < 30 * timings[0] + 0.5
    plot_trace(large)


def test_compare_labels_read_as_the_schedule_unless_named():
    from click.testing import CliRunner

    from lrplot.cli import cli
    from lrplot.inline import split_label

    assert split_label("base=multistep:milestones=[30,80]") == ("multistep:milestones=[30,80]", "base")
    assert split_label("step:step_size=30") == ("step:step_size=30", None)
    assert split_label("runs/a=b.yaml") == ("runs/a=b.yaml", None)
    result = CliRunner().invoke(cli, ["compare", "base=step:step_size=30", "multistep:milestones=[30,80]", "--epochs", "100", "--term"], env={"COLUMNS": "90", "LINES": "20"})
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "\u2501\u2501 base   \u2501\u2501 MultiStepLR [30, 80]"


# ----------------------------------------------------------------------------------------------
# Issue 19: words, axes and marks a careful author would not submit


def test_titles_name_a_long_expression_by_the_shape_of_its_curve():
    from lrplot.chart import title

    from examples import CONFIGS

    titles = {p.stem: title(lrplot.simulate(p)) for p in sorted(CONFIGS.glob("*.yaml"))}
    assert not [t for t in titles.values() if "custom" in t]  # five recipes read "LambdaLR custom lr_lambda"
    assert titles["nanogpt-cosine"] == "nanogpt-cosine: LambdaLR, warmup 2,000 iterations, then decay to 6e-5"
    assert titles["cyclegan-linear-decay"].startswith("cyclegan-linear-decay: LambdaLR, constant to epoch 100, then decay to ")


def test_cyclic_titles_name_both_halves_of_the_cycle():
    from lrplot.chart import title

    trace = lrplot.simulate({"scheduler": {"type": "cyclic", "base_lr": 0.01, "max_lr": 0.1, "step_size_down": 500}, "run": {"iterations": 4000}})
    assert "step_size_up 2000, step_size_down 500" in title(trace)


def test_composite_titles_take_two_lines_at_most_and_shorten_to_fit():
    trace = lrplot.simulate(Path(__file__).parent.parent / "configs" / "wsd-llm-pretraining.yaml")
    for size in [(3.5, 2.6), (5, 3.5), None]:
        (text,) = [t.get_text() for t in plot_trace(trace, Look(size=size)).texts if t.get_gid() == "title"]
        assert text.count("\n") <= 1 and "\u2026" not in text and text.startswith("wsd-llm-pretraining")


def test_milestones_are_named_by_what_they_are():
    from examples import CONFIGS

    for config, words in [
        ("timm-mobilenetv3-step-noise.yaml", {"end of warmup", "noise on", "noise off"}),
        ("multistep-30-80.yaml", {"lr \u00d70.1"}),
        ("resnet110-constant-warmup.yaml", {"end of factor"}),
    ]:
        labels = set(legend_labels(plot_trace(lrplot.simulate(CONFIGS / config))))
        assert words <= labels and "milestone" not in labels, (config, labels)


def test_count_ticks_share_one_unit_and_value_ticks_use_round_steps():
    trace = lrplot.simulate({"scheduler": "cosine", "run": {"iterations": 14_000}})
    fig = plot_trace(trace)
    fig.draw_without_rendering()
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels() if t.get_text()]
    assert len(labels) >= 4 and all(t == "0" or t.endswith("k") for t in labels), labels  # never 8000, 10k, 12k
    for config in ("configs/nanogpt-cosine.yaml", "configs/timm-plateau-warmup.yaml", "configs/poly-deeplab.yaml"):
        ax = plot_trace(lrplot.simulate(Path(__file__).parent.parent / config), Look(size=(5, 3.5))).axes[0]
        ticks = [v for v in ax.get_yticks() if ax.get_ylim()[0] <= v <= ax.get_ylim()[1]]
        step = ticks[1] - ticks[0]
        mantissa = step / 10 ** np.floor(np.log10(step))
        assert any(np.isclose(mantissa, m) for m in (1, 2, 2.5, 5)), (config, ticks)  # never 1.5, 3.0, 4.5


def test_a_legend_leaves_the_data_most_of_the_panel():
    # a 600k-step warmup + cosine with two groups, a legend and a warmup inset: the axis stops near
    # the peak of 6e-4 (it reached 15e-4 to make room)
    config = {
        "optimizer": {"param_groups": [{"name": "decay", "lr": 6e-4}, {"name": "no_decay", "lr": 6e-5}]},
        "run": {"iterations": 600_000},
        "scheduler": {"type": "SequentialLR", "milestones": [2000], "schedulers": [
            {"type": "LinearLR", "start_factor": 0.001, "total_iters": 2000}, {"type": "CosineAnnealingLR", "T_max": 598_000}]},
    }
    ax = plot_trace(lrplot.simulate(config)).axes[0]
    assert "\u00d710\u207b\u2074" in ax.get_ylabel() and ax.get_ylim()[1] < 6 / 0.8


def test_the_warmup_inset_says_how_long_the_warmup_is_and_keeps_log_ticks():
    trace = lrplot.simulate(WARMUP)
    for log in (False, True):
        fig = plot_trace(trace, Look(log=log))
        fig.draw_without_rendering()
        (inset,) = [a for a in fig.axes[0].child_axes if a.get_gid() == "warmup-inset"]
        assert inset.get_title(loc="left") == "warmup: 2,000 iterations" and inset.get_xlim() == (0.0, 4000.0)
        assert len([t for t in inset.get_yticklabels() if t.get_text()]) >= 2
    # on an epoch axis, a warmup of part of an epoch is told in iterations (not "0.06808 epochs")
    mm = plot_trace(lrplot.simulate(Path(__file__).parent.parent / "configs" / "mmengine-mmdet-faster-rcnn-1x.yaml"))
    (inset,) = [a for a in mm.axes[0].child_axes if a.get_gid() == "warmup-inset"]
    assert inset.get_title(loc="left") == "warmup: 499 iterations"


def test_dark_figures_draw_markers_and_shading_that_show():
    from matplotlib.colors import to_rgb

    def luminance(color):
        r, g, b = to_rgb(color)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    trace = lrplot.simulate(Path(__file__).parent.parent / "configs" / "plateau-synthetic.yaml")
    milestones = lrplot.simulate({"scheduler": {"type": "multistep", "milestones": [30, 80]}, "run": {"epochs": 100}})
    for dark in (False, True):
        fig = plot_trace(milestones, Look(dark=dark))
        ax = fig.axes[0]
        (marks,) = [ln for ln in ax.get_lines() if str(ln.get_gid()).startswith("event-milestone")]
        assert abs(luminance(marks.get_color()) - luminance(ax.get_facecolor())) > 0.3
        spans = [p for p in plot_trace(trace, Look(dark=dark)).axes[-1].patches if str(p.get_gid()).startswith("patience-window")]
        assert spans and all(p.get_alpha() >= (0.25 if dark else 0.1) for p in spans)


def test_legends_hide_the_rules_they_sit_on():
    trace = lrplot.simulate(Path(__file__).parent.parent / "configs" / "reduce-on-plateau.yaml")
    for ax in plot_trace(trace).axes:
        legend = ax.get_legend()
        if legend is not None:
            frame = legend.get_frame()
            assert legend.get_frame_on() and frame.get_alpha() >= 0.85 and frame.get_facecolor()[3] > 0


def test_svg_element_ids_are_unique():
    import re
    from collections import Counter

    from lrplot.engine import whatif
    from lrplot.render import figure_bytes

    trace = lrplot.simulate(Path(__file__).parent.parent / "configs" / "plateau-synthetic.yaml")
    step = lrplot.simulate({"scheduler": {"type": "multistep", "milestones": [10, 20]}, "run": {"epochs": 30}})
    for fig in (plot_trace(trace), plot_trace(step, overlays=whatif.resumes(step, 15))):
        ids = Counter(re.findall(rb' id="([^"]+)"', figure_bytes(fig, "svg")))
        assert not [i for i, n in ids.items() if n > 1]


def test_a_milestone_named_decay_is_not_a_factor():
    # transformers' warmup_stable_decay marks where its decay starts with the word "decay"
    trace = lrplot.simulate(Path(__file__).parent.parent / "configs" / "vecformer-wsd.yaml")
    labels = legend_labels(plot_trace(trace))
    assert "decay" in labels and not [t for t in labels if "\u00d7" in t]
