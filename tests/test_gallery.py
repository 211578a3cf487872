"""The recipes in configs/, the gallery command, and the README's generated sections."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from click.testing import CliRunner

import lrplot
from lrplot import docs
from lrplot.cli import cli
from lrplot.explain import explain
from lrplot.render import plot_trace
from lrplot.code import library_code as torch_code

from examples import CONFIGS

RECIPES = sorted(CONFIGS.glob("*.yaml"))
README = CONFIGS.parent / "README.md"


def test_there_are_enough_recipes_covering_every_class():
    assert len(RECIPES) >= 30
    from lrplot.config import load
    from lrplot.registry import SCHEDULERS

    used = {s.type for path in RECIPES for s in load(path).scheduler.walk()}
    assert used >= {info.name for info in SCHEDULERS if info.family == "torch"}


@pytest.mark.parametrize("path", RECIPES, ids=lambda p: p.stem)
def test_recipe_loads_simulates_renders_and_is_documented(path):
    text = path.read_text()
    assert text.startswith("# ") and len(text.splitlines()[0]) > 20, "a recipe starts with a one-line comment saying where it is used"
    trace = lrplot.simulate(path)
    assert trace.name == path.stem
    assert np.all(np.isfinite(trace.lr))
    exact = lrplot.simulate(path, exact=True)
    assert np.allclose(trace.lr, exact.lr, rtol=0, atol=1e-12 * np.abs(exact.lr).max())
    fig = plot_trace(trace)
    assert fig.axes[0].get_lines()
    assert trace.name in explain(trace)
    compile(torch_code(trace.spec), path.name, "exec")


def _mini_configs(tmp_path):
    configs = tmp_path / "configs"
    configs.mkdir()
    for name in ("step-every-10-halve.yaml", "warmup-cosine.yaml"):
        shutil.copy(CONFIGS / name, configs / name)
    return configs


def test_gallery_writes_checks_and_catches_drift(tmp_path):
    configs = _mini_configs(tmp_path)
    out = tmp_path / "gallery"
    runner = CliRunner()
    result = runner.invoke(cli, ["gallery", str(configs), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "README.md", "index.html", "step-every-10-halve.png", "step-every-10-halve.svg", "warmup-cosine.png", "warmup-cosine.svg",
    ]
    assert "../configs/warmup-cosine.yaml" in (out / "README.md").read_text()
    assert runner.invoke(cli, ["gallery", str(configs), "-o", str(out), "--check"]).exit_code == 0
    # a config edited without regenerating, and a figure deleted
    (configs / "warmup-cosine.yaml").write_text((configs / "warmup-cosine.yaml").read_text().replace("T_max: 95", "T_max: 90"))
    (out / "step-every-10-halve.png").unlink()
    result = runner.invoke(cli, ["gallery", str(configs), "-o", str(out), "--check"])
    assert result.exit_code == 1
    assert "differs: warmup-cosine.svg" in result.output and "missing: step-every-10-halve.png" in result.output


def test_gallery_errors_name_the_config(tmp_path):
    configs = _mini_configs(tmp_path)
    (configs / "broken.yaml").write_text("scheduler: {type: stepp}\n")
    result = CliRunner().invoke(cli, ["gallery", str(configs), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2 and "broken.yaml" in result.output and "did you mean" in result.output
    assert CliRunner().invoke(cli, ["gallery", str(tmp_path / "none"), "-o", str(tmp_path / "out")]).exit_code == 2


def test_committed_gallery_index_lists_every_recipe():
    index = (CONFIGS.parent / "gallery" / "README.md").read_text()
    for path in RECIPES:
        assert f"{path.stem}.svg" in index


def test_readme_generated_sections_are_current():
    text = README.read_text()
    assert docs.render_readme(text) == text, "README is out of date: run `python -m lrplot.docs`"


def test_readme_compare_figure_is_current():
    assert (CONFIGS.parent / docs.COMPARE_FIGURE).read_bytes() == docs.compare_figure(), "run `python -m lrplot.docs`"


def test_every_command_is_documented_with_help():
    import click

    root = click.Context(cli)
    text = README.read_text()
    for name in cli.list_commands(root):
        command = cli.get_command(root, name)
        assert command.help and len(command.help) > 20
        assert f"#### `lrplot {name}`" in text
