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
    explorer = lrplot.explore({"optimizer": {"lr": 0.05}, "scheduler": {"type": "cosine", "eta_min": 0.001}, "run": {"epochs": 4, "steps_per_epoch": 10}})
    lr = explorer.sliders["optimizer.lr"]
    assert isinstance(lr, widgets.FloatLogSlider) and lr.min < np.log10(0.05) < lr.max and lr.base == 10
    assert isinstance(explorer.sliders["scheduler.eta_min"], widgets.FloatLogSlider)  # torch's record: eta_min is an lr
    explorer = lrplot.explore({"optimizer": {"lr": 0.05}, "scheduler": {"type": "onecycle", "max_lr": 0.1, "pct_start": 0.3}, "run": {"epochs": 4, "steps_per_epoch": 10}})
    pct = explorer.sliders["scheduler.pct_start"]
    assert (pct.min, pct.max) == (0, 1)  # OneCycleLR's own limits for pct_start
    # in the config's order; no optimizer.lr: OneCycleLR sets the lr from max_lr, so that slider would move nothing
    assert list(explorer.sliders) == ["scheduler.max_lr", "scheduler.pct_start", "run.epochs", "run.steps_per_epoch"]
    explorer = lrplot.explore({"vars": {"peak": 0.1}, "scheduler": {"type": "onecycle", "max_lr": "peak"}, "run": {"epochs": 4, "steps_per_epoch": 10}})
    assert isinstance(explorer.sliders["vars.peak"], widgets.FloatLogSlider)  # a var written where an lr goes


@pytest.mark.parametrize(
    ("config", "lrs"),
    [
        ("optax-warmup-cosine-decay", ["scheduler.init_value", "scheduler.peak_value", "scheduler.end_value"]),
        ("keras-cosine-warmup", ["scheduler.initial_learning_rate", "scheduler.warmup_target"]),
        ("megatron-gpt-wsd", ["megatron.lr", "megatron.min-lr"]),
        ("reduce-on-plateau", ["optimizer.lr", "scheduler.min_lr"]),
    ],
)
def test_every_frameworks_learning_rates_reach_a_hundredth_of_themselves(config, lrs):
    """Each family's records say which of its keywords are lrs: a log slider two decades below the
    value; an lr of 0 slides linearly up to the config's largest lr, in steps of a thousandth of it."""
    explorer = lrplot.explore(CONFIGS / f"{config}.yaml")
    assert set(lrs) <= set(explorer.sliders)
    top = max(s.value for s in explorer.sliders.values() if isinstance(s, widgets.FloatLogSlider))
    for name in lrs:
        s = explorer.sliders[name]
        if s.value > 0:
            assert isinstance(s, widgets.FloatLogSlider) and 10.0**s.min <= s.value / 100 and 10.0**s.max >= s.value * 10, name
        else:
            assert isinstance(s, widgets.FloatSlider) and (s.min, s.max) == (0, top) and s.step <= top / 1000, name
    for name, s in explorer.sliders.items():
        if name not in lrs and name.rpartition(".")[2] not in ("lr", "min_lr"):
            assert not isinstance(s, widgets.FloatLogSlider), name  # counts and factors are not lrs


def _other(s):
    """A different value the slider can take."""
    if isinstance(s, widgets.IntSlider):
        return min(s.max, s.value + max(1, s.value // 10))
    if isinstance(s, widgets.FloatLogSlider):
        return s.value * 0.8
    return s.value * 0.8 if s.value else s.max / 2


@pytest.mark.parametrize(
    ("config", "wanted", "unwanted"),
    [
        # nanoGPT's get_lr reads its own names, not the optimizer's lr; Adam's beta2 is never drawn
        ("nanogpt-train-py", ["scheduler.set.learning_rate", "scheduler.set.warmup_iters", "scheduler.set.lr_decay_iters", "scheduler.set.min_lr"],
         ["optimizer.lr", "optimizer.betas[1]"]),
        # train.py's defaults the plateau schedule reads (not the cosine's cycles, nor the noise it has none of)
        ("timm-plateau-warmup", ["timm.warmup_epochs", "timm.warmup_lr", "timm.lr_base", "timm.decay_rate", "timm.patience_epochs"],
         ["timm.lr_cycle_mul", "timm.seed", "timm.lr_noise_std"]),
        # ultralytics' defaults: optimizer: auto ignores lr0 and weight decay moves no lr
        ("yolo-coco-defaults-8.4.190", ["yolo.lrf", "yolo.warmup_epochs", "yolo.warmup_momentum", "yolo.momentum"], ["yolo.lr0", "yolo.weight_decay"]),
    ],
)
def test_each_slider_moves_the_trace(config, wanted, unwanted):
    from lrplot.engine import simulate

    explorer = lrplot.explore(CONFIGS / f"{config}.yaml")
    assert set(wanted) <= set(explorer.sliders) and not set(unwanted) & set(explorer.sliders)
    for name, s in explorer.sliders.items():
        before = explorer.trace
        s.value = _other(s)
        assert explorer.message.value == "", name
        after = explorer.trace
        moved = after.lr.shape != before.lr.shape or not np.array_equal(after.lr, before.lr) or (
            after.momentum is not None and (after.momentum.shape != before.momentum.shape or not np.array_equal(after.momentum, before.momentum)))
        assert moved, f"{name} moved nothing"
    assert np.array_equal(explorer.trace.lr, simulate(lrplot.load(explorer.config | {"name": explorer.trace.name}, base_dir=CONFIGS)).lr)


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
    assert "pip install ipywidgets" in out and "lrplot[" not in out  # lrplot is on no package index: its extra installs from a checkout
