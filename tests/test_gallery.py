"""The recipes in configs/, the gallery command, and the generated parts of docs/."""

from __future__ import annotations

import re
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


def test_gallery_file_names_cannot_inject_markup(tmp_path):
    import html.parser
    import urllib.parse

    configs = tmp_path / "configs"
    configs.mkdir()
    stem = 'x" onerror="alert(1)<b>|[a](b)'
    (configs / f"{stem}.yaml").write_text("# A config whose file name tries to end an attribute.\nscheduler: cosine\nrun: {epochs: 5}\n")
    out = tmp_path / "gallery"
    result = CliRunner().invoke(cli, ["gallery", str(configs), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / f"{stem}.svg").exists()

    class Tags(html.parser.HTMLParser):
        def __init__(self):
            super().__init__()
            self.attrs: list[tuple[str, str]] = []

        def handle_starttag(self, tag, attrs):
            self.attrs += attrs

    tags = Tags()
    tags.feed((out / "index.html").read_text())
    assert "onerror" not in {name for name, _ in tags.attrs}
    links = {value for name, value in tags.attrs if name in ("href", "src")}
    assert urllib.parse.quote(f"{stem}.svg") in links  # and the link leads to the file
    assert urllib.parse.unquote(urllib.parse.quote(f"{stem}.svg")) == f"{stem}.svg"
    row = (out / "README.md").read_text().splitlines()[-1]
    assert len(re.split(r"(?<!\\)\|", row)) == 4  # | figure | recipe |: no cell broken by the name
    tags = Tags()
    tags.feed(row.replace("\\|", "|"))
    assert "onerror" not in {name for name, _ in tags.attrs}


def test_gallery_refuses_configs_that_would_share_a_figure(tmp_path):
    configs = _mini_configs(tmp_path)
    shutil.copy(configs / "warmup-cosine.yaml", configs / "warmup-cosine.yml")
    result = CliRunner().invoke(cli, ["gallery", str(configs), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2 and "warmup-cosine.yml: renders to the same figure as warmup-cosine.yaml" in result.output
    assert not (tmp_path / "out").exists()


def test_gallery_links_a_yml_config_by_its_own_name(tmp_path):
    configs = _mini_configs(tmp_path)
    (configs / "warmup-cosine.yaml").rename(configs / "warmup-cosine.yml")
    out = tmp_path / "out"
    assert CliRunner().invoke(cli, ["gallery", str(configs), "-o", str(out)]).exit_code == 0
    assert "../configs/warmup-cosine.yml" in (out / "README.md").read_text()
    assert "../configs/warmup-cosine.yml" in (out / "index.html").read_text()


def test_gallery_refuses_a_file_name_that_is_not_utf8(tmp_path):
    import os

    configs = _mini_configs(tmp_path)
    with open(os.path.join(os.fsencode(configs), b"caf\xe9.yaml"), "w") as f:
        f.write("# Latin-1 name.\nscheduler: cosine\n")
    result = CliRunner().invoke(cli, ["gallery", str(configs), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2 and "caf\\xe9.yaml: the file name is not UTF-8" in result.output


def test_committed_gallery_index_lists_every_recipe():
    index = (CONFIGS.parent / "gallery" / "README.md").read_text()
    for path in RECIPES:
        assert f"{path.stem}.svg" in index


@pytest.mark.parametrize("page", sorted(docs.PAGES))
def test_generated_docs_are_current(page):
    text = (CONFIGS.parent / page).read_text()
    assert docs.render(page, text) == text, f"{page} is out of date: run `python -m lrplot.docs`"


def test_readme_compare_figure_is_current():
    assert (CONFIGS.parent / docs.COMPARE_FIGURE).read_bytes() == docs.compare_figure(), "run `python -m lrplot.docs`"


def test_every_command_is_documented_with_help():
    import click

    root = click.Context(cli)
    text = (CONFIGS.parent / "docs" / "commands.md").read_text()
    for name in cli.list_commands(root):
        command = cli.get_command(root, name)
        assert command.help and len(command.help) > 20
        assert f"#### `lrplot {name}`" in text


def test_every_framework_has_its_page_in_the_index():
    from lrplot.registry import FAMILIES

    index = (CONFIGS.parent / "docs" / "frameworks" / "README.md").read_text()
    for family in FAMILIES:
        assert (CONFIGS.parent / "docs" / "frameworks" / f"{family.name}.md").is_file(), f"docs/frameworks/{family.name}.md"
        assert f"]({family.name}.md)" in index
