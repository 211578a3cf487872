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


def test_warm_restarts_list_each_cycle_as_a_phase():
    trace = lrplot.simulate(CONFIGS / "sgdr-t0-10-tmult-2.yaml")  # T_0 10, T_mult 2, stepped fractionally
    text = explain(trace)
    # each cycle starts where its restart trains (a fractional step(t) sets the next step's lr)
    for row in ("iterations 0-1,000", "iterations 1,001-3,000", "iterations 3,001-7,000", "iterations 7,001-14,999"):
        line = next(line for line in text.splitlines() if line.strip().startswith(row))
        assert "0.05 ->" in line and "cosine to eta_min 0" in line
    from lrplot.engine.events import find_events

    restarts = [e.step for e in find_events(trace) if e.kind == "restart"]
    assert restarts == [1001, 3001, 7001]


def test_adam_says_beta1_and_counts_have_separators():
    text = explain(lrplot.simulate(CONFIGS / "onecycle-adam-three-phase.yaml"))
    assert "beta1 between 0.85 and 0.95" in text and "momentum" not in text
    text = explain(lrplot.simulate(CONFIGS / "nanogpt-cosine.yaml"))
    assert "iterations 0-600,000" in text and "first at iteration 2,000" in text
