"""``lrplot.explore``: its widgets driven headless, as a user's release of a slider drives them; each
redraw is checked against the simulation of the changed config."""

from __future__ import annotations

import copy
import subprocess
import sys

import numpy as np
import pytest

import lrplot
from lrplot.code import library_code
from lrplot.values import yaml_load

from examples import CONFIGS

widgets = pytest.importorskip("ipywidgets", reason="the notebook extra")


def _expected(config: dict, path: tuple, value) -> dict:
    changed = copy.deepcopy(config)
    node = changed
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return changed


@pytest.mark.parametrize(
    ("config", "path", "value", "kind"),
    [
        ("warmup-cosine", ("scheduler", "schedulers", 0, "total_iters"), 10, widgets.IntSlider),
        ("warmup-cosine", ("optimizer", "lr"), 0.3, widgets.FloatLogSlider),
        ("warmup-cosine", ("scheduler", "schedulers", 0, "start_factor"), 0.5, widgets.FloatSlider),
        ("onecycle-per-batch", ("scheduler", "pct_start"), 0.1, widgets.FloatSlider),
        ("run-glue-mrpc-linear-warmup", ("transformers", "learning_rate"), 1e-4, widgets.FloatLogSlider),
        ("run-glue-mrpc-linear-warmup", ("transformers", "num_train_epochs"), 5, widgets.IntSlider),
    ],
)
def test_a_released_slider_redraws_the_changed_schedule(config, path, value, kind):
    from lrplot.explorer import path_text
    from lrplot.sources import read_config

    explorer = lrplot.explore(CONFIGS / f"{config}.yaml")
    original = copy.deepcopy(dict(read_config(CONFIGS / f"{config}.yaml").data))
    assert np.array_equal(explorer.trace.lr, lrplot.simulate(CONFIGS / f"{config}.yaml").lr)
    s = explorer.sliders[path_text(path)]
    assert isinstance(s, kind) and s.continuous_update is False  # redrawn on release, not while dragging
    low, high = (10.0**s.min, 10.0**s.max) if kind is widgets.FloatLogSlider else (s.min, s.max)  # a log slider's limits are exponents
    assert low <= value <= high
    s.value = value
    changed = _expected(original, path, value)
    spec = lrplot.load(changed | {"name": explorer.trace.name}, base_dir=CONFIGS)
    assert np.array_equal(explorer.trace.lr, lrplot.simulate(spec).lr)
    assert yaml_load(explorer.yaml.value[len("<pre>") : -len("</pre>")].replace("&#x27;", "'").replace("&quot;", '"')) == changed
    import html

    assert html.unescape(explorer.code.value) == f"<pre>{library_code(spec)}</pre>"
    assert explorer.image.value == explorer.plot.to_bytes("png") and explorer.message.value == ""


def test_learning_rates_slide_on_a_log_scale_and_bounds_hold():
    explorer = lrplot.explore({"optimizer": {"lr": 0.05}, "scheduler": {"type": "onecycle", "max_lr": 0.1, "pct_start": 0.3}, "run": {"epochs": 4, "steps_per_epoch": 10}})
    lr = explorer.sliders["optimizer.lr"]
    assert isinstance(lr, widgets.FloatLogSlider) and lr.min < np.log10(0.05) < lr.max and lr.base == 10
    pct = explorer.sliders["scheduler.pct_start"]
    assert (pct.min, pct.max) == (0, 1)  # OneCycleLR's own limits for pct_start
    assert list(explorer.sliders) == ["optimizer.lr", "scheduler.max_lr", "scheduler.pct_start", "run.epochs", "run.steps_per_epoch"]  # in the config's order


def test_a_value_the_library_rejects_shows_its_error_and_keeps_the_figure():
    explorer = lrplot.explore(CONFIGS / "step-every-10-halve.yaml")
    before, image = explorer.trace, explorer.image.value
    explorer.sliders["scheduler.step_size"].value = 0
    assert "scheduler.step_size" in explorer.message.value and explorer.trace is before and explorer.image.value == image
    explorer.sliders["scheduler.step_size"].value = 5
    assert explorer.message.value == "" and explorer.trace.spec.scheduler.params["step_size"] == 5
    assert np.array_equal(explorer.trace.lr, lrplot.simulate(explorer.trace.spec).lr) and not np.array_equal(explorer.trace.lr, before.lr)


def test_it_shows_itself_as_its_widgets():
    explorer = lrplot.explore(CONFIGS / "warmup-cosine.yaml")
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == explorer.widget.model_id


def test_without_ipywidgets_the_error_names_the_extra():
    code = "import sys; sys.modules['ipywidgets'] = None; import lrplot\ntry:\n lrplot.explore({})\nexcept lrplot.ConfigError as e: print(e)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "pip install 'lrplot[notebook]'" in out
