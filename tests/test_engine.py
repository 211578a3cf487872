"""Engine properties over the whole registry (numbers against torch live in test_golden.py)."""

from __future__ import annotations

import numpy as np
import pytest

import lrplot
from lrplot.config import load
from lrplot.frameworks.torch import closed as vectorized
from lrplot.errors import TorchWouldRaise
from lrplot.registry import SCHEDULERS, family

from examples import example_config

STEP_MODES = ("epoch", "iteration", "fractional")


def _modes(info):
    if info.family in ("deepspeed", "megatron", "torchtitan"):
        return ["iteration"]  # their loops step the scheduler after every optimizer step, and only so
    if info.family == "code":  # the loop calls a function per epoch or per iteration, never with a fraction it is not given
        return ["epoch", "iteration"]
    if info.family == "mmengine":
        # ParamSchedulerHook steps each scheduler by its own by_epoch: the run's step is what that makes it
        from lrplot.registry import family

        return [family("mmengine").default_step({"type": info.name, **info.example}, info)]
    if info.family == "timm":
        # train.py tells timm whole epochs or update counts (t_in_epochs); PlateauLRScheduler only epochs.
        return ["epoch", "iteration"] if any(p.name == "t_in_epochs" for p in info.params) else ["epoch"]
    if info.family == "yolo":
        return ["epoch"]  # YOLO's loops step their LambdaLR per epoch and set the warmup per batch themselves
    if info.family == "detectron2":
        return ["iteration"]  # the LRScheduler hook steps after every iteration, and only then
    if info.family in ("keras", "optax"):
        return ["iteration"]  # the optimizer evaluates the schedule at its count before every update
    # torch's composites take no epoch argument, so they cannot be stepped fractionally.
    return [m for m in STEP_MODES if not (info.composite and m == "fractional")]


@pytest.mark.parametrize(
    ("info", "mode"), [(i, m) for i in SCHEDULERS for m in _modes(i)], ids=lambda v: getattr(v, "name", v)
)
def test_fast_and_exact_engines_agree(info, mode):
    config = example_config(info, step=mode)
    fast, exact = lrplot.simulate(config), lrplot.simulate(config, exact=True)
    peak = np.abs(exact.lr).max(axis=1, keepdims=True)
    assert fast.lr.shape == exact.lr.shape == (1, 120)
    assert np.all(np.abs(fast.lr - exact.lr) <= 1e-12 * peak)
    assert (fast.momentum is None) == (exact.momentum is None)
    if fast.momentum is not None:
        assert np.allclose(fast.momentum, exact.momentum, rtol=0, atol=1e-12)


# several param groups: the schedulers that scale an optimizer's lr (a Keras or optax schedule is one lr for all)
@pytest.mark.parametrize("info", [i for i in SCHEDULERS if family(i.family).scales_lr], ids=lambda i: i.name)
def test_trace_layout(info):
    config = example_config(info, epochs=12, steps_per_epoch=5)
    config["optimizer"] = {"param_groups": [{"name": "backbone", "lr": 0.01}, {"name": "head", "lr": 0.1}]}
    trace = lrplot.simulate(config)
    assert trace.groups == ("backbone", "head")
    assert trace.lr.shape == (2, 60)
    assert trace.step.tolist() == list(range(60))
    assert trace.epoch[5] == 1.0 and trace.epoch[7] == 1.4
    assert trace.unit == "iteration"
    # SGD without momentum: only cycling shows it (DeepSpeed's OneCycle cycles only an optimizer with betas),
    # or a loop that schedules it (YOLO's momentum warmup, mmengine's momentum schedulers)
    cycles = ((info.cycles_momentum and info.family != "deepspeed") or info.family == "yolo"
              or (info.family == "mmengine" and info.name.endswith("Momentum")))
    assert (trace.momentum is not None) == cycles
    assert (trace.metric is not None) == info.steps_on_metric


@pytest.mark.parametrize("info", [i for i in SCHEDULERS if i.family == "torch" and i.name not in ("ChainedScheduler", "ReduceLROnPlateau")], ids=lambda i: i.name)
def test_vectorized_engine_covers_plain_schedulers(info):
    # The fast path must really be taken for the common cases, or long runs get slow.
    assert vectorized.simulate(load(example_config(info, epochs=20, step="iteration"))) is not None


@pytest.mark.parametrize(
    "scheduler",
    [
        {"type": "OneCycleLR", "max_lr": 0.1},
        {"type": "SequentialLR", "milestones": [50_000], "schedulers": [{"type": "LinearLR", "start_factor": 0.01, "total_iters": 50_000}, {"type": "CosineAnnealingLR"}]},
    ],
    ids=["onecycle", "warmup-cosine"],
)
def test_million_steps_use_closed_forms(scheduler):
    spec = load({"scheduler": scheduler, "run": {"epochs": 1000, "steps_per_epoch": 1000, "step": "iteration"}})
    lr, _ = vectorized.simulate(spec)
    assert lr.shape == (1, 1_000_000)
    assert np.all(np.isfinite(lr))


def test_onecycle_past_total_steps_is_refused_like_torch():
    config = {"scheduler": {"type": "onecycle", "max_lr": 0.1, "total_steps": 50}, "run": {"epochs": 10, "steps_per_epoch": 10}}
    for exact in (False, True):
        with pytest.raises(TorchWouldRaise, match=r"Tried to step 51 times.*total_steps to at least 100"):
            lrplot.simulate(config, exact=exact)


def test_overflowing_schedule_is_an_error_not_inf():
    config = {"scheduler": {"type": "multiplicative", "lr_lambda": "10.0"}, "run": {"epochs": 400}}
    for exact in (False, True):
        with pytest.raises(lrplot.ConfigError, match="becomes inf"):
            lrplot.simulate(config, exact=exact)


def test_expression_failure_names_the_field():
    config = {"scheduler": {"type": "lambda", "lr_lambda": "1 / (epoch - 3)"}, "run": {"epochs": 10}}
    for exact in (False, True):
        with pytest.raises(lrplot.ConfigError, match=r"scheduler\.lr_lambda"):
            lrplot.simulate(config, exact=exact)


def test_simulate_accepts_a_path(tmp_path):
    path = tmp_path / "warm.yaml"
    path.write_text("scheduler: {type: cosine, T_max: 10}\nrun: {epochs: 20}\n")
    trace = lrplot.simulate(path)
    assert trace.name == "warm"
    assert trace.lr.shape == (1, 20)
