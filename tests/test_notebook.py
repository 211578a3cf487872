"""The library under the CLI: ``lrplot.plot`` and ``lrplot.compare`` return figures that show
themselves in Jupyter (static SVG and PNG), hold their numbers and save like the CLI does."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner

import lrplot
from lrplot.cli import cli
from lrplot.drawing import Comparison, Plot

from examples import CONFIGS

ONECYCLE = {"scheduler": {"type": "onecycle", "max_lr": 0.1}, "run": {"epochs": 10, "steps_per_epoch": 100}}


def test_import_lrplot_loads_neither_numpy_nor_matplotlib():
    code = "import sys, lrplot; lrplot.plot; print(sorted(m for m in ('numpy', 'matplotlib', 'yaml') if m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "[]"


def test_plot_shows_itself_as_the_cli_draws_it(tmp_path):
    p = lrplot.plot(ONECYCLE)
    assert isinstance(p, Plot) and np.array_equal(p.trace.lr, lrplot.simulate(ONECYCLE).lr)
    svg = p._repr_svg_()
    png, meta = p._repr_png_()
    assert svg.startswith("<?xml") and png.startswith(b"\x89PNG")
    assert meta == {"width": round(p.figure.get_figwidth() * 96), "height": round(p.figure.get_figheight() * 96)}
    # the same bytes as `lrplot plot CONFIG -o x.svg`
    config = tmp_path / "onecycle.yaml"
    config.write_text("scheduler: {type: onecycle, max_lr: 0.1}\nrun: {epochs: 10, steps_per_epoch: 100}\nname: OneCycleLR\n")
    out = tmp_path / "cli.svg"
    assert CliRunner().invoke(cli, ["plot", str(config), "-o", str(out)]).exit_code == 0
    assert out.read_text() == svg
    for ext in ("png", "svg", "pdf", "html"):
        saved = p.save(tmp_path / f"p.{ext}")
        assert (tmp_path / f"p.{ext}").read_bytes() == p.to_bytes(ext) and saved.endswith(ext)


def test_the_figure_is_matplotlibs_and_outside_pyplot():
    p = lrplot.plot(CONFIGS / "warmup-cosine.yaml", title="T", log=True, size=(5, 3), dpi=80)
    from matplotlib.figure import Figure

    assert isinstance(p.figure, Figure) and p.figure is p.figure  # built once
    assert tuple(p.figure.get_size_inches()) == (5, 3) and p.figure.axes[0].get_yscale() == "log"
    assert "matplotlib.pyplot" not in sys.modules


def test_plot_draws_what_ifs_and_zooms():
    p = lrplot.plot(CONFIGS / "warmup-cosine.yaml", resume_at=50, resume_method="restart", what_if="twice", xlim=(0, 60))
    assert [o.name for o in p.overlays] == ["restart", "twice"]
    assert p.figure.axes[0].get_xlim() == (0.0, 60.0)


def test_a_zoom_that_ends_before_the_resume_draws_the_plan_alone():
    p = lrplot.plot(CONFIGS / "warmup-cosine.yaml", resume_at=50, resume_method="restart", xlim=(0, 20))
    assert not [ln for ln in p.figure.axes[0].get_lines() if str(ln.get_gid()).startswith("whatif-")]
    assert p.to_bytes("html")


def test_compare_labels_and_layouts():
    a = {"name": "a", "scheduler": {"type": "step", "step_size": 5}, "run": {"epochs": 20}}
    b = lrplot.simulate({"name": "b", "scheduler": "cosine", "run": {"epochs": 30}})  # a Trace is taken as it is
    c = lrplot.compare(a, b, labels=["step", "cosine"], layout="grid", x="progress", normalize=True)
    assert isinstance(c, Comparison) and c.labels == ["step", "cosine"] and c.traces[1] is b
    assert [ax.get_title(loc="left") for ax in c.figure.axes if ax.get_visible()] == ["step", "cosine"]
    assert repr(lrplot.compare(a, b)) == "<Comparison of 'a', 'b'>"


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda: lrplot.plot(ONECYCLE, what_if="twise"), "unknown mistake 'twise' (did you mean 'twice'?)"),
        (lambda: lrplot.plot(ONECYCLE, resume_method="restart"), "--resume-method needs --resume-at"),
        (lambda: lrplot.plot(ONECYCLE, style="gplot"), "did you mean 'ggplot'"),
        (lambda: lrplot.plot(ONECYCLE, xlim=(5, 1)), "xlim: must be (start, end)"),
        (lambda: lrplot.plot(ONECYCLE, x="time"), "--x: must be one of"),
        (lambda: lrplot.plot(42), "must be a config mapping, a path, a Spec or a Trace"),
        (lambda: lrplot.plot({"scheduler": {"type": "step", "stepsize": 3}}), "scheduler.stepsize: StepLR has no option 'stepsize' (did you mean 'step_size'?)"),
        (lambda: lrplot.compare(), "at least one schedule"),
        (lambda: lrplot.compare(ONECYCLE, labels=["a", "b"]), "2 labels for 1 schedules"),
        (lambda: lrplot.compare(ONECYCLE, layout="stack"), "must be overlay or grid"),
        (lambda: lrplot.plot(ONECYCLE).save("figure.jpg"), "end it with .png, .svg, .pdf or .html"),
    ],
)
def test_mistakes_are_lrplots_errors(call, fragment):
    with pytest.raises(lrplot.ConfigError) as info:
        call()
    assert fragment in str(info.value)


def test_a_failed_save_leaves_the_old_file(tmp_path):
    old = tmp_path / "keep.svg"
    old.write_text("old")
    with pytest.raises(lrplot.ConfigError):
        lrplot.plot(ONECYCLE, what_if="per_batch").save(old)  # OneCycleLR already steps per batch
    assert old.read_text() == "old"
