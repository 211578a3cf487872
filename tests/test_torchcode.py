"""`lrplot code`: the emitted PyTorch code is valid, explicit, and (with torch) reproduces the trace."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import lrplot
from lrplot.config import load
from lrplot.registry import SCHEDULERS
from lrplot.code import library_code as torch_code

from emitted import run_emitted
from examples import example_config

GOLDEN = sorted((Path(__file__).parent / "golden" / "traces").glob("*.json"))
RAN = [p for p in GOLDEN if json.loads(p.read_text())["error"] is None]


@pytest.mark.parametrize("info", [i for i in SCHEDULERS if i.family == "torch"], ids=lambda i: i.name)
def test_code_compiles_and_names_the_classes(info):
    code = torch_code(load(example_config(info)))
    compile(code, "<lrplot code>", "exec")
    assert f"{info.name}(" in code
    assert "eval" not in code


def test_lengths_filled_from_the_run_are_written_out():
    code = torch_code(load({"scheduler": {"type": "onecycle", "max_lr": 0.1}, "run": {"epochs": 10, "steps_per_epoch": 100}}))
    assert "OneCycleLR(optimizer, max_lr=0.1, total_steps=1000)" in code
    assert "        scheduler.step()" in code  # per batch
    code = torch_code(load({"scheduler": {"type": "warm_restarts", "T_0": 5}, "run": {"epochs": 10, "steps_per_epoch": 4, "step": "fractional"}}))
    assert "scheduler.step(epoch + i / 4)" in code


@pytest.mark.parametrize("path", RAN, ids=lambda p: p.stem)
def test_emitted_code_reproduces_the_golden_trace_on_torch(path):
    case = json.loads(path.read_text())
    spec = load(case["config"], base_dir=path.parent.parent)
    lr = run_emitted(torch_code(spec))
    expected = lrplot.simulate(spec, exact=True).lr
    assert lr.shape == expected.shape
    assert np.array_equal(lr, expected), f"first difference at step {np.argmax((lr != expected).any(axis=0))}"


def test_emitted_names_never_clash_with_python_or_each_other():
    # Groups named like keywords, builtins or lrplot's own variables, and vars that would shadow
    # what the code imports or loops with: all renamed apart, the code still means the config.
    spec = load({
        "optimizer": {"param_groups": [{"name": "class", "lr": 0.1}, {"name": "range", "lr": 0.2}, {"name": "optimizer", "lr": 0.3},
                                       {"name": "lambda_lr", "lr": 0.1}, {"name": "a\u00b2", "lr": 0.1}]},
        "vars": {"range": 10, "torch": 2, "i": 3, "print": "range * 2", "optimizer": 0.5},
        "scheduler": {"type": "sequential", "milestones": [5], "schedulers": [
            {"type": "lambda", "lr_lambda": "min(1, (epoch + 1) / range) * torch / i + print * 0 + optimizer * 0"}, "cosine"]},
        "run": {"epochs": 12},
    })
    code = torch_code(spec)
    compile(code, "<lrplot code>", "exec")
    assert "range_2 = 10\ntorch_2 = 2\ni_2 = 3\nprint_2 = range_2 * 2\noptimizer = 0.5\n" in code
    assert "class_2 = torch.nn.Linear(1, 1)" in code and "for epoch in range(12):" in code
    assert "lambda epoch: min(1, (epoch + 1) / range_2) * torch_2 / i_2 + print_2 * 0 + optimizer * 0" in code
    lr = run_emitted(code)
    assert np.array_equal(lr, lrplot.simulate(spec, exact=True).lr)


def test_fresh_names_are_distinct_and_valid():
    from lrplot.frameworks.torch.code import Namespace

    ns = Namespace({"torch"})
    names = [ns.fresh(base) for base in ["x"] * 2000 + ["x_2", "torch", "class", "x_5"] * 3]
    assert len(set(names)) == len(names) and all(n.isidentifier() for n in names)
    assert names[:3] == ["x", "x_2", "x_3"] and "torch" not in names and "class" not in names
