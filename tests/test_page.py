"""The interactive HTML page (``-o FILE.html``), in a real headless Chromium: hovering shows the exact
numbers of the step under the cursor, toggles hide lines, dragging zooms the x axis, and the page
logs no error. Also, without a browser: one self-contained file, the same bytes on every run,
small for a million steps."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import lrplot
from lrplot.cli import cli

from browser import Browser
from examples import CONFIGS

FIXTURES = Path(__file__).parent / "fixtures"

TWO_GROUPS = {  # a schedule with two groups, a cycled momentum (a second panel) and iterations on top
    "name": "two-groups",
    "optimizer": {"param_groups": [{"name": "backbone", "lr": 0.01}, {"name": "head", "lr": 0.1}], "momentum": 0.9},
    "scheduler": {"type": "onecycle", "max_lr": [0.01, 0.1]},
    "run": {"epochs": 10, "steps_per_epoch": 20},  # a step is three pixels wide: the mouse can point at each
}
MILLION = {"scheduler": {"type": "cyclic", "base_lr": 0.01, "max_lr": 0.1, "step_size_up": 20_000, "mode": "triangular2"},
           "run": {"epochs": 100, "steps_per_epoch": 10_000}}


def _data(page: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="lrplot-data">(.*?)</script>', page, re.S).group(1))


@pytest.fixture(scope="module")
def browser():
    if not Browser.available():
        pytest.skip("needs Debian's chromium and chromium-driver (.ci/run installs them)")
    b = Browser()
    yield b
    b.close()


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pages")
    made = {
        "two": lrplot.plot(TWO_GROUPS),
        "switch": lrplot.plot(CONFIGS / "warmup-cosine.yaml"),
        "compare": lrplot.compare(
            {"scheduler": "cosine", "run": {"epochs": 10}}, {"scheduler": {"type": "multistep", "milestones": [3, 6]}, "run": {"epochs": 10}},
            labels=["cosine", "steps"]),
        "million": lrplot.plot(MILLION),
        "iterations": lrplot.plot({"scheduler": {"type": "cosine"}, "run": {"iterations": 20_000, "step": "iteration"}}),
        "momentum": lrplot.plot(CONFIGS / "mmengine-warmup-cosine-momentum.yaml"),
        "plateau": lrplot.plot(CONFIGS / "timm-plateau-warmup.yaml"),
    }
    return {name: (drawing, Path(drawing.save(folder / f"{name}.html"))) for name, drawing in made.items()}


class Page:
    """A page open in the browser, with the mouse placed by data x (steps) rather than pixels."""

    def __init__(self, browser: Browser, path: Path):
        self.b = browser
        browser.open(path)
        self.data = browser.run("return JSON.parse(document.getElementById('lrplot-data').textContent)")

    def point(self, axes: int, x: float, y_share: float = 0.5) -> tuple[float, float]:
        """Viewport pixels of data x (in the figure's x unit, under the current zoom) in an axes."""
        a = self.data["axes"][axes]
        zoom = self.b.run(f"return window.lrplotZoom({axes})")
        px = a["x0"] + (x - zoom[0]) / (zoom[1] - zoom[0]) * (a["x1"] - a["x0"])
        py = a["top"] + y_share * (a["bottom"] - a["top"])
        m = self.b.run("const m = document.querySelector('#figure > svg').getScreenCTM(); return [m.a, m.d, m.e, m.f]")
        return m[0] * px + m[2], m[1] * py + m[3]

    def hover_step(self, axes: int, step: int, per: float) -> str:
        self.b.move(*self.point(axes, (step + 0.5) / per))  # the middle of the step's stair
        return self.b.run("return document.getElementById('readout').innerText")

    def values(self, text: str) -> list[float]:
        return [float(v) for v in self.b.run("return [...document.querySelectorAll('#readout b.value')].map(e => e.textContent)")]

    def errors(self) -> list[dict]:
        return [m for m in self.b.console() if m.get("level") in ("SEVERE", "WARNING")]


def test_hover_reads_every_groups_exact_numbers_at_the_step(browser, pages):
    drawing, path = pages["two"]
    page = Page(browser, path)
    trace = drawing.trace
    for step in (0, 1, 59, 60, 143, 199):
        text = page.hover_step(0, step, trace.steps_per_epoch)
        assert text.startswith(f"step {step:,} \u00b7 epoch {step / 20:g}"), text
        # lr of each group, then momentum of each (the momentum is one line for both groups)
        expected = [*trace.lr[:, step], *trace.momentum[:, step]]
        assert page.values(text) == expected, text
        assert "lr backbone" in text and "lr head" in text and "momentum head" in text
    # the momentum panel reads the same step
    text = page.hover_step(1, 90, trace.steps_per_epoch)
    assert text.startswith("step 90") and page.values(text) == [*trace.lr[:, 90], *trace.momentum[:, 90]]
    assert page.errors() == []


def test_toggles_hide_lines_and_their_numbers(browser, pages):
    drawing, path = pages["two"]
    page = Page(browser, path)
    head = next(ln for ln in page.data["lines"] if ln["label"] == "head")
    visibility = f"return getComputedStyle(document.getElementById('{head['id']}')).visibility"
    assert browser.run(visibility) == "visible"
    browser.click(f"input[data-line='{head['id']}']")
    assert browser.run(visibility) == "hidden"
    text = page.hover_step(0, 100, 20)
    assert "lr backbone" in text and "lr head" not in text
    assert page.values(text) == [drawing.trace.lr[0, 100], *drawing.trace.momentum[:, 100]]
    browser.click(f"input[data-line='{head['id']}']")
    assert browser.run(visibility) == "visible"
    assert page.errors() == []


def test_dragging_zooms_x_and_hover_follows(browser, pages):
    drawing, path = pages["two"]
    page = Page(browser, path)
    first_x = "return parseFloat(document.getElementById('%s').querySelector('path').getAttribute('d').split(' ')[1])" % page.data["lines"][0]["id"]
    before = browser.run(first_x)
    (x0, y), (x1, _) = page.point(0, 2.0), page.point(0, 4.0)
    browser.drag(x0, y, x1)
    zoom = browser.run("return window.lrplotZoom(0)")
    assert zoom[0] == pytest.approx(2.0, abs=0.02) and zoom[1] == pytest.approx(4.0, abs=0.02)
    assert browser.run("return window.lrplotZoom(1)") == zoom  # the momentum panel shares x
    assert browser.run(first_x) < before  # the lines moved left, out of view on the left
    ticks = browser.run("return [...document.querySelectorAll('#ax1 .lrplot-ticks text')].map(t => t.textContent)")
    assert ticks and all(2 <= float(t) <= 4 for t in ticks)
    assert browser.run("return getComputedStyle(document.querySelector('#ax1-x g[id^=xtick]')).visibility") == "hidden"
    text = page.hover_step(0, 63, 20)
    assert text.startswith("step 63") and page.values(text)[:2] == list(drawing.trace.lr[:, 63])
    browser.double_click(*page.point(0, 3.0))
    assert browser.run("return window.lrplotZoom(0)") == [0, 10]
    assert browser.run("return document.querySelectorAll('.lrplot-ticks').length") == 0
    assert page.errors() == []


def test_zoomed_ticks_keep_one_format_along_the_axis(browser, pages):
    """As the static figures label them: 6k 7k ... 12k, never 6000 ... 9000 10k 11k."""
    drawing, path = pages["iterations"]
    page = Page(browser, path)
    (x0, y), (x1, _) = page.point(0, 6000), page.point(0, 12_500)
    browser.drag(x0, y, x1)
    ticks = browser.run("return [...document.querySelectorAll('#ax0 .lrplot-ticks text')].map(t => t.textContent)")
    assert len(ticks) > 3 and all(t.endswith("k") for t in ticks), ticks
    (x0, y), (x1, _) = page.point(0, 8000), page.point(0, 9000)
    browser.drag(x0, y, x1)  # all below 10,000: as they are
    ticks = browser.run("return [...document.querySelectorAll('#ax0 .lrplot-ticks text')].map(t => t.textContent)")
    assert len(ticks) > 3 and all(t.isdigit() for t in ticks), ticks
    assert page.errors() == []


def test_a_zoom_moves_the_legend_off_the_data(browser, pages):
    drawing, path = pages["momentum"]
    page = Page(browser, path)
    placed = browser.run("return window.lrplotLegend(0)")
    lo, hi = page.data["axes"][0]["xlim"]
    (x0, y), (x1, _) = page.point(0, lo + 0.3 * (hi - lo)), page.point(0, lo + 0.6 * (hi - lo))
    browser.drag(x0, y, x1)
    box = browser.run("return window.lrplotLegend(0)")
    points = browser.run("return window.lrplotPoints(0)")  # the drawn lines, sampled every 2 units
    a = page.data["axes"][0]
    assert a["x0"] <= box[0] and box[0] + box[2] <= a["x1"] and a["top"] <= box[1] and box[1] + box[3] <= a["bottom"]
    assert points and not [p for p in points if box[0] <= p[0] <= box[0] + box[2] and box[1] <= p[1] <= box[1] + box[3]]
    browser.double_click(*page.point(0, lo + 0.5 * (hi - lo)))
    assert browser.run("return window.lrplotLegend(0)") == placed  # zoomed out: where the figure put it
    assert page.errors() == []


def test_the_metric_panels_lines_are_toggled_and_read_out(browser, pages):
    drawing, path = pages["plateau"]
    page = Page(browser, path)
    trace = drawing.trace
    metric = next(ln for ln in page.data["lines"] if ln["kind"] == "metric")
    assert metric["label"] == "synthetic metric" and metric["axes"] == 1
    at = np.asarray(trace.plateau.at)
    per = page.data["runs"][0]["per"]
    for step in (page.data["runs"][0]["steps"][len(page.data["runs"][0]["steps"]) // 2], int(at[-1])):
        page.b.move(*page.point(1, step / per))
        text = browser.run("return document.getElementById('readout').innerText")
        shown = int(re.match(r"step ([\d,]+)", text).group(1).replace(",", ""))
        fed = at[at <= shown]
        expected = [trace.lr[0, shown], trace.metric[fed[-1]], trace.plateau.best[len(fed) - 1]]
        assert "synthetic metric" in text and "best so far" in text and page.values(text) == expected, text
    visibility = f"return getComputedStyle(document.getElementById('{metric['id']}')).visibility"
    browser.click(f"input[data-line='{metric['id']}']")
    assert browser.run(visibility) == "hidden"
    page.b.move(*page.point(1, int(at[len(at) // 2]) / per))
    assert "synthetic metric" not in browser.run("return document.getElementById('readout').innerText")
    assert page.errors() == []


def test_events_are_read_out_and_toggled(browser, pages):
    drawing, path = pages["switch"]
    page = Page(browser, path)
    (switch,) = page.data["runs"][0]["events"]
    page.b.move(*page.point(0, switch["step"]))
    assert "switch: CosineAnnealingLR" in browser.run("return document.getElementById('readout').innerText")
    browser.click("input[data-line='events']")
    assert {browser.run(f"return getComputedStyle(document.getElementById('{i}')).visibility") for i in page.data["events"]} == {"hidden"}
    page.b.move(*page.point(0, switch["step"]))
    assert "switch" not in browser.run("return document.getElementById('readout').innerText")
    assert page.errors() == []


def test_compare_reads_each_run(browser, pages):
    drawing, path = pages["compare"]
    page = Page(browser, path)
    page.b.move(*page.point(0, 4.5))
    text = browser.run("return document.getElementById('readout').innerText")
    assert "cosine step 4" in text and "steps step 4" in text
    assert page.values(text) == [t.lr[0, 4] for t in drawing.traces]
    assert page.errors() == []


def test_a_million_steps_snap_to_the_drawn_steps(browser, pages):
    drawing, path = pages["million"]
    assert path.stat().st_size < 400_000
    page = Page(browser, path)
    kept = page.data["runs"][0]["steps"]
    assert len(kept) < 10_000  # the pixel columns' steps, not a million
    for share in (0.1, 0.37, 0.8):
        browser.move(*page.point(0, 100 * share))
        text = browser.run("return document.getElementById('readout').innerText")
        step = int(re.match(r"step ([\d,]+)", text).group(1).replace(",", ""))
        assert step in kept and abs(step - 1_000_000 * share) < 1_000_000 / 400
        assert page.values(text)[0] == drawing.trace.lr[0, step]
    assert page.errors() == []


# ----------------------------------------------------------------------------------------------
# Without a browser


def test_the_page_is_one_self_contained_file(pages):
    page = pages["two"][1].read_text()
    assert page.count("<svg") == 1 and "<?xml" not in page
    # nothing fetched: no source, link, import or request; URLs only name the SVG's XML namespaces
    assert not re.search(r"""(?:src|href|action)\s*=\s*["']?(?!#)\w+:|<link|@import|url\((?!#)|fetch\(|XMLHttpRequest|import\(""", page)
    data = _data(page)
    assert [(ln["kind"], ln["label"]) for ln in data["lines"]] == [("lr", "backbone"), ("lr", "head"), ("momentum", "backbone, head")]


def test_cli_writes_the_same_page_on_every_run(tmp_path):
    pages = []
    for i in range(2):
        out = tmp_path / f"{i}.html"
        subprocess.run([sys.executable, "-m", "lrplot", "compare", "step:step_size=10", "onecycle:max_lr=0.1", "--epochs", "30", "-o", str(out)],
                       check=True, capture_output=True)
        pages.append(out.read_bytes())
    assert pages[0] == pages[1]
    result = CliRunner().invoke(cli, ["plot", str(CONFIGS / "warmup-cosine.yaml"), "--what-if", "all", "--resume-at", "50", "-o", str(tmp_path / "w.html")])
    assert result.exit_code == 0, result.output
    data = _data((tmp_path / "w.html").read_text())
    whatifs = data["runs"][0]["whatifs"]
    trace = lrplot.simulate(CONFIGS / "warmup-cosine.yaml")
    steps = np.array(data["runs"][0]["steps"])
    assert np.array_equal(data["runs"][0]["lr"][0], trace.lr[0, steps]) and len(whatifs) >= 3


def test_a_grids_lines_are_named_by_their_panels():
    c = lrplot.compare({"scheduler": "cosine", "run": {"epochs": 10}},
                       {"optimizer": {"param_groups": [{"name": "a", "lr": 0.1}, {"name": "b", "lr": 0.01}]}, "scheduler": "cosine", "run": {"epochs": 10}},
                       labels=["one", "two"], layout="grid")
    data = _data(c.to_bytes("html").decode())
    assert [(ln["run"], ln["axes"], ln["label"]) for ln in data["lines"]] == [(0, 0, "one"), (1, 1, "two: a"), (1, 1, "two: b")]
    assert [a["run"] for a in data["axes"]] == [0, 1]


def test_a_logged_run_compares_with_its_unlogged_steps_empty(tmp_path):
    """A logged run (transformers, every 5 steps) holds no lr before its first logged step: null in the page."""
    out = tmp_path / "logged.html"
    result = CliRunner().invoke(cli, ["compare", str(FIXTURES / "plans" / "transformers-linear-warmup.yaml"),
                                      str(FIXTURES / "runs" / "transformers-every-5" / "trainer_state.json"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    plan, logged = _data(out.read_text())["runs"]
    assert logged["steps"][0] == 0 and logged["lr"][0][0] is None and logged["lr"][0][-1] is not None
    assert None not in plan["lr"][0]
