"""The recipes in configs/, the gallery command, and the generated parts of docs/."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

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


def test_gallery_check_of_an_unchanged_gallery_draws_nothing(tmp_path, monkeypatch):
    from lrplot import cache

    configs = _mini_configs(tmp_path)
    out = tmp_path / "gallery"
    assert CliRunner().invoke(cli, ["gallery", str(configs), "-o", str(out)]).exit_code == 0

    def no_drawing(request):
        raise AssertionError(f"drew {request}")

    monkeypatch.setattr(cache, "render", no_drawing)
    result = CliRunner().invoke(cli, ["gallery", str(configs), "-o", str(out), "--check"])
    assert result.exit_code == 0, result.output
    # nor imports matplotlib: a fresh process
    code = ("import sys; from lrplot.cli import main; sys.argv = ['lrplot', 'gallery', %r, '-o', %r, '--check']\n"
            "try:\n    main()\nexcept SystemExit as exc:\n    print(exc.code, 'matplotlib' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code % (str(configs), str(out))], capture_output=True, text=True)
    assert proc.stdout.splitlines()[-1] == "0 False", proc.stdout + proc.stderr
    # and a write of an unchanged gallery rewrites nothing either
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    assert CliRunner().invoke(cli, ["gallery", str(configs), "-o", str(out)]).exit_code == 0
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before


def test_gallery_cache_key_follows_every_input(tmp_path, monkeypatch):
    """The config's bytes, a file it reads (a metric log), lrplot's code and matplotlib's version each make a miss."""
    from lrplot import cache

    log = tmp_path / "val.csv"
    log.write_text("val_loss\n" + "".join(f"{1 / (i + 1)}\n" for i in range(12)))
    config = tmp_path / "plateau.yaml"
    config.write_text("scheduler: {type: plateau, patience: 1}\nrun: {epochs: 12}\nmetric: {csv: val.csv, column: val_loss}\n")
    request = cache.Request((cache.Source("file", str(config)),), ("svg",))
    first = cache.draw(request)
    assert first.drawn and first.files == (str(log),)
    assert not cache.draw(request).drawn
    log.write_text("val_loss\n" + "1.0\n" * 12)  # the log changes: the plateau reductions move
    again = cache.draw(request)
    assert again.drawn and again.outputs["svg"].sha256 != first.outputs["svg"].sha256
    config.write_text(config.read_text() + "# a comment\n")
    assert cache.lookup(request) is None
    cache.draw(request)
    assert cache.lookup(request) is not None
    monkeypatch.setattr(cache, "_DIGEST", ["another lrplot"])
    assert cache.lookup(request) is None
    monkeypatch.undo()
    monkeypatch.setattr(cache, "_VERSIONS", {**cache.library_versions(), "matplotlib": "0.0"})
    assert cache.lookup(request) is None


def test_cache_versions_are_the_installed_ones():
    from importlib import metadata

    from lrplot import cache

    assert cache.library_versions() == {dist: metadata.version(dist) for _, dist in cache.LIBRARIES}


def test_cache_redraws_a_lost_or_damaged_figure(tmp_path):
    from lrplot import cache

    request = cache.Request((cache.Source("spec", "cosine:T_max=20"),), ("svg", "png"))
    drawn = cache.draw(request, tmp_path)
    k = cache.key(request)
    (tmp_path / f"{k}.svg").write_bytes(b"<svg>half</svg>")
    (tmp_path / f"{k}.png").unlink()
    found = cache.lookup(request, tmp_path)
    assert found is not None and not found.outputs["svg"].readable
    assert found.outputs["svg"].read() == drawn.outputs["svg"].data  # drawn again, not the damaged file
    again = cache.draw(request, tmp_path)
    assert again.drawn and again.outputs["png"].read() == drawn.outputs["png"].data


def _draw_in_a_process(folder):
    from lrplot import cache

    request = cache.Request((cache.Source("file", str(CONFIGS / "warmup-cosine.yaml")),), ("svg",))
    return cache.draw(request, folder).outputs["svg"].read()


def test_cache_is_shared_by_processes_drawing_at_once(tmp_path):
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(2) as pool:
        results = list(pool.map(_draw_in_a_process, [tmp_path] * 4))
    assert len(set(results)) == 1
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".json", ".svg"]  # no temporary file left
    assert _draw_in_a_process(tmp_path) == results[0]


def test_gallery_check_writes_each_stale_file_and_a_difference_image(tmp_path):
    from PIL import Image

    configs = _mini_configs(tmp_path)
    out = tmp_path / "gallery"
    runner = CliRunner()
    assert runner.invoke(cli, ["gallery", str(configs), "-o", str(out)]).exit_code == 0
    committed = {p.name: p.read_bytes() for p in out.iterdir()}
    (configs / "warmup-cosine.yaml").write_text((configs / "warmup-cosine.yaml").read_text().replace("T_max: 95", "T_max: 60"))
    (out / "step-every-10-halve.png").unlink()
    result = runner.invoke(cli, ["gallery", str(configs), "-o", str(out), "--check"])
    assert result.exit_code == 1
    stale = out / "stale"
    lines = result.output.splitlines()
    assert f"differs: warmup-cosine.svg  -> now: {stale / 'warmup-cosine.svg'}, difference: {stale / 'warmup-cosine.diff.png'}" in lines
    assert f"missing: step-every-10-halve.png  -> now: {stale / 'step-every-10-halve.png'}, difference: {stale / 'step-every-10-halve.diff.png'}" in lines
    assert f"differs: README.md  -> now: {stale / 'README.md'}" not in lines  # titles and descriptions are unchanged
    assert str(stale) in lines[-1]
    # the committed files are untouched; what they should be is beside them
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == {k: v for k, v in committed.items() if k != "step-every-10-halve.png"}
    assert (stale / ".gitignore").read_text().splitlines()[-1] == "*"
    diff = Image.open(stale / "warmup-cosine.diff.png")
    thumb = Image.open(stale / "warmup-cosine.png")
    assert diff.width > 3 * thumb.width and diff.height > thumb.height
    pixels = np.asarray(diff.convert("RGB"))
    assert ((pixels[..., 0] > 200) & (pixels[..., 1] < 40) & (pixels[..., 2] < 40)).sum() > 100  # the changed curve, in red
    # writing the gallery brings in exactly those files and clears stale/
    now = {p.name: p.read_bytes() for p in stale.iterdir() if not p.name.endswith(".diff.png") and p.name != ".gitignore"}
    assert runner.invoke(cli, ["gallery", str(configs), "-o", str(out)]).exit_code == 0
    assert not stale.exists()
    assert all((out / name).read_bytes() == data for name, data in now.items())
    assert runner.invoke(cli, ["gallery", str(configs), "-o", str(out), "--check"]).exit_code == 0


def test_gallery_check_lists_stale_files_where_it_cannot_write_them(tmp_path):
    configs = _mini_configs(tmp_path)
    out = tmp_path / "gallery"
    assert CliRunner().invoke(cli, ["gallery", str(configs), "-o", str(out)]).exit_code == 0
    (out / "warmup-cosine.png").write_bytes(b"not the figure")
    (out / "stale").write_text("a file where the folder would go")
    result = CliRunner().invoke(cli, ["gallery", str(configs), "-o", str(out), "--check"])
    assert result.exit_code == 1
    assert result.output.splitlines()[-2:-1] == ["differs: warmup-cosine.png"] and "(nothing written: " in result.output


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


@pytest.mark.parametrize("name", list(docs.FRAMEWORK_COMPARES))
def test_framework_compare_figures_are_current(name):
    assert (CONFIGS.parent / name).read_bytes() == docs.framework_compare(name), "run `python -m lrplot.docs`"


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
