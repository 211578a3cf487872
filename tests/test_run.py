"""Describing a run the way people write it: YAML 1.2 numbers, runs counted in iterations, the
training plan, vars and the run's names in expressions, and commands that end quietly in a pipe."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import lrplot
from lrplot.cli import cli
from lrplot.inline import parse_inline
from lrplot.config import Plan, load
from lrplot.errors import ConfigError
from lrplot.render import plot_trace

from processes import running

GOLDEN = Path(__file__).resolve().parent / "golden"


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def write(tmp_path: Path, text: str, name: str = "run.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


# ------------------------------------------------------------------------------------------------
# Numbers as ML people write them


@pytest.mark.parametrize(
    "yaml_text, read, value",
    [
        ("optimizer: {lr: 5e-5}", lambda s: s.optimizer.groups[0].lr, 5e-5),
        ("optimizer: {lr: .5E-3}", lambda s: s.optimizer.groups[0].lr, 5e-4),
        ("scheduler: {type: cosine, eta_min: 1E-6}", lambda s: s.scheduler.params["eta_min"], 1e-6),
        ("scheduler: {type: cosine, eta_min: +1e-6}", lambda s: s.scheduler.params["eta_min"], 1e-6),
        ("scheduler: {type: cosine, T_max: 3e4}", lambda s: s.scheduler.params["T_max"], 30000),
        ("scheduler: {type: onecycle, max_lr: 1.0e5}", lambda s: s.scheduler.params["max_lr"], 1.0e5),
        ("scheduler: {type: multistep, milestones: [3e1, 8e1]}", lambda s: s.scheduler.params["milestones"], (30, 80)),
        ("run: {iterations: 6e5}", lambda s: s.run.total_steps, 600000),
        ("run: {epochs: 9e1}", lambda s: s.run.total_steps, 90),
        ("vars: {w: 2e3}\nscheduler: {type: lambda, lr_lambda: w}", lambda s: s.vars[0].value, 2000.0),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_yaml_numbers_in_files(tmp_path, yaml_text, read, value):
    text = yaml_text + ("" if "scheduler" in yaml_text else "\nscheduler: cosine") + "\n"
    got = read(load(write(tmp_path, text)))
    assert got == value and type(got) is type(value)


def test_quoted_numbers_stay_strings(tmp_path):
    with pytest.raises(ConfigError, match=r"optimizer.lr: must be a number, got a string '5e-5' \(numbers are written without quotes\)"):
        load(write(tmp_path, "optimizer: {lr: '5e-5'}\nscheduler: cosine\n"))
    with pytest.raises(ConfigError, match="run.iterations: must be an integer, got a number 1.5"):
        load(write(tmp_path, "run: {iterations: 1.5}\nscheduler: cosine\n"))


def test_yaml_numbers_in_inline_specs():
    kind, keys = parse_inline("cosine:eta_min=1e-6,T_max=3e4")
    assert kind == "cosine" and keys == {"eta_min": 1e-6, "T_max": 30000.0}
    result = run("compare", "cosine:eta_min=1e-6,T_max=3e4", "step:step_size=1e1", "--epochs", "20", "-o", "-")
    # `-o -` is not a figure: the error proves the specs parsed (their values were accepted first)
    assert result.exit_code == 2 and "no figure extension" in result.output


def test_yaml_numbers_as_flags():
    doc = json.loads(run("export", "cosine", "--T-max", "3e1", "--iterations", "6e1", "--lr", "5e-5", "--eta-min", "1E-6").output)
    trace = lrplot.simulate({"optimizer": {"lr": 5e-5}, "run": {"iterations": 60}, "scheduler": {"type": "cosine", "T_max": 30, "eta_min": 1e-6}})
    assert doc["lr"] == trace.lr.tolist() and doc["unit"] == "iteration"
    bad = run("export", "step", "--step-size", "2.5e0")
    assert bad.exit_code == 2 and "is not an integer" in bad.output


def test_dates_and_odd_tags_are_text_or_clear_errors(tmp_path):
    # YAML 1.2 has no implicit dates: a name that looks like one stays the text written
    assert load(write(tmp_path, "name: 2001-13-45\nscheduler: cosine\n")).name == "2001-13-45"
    for text, field in (("scheduler: {type: cosine, eta_min: !!float abc}\n", "scheduler.eta_min"), ("x: !!timestamp x\nscheduler: cosine\n", "x"),
                        ("lr: " + "9" * 5000 + "\n", "lr")):
        with pytest.raises(ConfigError, match=rf"run.yaml: {field}: .* \(line 1, column \d+\)$"):
            load(write(tmp_path, text))


# ------------------------------------------------------------------------------------------------
# Runs counted in iterations


def test_iteration_run_figure_has_iteration_axis_and_epoch_axis_when_known():
    trace = lrplot.simulate({"run": {"iterations": 1000}, "scheduler": "cosine"})
    fig = plot_trace(trace)
    ax = fig.axes[0]
    assert fig.axes[-1].get_xlabel() == "iteration" and ax.get_xlim() == (0.0, 1000.0)
    assert not [c for c in ax.get_children() if getattr(c, "get_gid", lambda: None)() == "epoch-axis"]
    line = next(l for l in ax.get_lines() if l.get_gid() == "lr-group0")
    assert line.get_xdata()[-1] == 1000
    with_epochs = plot_trace(lrplot.simulate({"run": {"iterations": 1000, "steps_per_epoch": 300}, "scheduler": "cosine"}))
    assert [c for c in with_epochs.axes[0].get_children() if getattr(c, "get_gid", lambda: None)() == "epoch-axis"]


def test_iteration_run_defaults_and_partial_epochs():
    spec = load({"run": {"iterations": 1000, "steps_per_epoch": 300}, "scheduler": "cosine"})
    run_ = spec.run
    assert (run_.unit, run_.step, run_.total_steps, run_.epochs, run_.epoch_count) == ("iteration", "iteration", 1000, 4, 1000 / 300)
    assert spec.scheduler.params["T_max"] == 1000  # stepped per iteration: the run's length in iterations
    per_epoch = load({"run": {"iterations": 1000, "steps_per_epoch": 300, "step": "epoch"}, "scheduler": "cosine"})
    assert per_epoch.run.scheduler_steps == 3 and per_epoch.scheduler.params["T_max"] == 4


def test_iteration_run_explain_and_export_speak_iterations():
    text = run("explain", "cosine", "--iterations", "600000").output
    assert "600,000 iterations; scheduler stepped after every iteration" in text
    assert "epoch" not in text.split("\n", 2)[1]
    doc = json.loads(run("export", "cosine", "--iterations", "50").output)
    assert doc["unit"] == "iteration" and doc["epoch"] is None and doc["steps_per_epoch"] is None
    assert run("export", "cosine", "--iterations", "5", "--format", "csv").output.splitlines()[0] == "step,lr"


@pytest.mark.parametrize(
    "run_section, fragment",
    [
        ("{epochs: 10, iterations: 100}", "run.iterations: a run is counted in epochs or in iterations"),
        ("{iterations: 100, step: epoch}", "run.step: `step: epoch` needs epochs: give run.steps_per_epoch"),
        ("{iterations: 0}", "run.iterations: must be >= 1"),
        ("{iterations: 100000000}", "run.iterations: 100,000,000 optimizer steps; lrplot simulates at most"),
        ("{dataset_size: 50, batch_size: 128, drop_last: true}", "run.batch_size: 50 samples per device make no full batch of 128"),
        ("{dataset_size: 100, batch_size: 50, grad_accum: 3}", "run.grad_accum: 2 batches per epoch never reach grad_accum 3"),
        ("{dataset_size: 100, batch_size: 10, steps_per_epoch: 5}", "run.steps_per_epoch: is derived from the training plan"),
        ("{batch_size: 10}", "run.dataset_size: missing; a training plan needs dataset_size and batch_size"),
        ("{dataset_size: 100, batch_size: 10, drop_last: 1}", "run.drop_last: must be true or false"),
        ("{dataset_size: 100, batch_size: 10, devices: 0}", "run.devices: must be >= 1"),
    ],
)
def test_bad_runs(run_section, fragment):
    with pytest.raises(ConfigError) as err:
        lrplot.simulate({"run": __import__("yaml").safe_load(run_section), "scheduler": "cosine"})
    assert fragment in str(err.value)


def test_iterations_flag_replaces_the_files_epochs(tmp_path):
    path = write(tmp_path, "run: {epochs: 10, steps_per_epoch: 4}\nscheduler: cosine\n")
    doc = json.loads(run("export", str(path), "--iterations", "30").output)
    assert len(doc["step"]) == 30 and doc["unit"] == "iteration" and doc["steps_per_epoch"] == 4


# ------------------------------------------------------------------------------------------------
# The training plan, against real torch's DataLoader / DistributedSampler (tests/golden/plan.json)

PLAN_CASES = json.loads((GOLDEN / "plan.json").read_text())[1:]


def test_plan_golden_file_covers_the_grid():
    assert len(PLAN_CASES) == 768 and {c["devices"] for c in PLAN_CASES} == {1, 2, 3, 8}
    assert any(c["steps"] == 0 for c in PLAN_CASES) and any(c["batches"] * c["batch_size"] > c["samples"] for c in PLAN_CASES)


@pytest.mark.parametrize("case", PLAN_CASES, ids=lambda c: "n{dataset_size}-b{batch_size}-d{devices}-{drop_last}-a{grad_accum}".format(**c))
def test_plan_matches_torch(case):
    keys = ("dataset_size", "batch_size", "devices", "grad_accum", "drop_last")
    plan = Plan(**{k: case[k] for k in keys})
    assert (plan.per_device, plan.batches, plan.steps) == (case["samples"], case["batches"], case["steps"])
    config = {"run": {"epochs": 2, **{k: case[k] for k in keys}}, "scheduler": "cosine"}
    if case["steps"] == 0:
        with pytest.raises(ConfigError, match=r"run\.(batch_size|grad_accum): "):
            load(config)
    else:
        assert load(config).run.total_steps == 2 * case["steps"]


def test_explain_prints_the_plan_arithmetic():
    text = run("explain", "cosine", "--epochs", "2").output  # no plan: no arithmetic
    assert "training plan" not in text
    spec = {"run": {"epochs": 90, "dataset_size": 1281167, "batch_size": 32, "devices": 8, "grad_accum": 2}, "scheduler": "cosine"}
    from lrplot.explain import explain

    out = explain(lrplot.simulate(spec))
    assert "1281167 samples / 8 devices = 160146 samples per device (DistributedSampler pads 1 repeated samples)" in out
    assert "160146 / batch_size 32 = 5005 batches per epoch, the last one of 18" in out
    assert "5005 batches / grad_accum 2 = 2502 optimizer steps per epoch; the last 1 batches accumulate but never step" in out


# ------------------------------------------------------------------------------------------------
# Expressions that know the run


def nanogpt_get_lr(it, learning_rate=6e-4, warmup_iters=2000, lr_decay_iters=600000, min_lr=6e-5):
    """nanoGPT's schedule, verbatim from karpathy/nanoGPT train.py (get_lr), with its defaults."""
    # 1) linear warmup for warmup_iters steps
    if it < warmup_iters:
        return learning_rate * (it + 1) / (warmup_iters + 1)
    # 2) if it > lr_decay_iters, return min learning rate
    if it > lr_decay_iters:
        return min_lr
    # 3) in between, use cosine decay down to min learning rate
    decay_ratio = (it - warmup_iters) / (lr_decay_iters - warmup_iters)
    assert 0 <= decay_ratio <= 1
    coeff = 0.5 * (1.0 + math.cos(math.pi * decay_ratio))  # coeff ranges 0..1
    return min_lr + coeff * (learning_rate - min_lr)


NANOGPT = GOLDEN.parent.parent / "configs" / "nanogpt-cosine.yaml"


def test_nanogpt_recipe_reproduces_its_source():
    trace = lrplot.simulate(NANOGPT)
    want = np.array([nanogpt_get_lr(k) for k in range(len(trace))])
    # LambdaLR multiplies base_lr by the lambda, so the last bits may differ from nanoGPT's own sum
    assert np.allclose(trace.lr[0], want, rtol=0, atol=1e-12 * want.max())
    # nanoGPT's loop trains iterations 0..max_iters: `if iter_num > max_iters: break` follows the step
    assert trace.spec.run.unit == "iteration" and len(trace) == 600001


def test_run_override_changes_the_lambda_with_it():
    config = {"run": {"epochs": 10}, "vars": {"half": "epochs / 2"}, "scheduler": {"type": "lambda", "lr_lambda": "1.0 if step < half else 0.1"}}
    assert lrplot.simulate(config).lr[0].tolist() == [0.1] * 5 + [0.1 * 0.1] * 5
    out = run("export", "lambda", "--lr-lambda", "1.0 if step < total_steps / 2 else 0.1", "--epochs", "6", "--format", "csv").output
    assert [float(r.split(",")[2]) for r in out.splitlines()[1:]] == [0.1] * 3 + [0.1 * 0.1] * 3


def test_run_names_in_expressions():
    spec = load({"run": {"epochs": 4, "steps_per_epoch": 5, "step": "iteration"}, "optimizer": {"lr": [0.1, 0.2]},
                 "scheduler": {"type": "lambda", "lr_lambda": "base_lr * 0 + steps_per_epoch * epochs - total_steps + 1"}})
    fns = spec.scheduler.params["lr_lambda"]
    assert isinstance(fns, tuple) and [dict(f.names)["base_lr"] for f in fns] == [0.1, 0.2]
    assert lrplot.simulate(spec).lr.tolist() == [[0.1] * 20, [0.2] * 20]


@pytest.mark.parametrize(
    "vars_, lam, fragment",
    [
        ({"a": "b + 1", "b": "a * 2"}, "1", "vars.a: vars refer to each other in a circle: a -> b -> a"),
        ({"a": "nope + 1"}, "1", "vars.a: unknown name 'nope'"),
        ({"total_steps": 5}, "1", "vars.total_steps: shadows the run's total_steps; pick another name"),
        ({"step": 5}, "1", "vars.step: is the expression's variable"),
        ({"pi": 3}, "1", "vars.pi: shadows the constant pi"),
        ({"w": "epoch * 2"}, "1", "vars.w: 'epoch' is not available here: vars are numbers fixed for the run"),
        ({"w": "base_lr * 2"}, "1", "vars.w: 'base_lr' is not available here: each param group has its own base_lr"),
        ({"w": "1 / 0"}, "1", "vars.w: division by zero"),
        ({"w": [1, 2]}, "1", "vars.w: must be a number or an expression, got a list"),
        ({"1x": 2}, "1", "vars.1x: a var's name must be a plain identifier"),
        ({}, "warmup * 2", "scheduler.lr_lambda: unknown name 'warmup'"),
    ],
)
def test_bad_vars(vars_, lam, fragment):
    with pytest.raises(ConfigError) as err:
        lrplot.simulate({"vars": vars_, "scheduler": {"type": "lambda", "lr_lambda": lam}})
    assert fragment in str(err.value)


def test_names_unknown_without_epochs():
    with pytest.raises(ConfigError, match="'steps_per_epoch' is not available here: the run has no epochs; give run.steps_per_epoch"):
        load({"run": {"iterations": 10}, "scheduler": {"type": "lambda", "lr_lambda": "step / steps_per_epoch"}})


def test_code_writes_the_names_and_vars_out():
    from lrplot.code import library_code

    text = library_code(load(NANOGPT))
    assert "for step in range(600001):" in text
    assert "lr_decay_iters = 600000" in text and "warmup_iters = 2000" in text
    assert "lr_lambda=lambda epoch, base_lr=0.0006: (epoch + 1) / (warmup_iters + 1) if epoch < warmup_iters" in text
    compile(text, "nanogpt.py", "exec")


def test_explain_warns_when_the_lr_goes_negative():
    text = run("explain", "lambda", "--lr-lambda", "1 - step / 5", "--epochs", "10").output
    assert "note: the lr goes negative (-0.02 at epoch 6)" in text


# ------------------------------------------------------------------------------------------------
# Pipes


@pytest.mark.parametrize(
    "args",
    [["list"], ["export", "cosine", "--iterations", "200000", "--format", "csv"], ["explain", "configs/warmup-cosine.yaml"], ["code", "configs/onecycle-per-batch.yaml"], ["--help"]],
    ids=lambda a: a[0],
)
def test_commands_end_quietly_in_a_closed_pipe(args):
    root = Path(__file__).resolve().parent.parent
    # `lrplot ... | head -1`: the reader leaves after one line
    with running(args, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as producer:
        first = producer.stdout.readline()
        producer.stdout.close()
        stderr = producer.stderr.read().decode()
        producer.wait(timeout=60)
    assert first and stderr == "", stderr
