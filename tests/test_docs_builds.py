"""Schedule figures inside docs builds: a real Sphinx project, Python-Markdown with superfences, and a
real `mkdocs build`, each built a few times over small projects (the figures come from the suite's
own cache, so a figure drawn once is not drawn again)."""

from __future__ import annotations

import base64
import hashlib
import html.parser
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import markdown
import pytest
from pymdownx.superfences import SuperFencesException
from sphinx.cmd.build import build_main

import lrplot.markdown
from lrplot import cache

from examples import CONFIGS

RECIPES = ("warmup-cosine.yaml", "step-every-10-halve.yaml")


class Page(html.parser.HTMLParser):
    """The figures of an HTML page: each <figure>'s image (img src or inline svg), alt and caption."""

    def __init__(self):
        super().__init__()
        self.figures: list[dict] = []
        self.ids: list[str] = []
        self._in = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "figure":
            self.figures.append({"class": attrs.get("class", ""), "caption": ""})
        elif self.figures and tag == "img":
            self.figures[-1].update(src=attrs["src"], alt=attrs.get("alt"), style=attrs.get("style"), width=attrs.get("width"))
        elif self.figures and tag == "svg" and "svg" not in self.figures[-1]:
            self.figures[-1].update(svg=True, style=attrs.get("style"))
        elif tag in ("figcaption", "title"):
            self._in = tag

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in == "figcaption":
            self.figures[-1]["caption"] += data
        elif self._in == "title" and self.figures:
            self.figures[-1]["title"] = data


def page(text: str) -> Page:
    parsed = Page()
    parsed.feed(text)
    return parsed


def _drawn(*names: str, fmt: str = "svg") -> bytes:
    """What lrplot draws for these recipes (the suite's cache holds it after the first time)."""
    request = cache.Request(tuple(cache.Source("file", str(CONFIGS / n)) for n in names), (fmt,))
    return cache.draw(request).outputs[fmt].read()


# ----------------------------------------------------------------------------------------------
# Sphinx

INDEX = """\
Schedules
=========

.. lrplot:: ../../schedules/warmup-cosine.yaml
   :caption: Linear warmup, then *cosine*.
   :width: 80%
   :align: center

.. lrplot::
   :alt: halving every 10 epochs
   :format: png

   name: halving
   scheduler: {type: step, step_size: 10, gamma: 0.5}
   run: {epochs: 30}

.. lrplot:: ../../schedules/warmup-cosine.yaml
   :compare: ../../schedules/step-every-10-halve.yaml "multistep:milestones=[3, 8]"
"""


@pytest.fixture(scope="module")
def schedules(tmp_path_factory) -> Path:
    """The recipes, in one place for every Sphinx project of the module (a figure is keyed by its config's path)."""
    root = tmp_path_factory.mktemp("sphinx")
    (root / "schedules").mkdir()
    for name in RECIPES:
        shutil.copy(CONFIGS / name, root / "schedules" / name)
    return root


def _sphinx_project(schedules: Path, name: str, index: str = INDEX) -> Path:
    """A Sphinx source folder two levels below the shared schedules/ folder."""
    src = schedules / name / "src"
    src.mkdir(parents=True)
    (src / "conf.py").write_text('project = "demo"\nextensions = ["lrplot.sphinx"]\n')
    (src / "index.rst").write_text(index)
    return src


def _sphinx(src: Path, out: Path, *args: str) -> tuple[int, str]:
    warnings = out.parent / f"{out.name}-warnings.txt"
    code = build_main(["-q", "-b", "html", "-w", str(warnings), *args, str(src), str(out)])
    return code, warnings.read_text() if warnings.exists() else ""


def test_sphinx_build_draws_each_figure_once_and_follows_its_config(schedules, monkeypatch):
    src = _sphinx_project(schedules, "first")
    out = src.parent / "html"
    code, warnings = _sphinx(src, out)
    assert code == 0 and warnings == ""
    figures = page((out / "index.html").read_text()).figures
    assert [f["class"].split()[0] for f in figures] == ["lrplot"] * 3
    first, inline, compared = figures
    assert "align-center" in first["class"] and first["style"] == "width: 80%;"
    assert first["caption"].strip() == "Linear warmup, then cosine.¶" and first["alt"] == "warmup-cosine"
    config = schedules / "schedules" / "warmup-cosine.yaml"
    assert (out / first["src"]).read_bytes() == cache.draw(cache.Request((cache.Source("file", str(config)),))).outputs["svg"].read()
    assert inline["alt"] == "halving every 10 epochs" and inline["src"].endswith(".png")
    assert (out / inline["src"]).read_bytes().startswith(b"\x89PNG") and re.fullmatch(r"width: \d+px;", inline["style"])
    assert compared["alt"] == "warmup-cosine, step-every-10-halve, MultiStepLR [3, 8]"

    # A second build from nothing (another output folder, a fresh environment) takes every figure from the cache.
    with monkeypatch.context() as m:
        m.setattr(cache, "render", lambda request: pytest.fail(f"drew {request.sources}"))
        assert _sphinx(src, src.parent / "again") == (0, "")
    assert (src.parent / "again" / "index.html").read_text() == (out / "index.html").read_text()

    # Editing a file a figure reads rebuilds the page that draws it, with the new figure.
    (src / "index.rst").write_text(INDEX + "\n.. lrplot:: edited.yaml\n")
    edited = src / "edited.yaml"
    edited.write_text("scheduler: {type: cosine, T_max: 10}\nrun: {epochs: 10}\n")
    assert _sphinx(src, out) == (0, "")
    before = page((out / "index.html").read_text()).figures[-1]["src"]
    edited.write_text("scheduler: {type: cosine, T_max: 5}\nrun: {epochs: 10}\n")
    assert _sphinx(src, out) == (0, "")
    now = page((out / "index.html").read_text()).figures[-1]["src"]
    assert now != before
    assert (out / now).read_bytes() == cache.draw(cache.Request((cache.Source("file", str(edited)),))).outputs["svg"].read()


def test_sphinx_build_fails_at_the_directive_of_a_refused_config(schedules):
    src = _sphinx_project(schedules, "broken", INDEX + textwrap.dedent("""
        .. lrplot::
           :alt: a broken one

           name: broken
           run: {epochs: 30}
           scheduler: {type: stepp}

        .. lrplot:: schedules/missing.yaml

        .. lrplot:: ../../schedules/warmup-cosine.yaml
           :compare: ../../schedules/step-every-10-halve.yaml "step:step_size=0"
        """))
    lines = INDEX.count("\n")
    for _ in range(2):  # and again with nothing changed: a broken page is read again until it is fixed
        code, warnings = _sphinx(src, src.parent / "html")
        assert code == 1
        # the line of the body's field, not the directive's
        assert f"index.rst:{lines + 7}: ERROR: lrplot: scheduler.type: unknown scheduler 'stepp' (did you mean 'step'?)" in warnings
        assert f"index.rst:{lines + 9}: ERROR: lrplot: {src / 'schedules' / 'missing.yaml'}: no such file" in warnings
        assert f"index.rst:{lines + 11}: ERROR: lrplot: compare spec 'step:step_size=0': scheduler.step_size: must be > 0" in warnings
        assert "lrplot: 3 figures could not be drawn; the build fails" in warnings
    (src / "index.rst").write_text(INDEX)
    assert _sphinx(src, src.parent / "html") == (0, "")


def test_sphinx_latex_build_includes_png_where_svg_is_asked_for(schedules):
    """pdflatex includes no SVG: a LaTeX build gets the PNG, whatever :format: says."""
    src = _sphinx_project(schedules, "latex", "Schedules\n=========\n\n.. lrplot:: ../../schedules/warmup-cosine.yaml\n   :format: svg\n")
    out = src.parent / "latex"
    assert build_main(["-q", "-b", "latex", str(src), str(out)]) == 0
    assert not list(out.glob("*.svg")) and len(list(out.glob("*.png"))) == 1
    assert "includegraphics" in next(out.glob("*.tex")).read_text() and ".svg" not in next(out.glob("*.tex")).read_text()


def test_sphinx_parallel_build(schedules):
    """-j 2 reads pages in separate processes: their figures and errors still come together."""
    src = _sphinx_project(schedules, "parallel", INDEX + "\n.. toctree::\n\n   other\n")
    (src / "other.rst").write_text("Other\n=====\n\n.. lrplot:: ../../schedules/step-every-10-halve.yaml\n\n.. lrplot:: nope.yaml\n")
    code, warnings = _sphinx(src, src.parent / "html", "-j", "2")
    assert code == 1 and "other.rst:6: ERROR: lrplot:" in warnings and "lrplot: 1 figure could not be drawn" in warnings
    assert len(page((src.parent / "html" / "other.html").read_text()).figures) == 1


# ----------------------------------------------------------------------------------------------
# Markdown


def _markdown(text: str, validator: bool = True) -> str:
    fence = {"name": "lrplot", "class": "lrplot", "format": lrplot.markdown.fence}
    if validator:
        fence["validator"] = lrplot.markdown.validate
    md = markdown.Markdown(extensions=["pymdownx.superfences"], extension_configs={"pymdownx.superfences": {"custom_fences": [fence]}})
    return md.convert(text)


def test_markdown_fence_inlines_svg_with_ids_of_its_own(monkeypatch):
    monkeypatch.chdir(CONFIGS)  # paths in fences are relative to where the docs are built from
    text = _markdown(textwrap.dedent("""
        ```lrplot caption="Warmup <then> cosine" alt="a & b"
        warmup-cosine.yaml
        ```

        ```lrplot width="60%"
        step-every-10-halve.yaml
        ```

        ```lrplot
        name: halving
        scheduler: {type: step, step_size: 10, gamma: 0.5}
        run: {epochs: 30}
        ```
        """))
    parsed = page(text)
    assert [f.get("svg") for f in parsed.figures] == [True] * 3
    assert parsed.figures[0]["caption"] == "Warmup <then> cosine" and parsed.figures[0]["title"] == "a & b"
    assert parsed.figures[1]["style"] == "width: 60%; height: auto" and parsed.figures[2]["title"] == "halving"
    # every id is its figure's own: two figures' clip paths and glyphs can no longer collide
    prefixes = {re.match(r"lrplot-[0-9a-f]{10}-", i).group(0) for i in parsed.ids}
    assert len(prefixes) == 3 and len(parsed.ids) > 50
    for ref in re.findall(r'(?:href="#|url\(#)([^")]+)', text):
        assert ref in parsed.ids
    # the inlined figure is lrplot's, ids aside
    svg = text[text.index("<svg") : text.index("</svg>") + 6]
    ours = _drawn("warmup-cosine.yaml").decode()
    assert re.sub(r"lrplot-[0-9a-f]{10}-", "", re.sub(r"<title>.*?</title>| role=\"img\" style=\"[^\"]*\"", "", svg)) == ours[ours.index("<svg") :].rstrip()


def test_markdown_fence_png_and_compare(monkeypatch):
    monkeypatch.chdir(CONFIGS)
    _drawn("warmup-cosine.yaml", "step-every-10-halve.yaml", fmt="png")
    svg = _drawn("warmup-cosine.yaml", "step-every-10-halve.yaml").decode()
    monkeypatch.setattr(cache, "render", lambda request: pytest.fail(f"drew {request.sources} again"))
    text = _markdown('```lrplot format="png" compare="step-every-10-halve.yaml"\nwarmup-cosine.yaml\n```\n')
    figure = page(text).figures[0]
    assert figure["alt"] == "warmup-cosine, step-every-10-halve"
    assert base64.b64decode(figure["src"].removeprefix("data:image/png;base64,")) == _drawn("warmup-cosine.yaml", "step-every-10-halve.yaml", fmt="png")
    # shown as large as the SVG (its width in pt, 4/3 CSS px each), not at its 150-dpi pixel size
    svg_pt = float(re.search(r'width="([\d.]+)pt"', svg).group(1))
    assert int(figure["width"]) == round(svg_pt * 4 / 3)


@pytest.mark.parametrize("fence, message", [
    ("```lrplot\nscheduler: {type: stepp}\n```", "line 1: lrplot fence (scheduler: {type: stepp}): scheduler.type: unknown scheduler 'stepp' (did you mean 'step'?)"),
    ("# A page\n\n```lrplot\nmissing.yaml\n```", "line 3: lrplot fence (missing.yaml): "),
    ("```lrplot captoin=\"x\"\nwarmup-cosine.yaml\n```", "lrplot fence: unknown option 'captoin' (did you mean 'caption'?)"),
    ("```lrplot format=\"pdf\"\nwarmup-cosine.yaml\n```", "lrplot fence: format must be svg or png, got 'pdf'"),
    ("```lrplot inline=\"false\"\nwarmup-cosine.yaml\n```", "lrplot fence: inline=false writes the figure beside the page's HTML, which only MkDocs"),
])
def test_markdown_fence_errors_stop_the_build(monkeypatch, fence, message):
    monkeypatch.chdir(CONFIGS)
    with pytest.raises(SuperFencesException) as raised:
        _markdown(fence)
    assert str(raised.value).startswith(message)


def test_markdown_fence_without_the_validator_takes_no_options(monkeypatch):
    monkeypatch.chdir(CONFIGS)
    assert page(_markdown("```lrplot\nwarmup-cosine.yaml\n```", validator=False)).figures[0]["svg"]


# ----------------------------------------------------------------------------------------------
# MkDocs

MKDOCS = """\
site_name: demo
markdown_extensions:
  - pymdownx.superfences:
      custom_fences:
        - name: lrplot
          class: lrplot
          format: !!python/name:lrplot.markdown.fence
          validator: !!python/name:lrplot.markdown.validate
"""


def test_mkdocs_build(tmp_path):
    tmp_path = tmp_path / "project"
    (tmp_path / "docs" / "guide").mkdir(parents=True)
    (tmp_path / "schedules").mkdir()
    for name in RECIPES:
        shutil.copy(CONFIGS / name, tmp_path / "schedules" / name)
    (tmp_path / "mkdocs.yml").write_text(MKDOCS)
    (tmp_path / "docs" / "index.md").write_text('# Home\n\n```lrplot caption="Warmup, then cosine"\nschedules/warmup-cosine.yaml\n```\n')
    (tmp_path / "docs" / "guide" / "steps.md").write_text('# Steps\n\n```lrplot inline="false"\nschedules/step-every-10-halve.yaml\n```\n')
    # built from elsewhere (-f): the fences' paths are still mkdocs.yml's folder's, as the docs say
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", "project/mkdocs.yml"], cwd=tmp_path.parent, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    home = page((tmp_path / "site" / "index.html").read_text()).figures
    assert home[0]["svg"] and home[0]["caption"] == "Warmup, then cosine"
    steps = page((tmp_path / "site" / "guide" / "steps" / "index.html").read_text()).figures
    written = tmp_path / "site" / "guide" / "steps" / steps[0]["src"]
    assert written.read_bytes() == _drawn("step-every-10-halve.yaml")
    assert hashlib.sha256(written.read_bytes()).hexdigest()[:16] in steps[0]["src"]

    (tmp_path / "docs" / "index.md").write_text("# Home\n\n```lrplot\nschedules/warmup-cosine.yml\n```\n")
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 1
    assert "docs/index.md:3: lrplot fence (schedules/warmup-cosine.yml): " in run.stderr and "no such file" in run.stderr
    (tmp_path / "docs" / "index.md").write_text("# Home\n\nText.\n\n```lrplot\nscheduler: {type: stepp}\n```\n")
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=tmp_path, capture_output=True, text=True)
    # MkDocs' own clean abort: its message and ours, no traceback
    assert run.returncode == 1 and "Traceback" not in run.stderr and "Aborted with a BuildError!" in run.stdout + run.stderr, run.stderr
    assert run.stderr.count("unknown scheduler 'stepp'") == 1 and "docs/index.md:5: lrplot fence (scheduler: {type: stepp}): " in run.stderr


def test_install_hints_name_what_installs():
    """lrplot is on no package index: a hint names the package itself, or the extra from lrplot's checkout."""
    from lrplot import dashboards, explorer, runlog

    root = Path(__file__).resolve().parent.parent
    texts = [dashboards.TENSORBOARD_HINT, runlog.TENSORBOARD_HINT, explorer.NOTEBOOK_HINT,
             lrplot.markdown.__doc__, (root / "lrplot" / "sphinx.py").read_text()]
    texts += [(root / "docs" / name).read_text() for name in ("docs-builds.md", "notebooks.md", "verify.md")]
    for text in texts:
        assert "lrplot[" not in text, text[:200]
    assert "pip install tensorboard" in dashboards.TENSORBOARD_HINT and "pip install '.[tensorboard]'" in runlog.TENSORBOARD_HINT
