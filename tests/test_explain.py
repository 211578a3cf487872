"""`lrplot explain`: phases in plain words, with the trace's own numbers."""

from __future__ import annotations

import pytest

import lrplot
from lrplot.explain import explain
from lrplot.registry import SCHEDULERS

from examples import CONFIGS, example_config


@pytest.mark.parametrize("info", SCHEDULERS, ids=lambda i: i.name)
def test_every_scheduler_is_explained(info):
    trace = lrplot.simulate(example_config(info))
    text = explain(trace)
    assert info.name in text
    assert "max lr" in text and "min lr" in text and "last step: lr" in text


def test_step_schedule_lists_each_level():
    text = explain(lrplot.simulate({"scheduler": {"type": "step", "step_size": 10, "gamma": 0.5}, "run": {"epochs": 30}}))
    assert "epochs 0-9    0.1" in text
    assert "epochs 10-19  0.05" in text
    assert "epochs 20-29  0.025" in text
    assert "last step: lr 0.025 at epoch 29" in text


def test_warmup_then_cosine_phases():
    text = explain(lrplot.simulate(CONFIGS / "warmup-cosine.yaml"))
    assert "epoch 0      0.01   LinearLR warmup (factor 0.1 -> 1)" in text
    assert "epochs 5-99  0.1 -> 2.734e-05   cosine annealing to eta_min 0" in text
    assert "max lr 0.1 first at epoch 5" in text


def test_pitfalls_are_noted():
    rises = explain(lrplot.simulate({"scheduler": {"type": "cosine", "T_max": 10}, "run": {"epochs": 30}}))
    assert "rises again" in rises
    per_epoch = explain(lrplot.simulate({"scheduler": {"type": "onecycle", "max_lr": 0.1}, "run": {"epochs": 5, "steps_per_epoch": 10, "step": "epoch"}}))
    assert "meant to be stepped per batch" in per_epoch
    zero = explain(lrplot.simulate({"scheduler": {"type": "lambda", "lr_lambda": "epoch / 5"}, "run": {"epochs": 10}}))
    assert "trains with lr 0" in zero


def test_groups_are_shown_side_by_side():
    trace = lrplot.simulate({"optimizer": {"lr": [0.01, 0.1]}, "scheduler": {"type": "step", "step_size": 5}, "run": {"epochs": 10}})
    assert "0.01 / 0.1" in explain(trace)
