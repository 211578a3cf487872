"""`lrplot verify`: logged runs read from the files real tools wrote, and every verdict on them.

The logs in tests/fixtures/runs/ come from really training tiny models with a torch loop
(TensorBoard and JSON lines), Lightning (CSVLogger) and transformers' Trainer (trainer_state.json),
each once as planned and once per mistake (tests/fixtures/record_runs.py; cases.json says which).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from lrplot.cli import cli

from examples import legend_labels
from lrplot.config import load
from lrplot.errors import ConfigError
from lrplot.runlog import from_scalars, read_runlog
from lrplot.verify import verify

FIXTURES = Path(__file__).parent / "fixtures"
CASES = json.loads((FIXTURES / "runs" / "cases.json").read_text())
HAS_TENSORBOARD = importlib.util.find_spec("tensorboard") is not None


def event_folder(case: dict) -> bool:
    return (FIXTURES / case["log"]).is_dir()


def read_case_log(case: dict):
    """The case's log; a TensorBoard run as its committed reader output where tensorboard is missing."""
    path = FIXTURES / case["log"]
    if event_folder(case) and not HAS_TENSORBOARD:
        recorded = json.loads((path / "scalars.json").read_text())
        return from_scalars(str(path), {"lr": (np.array(recorded["lr"]["step"]), np.array(recorded["lr"]["value"]))})
    return read_runlog(path)


def judge(case: dict):
    plan = FIXTURES / case["plan"]
    return verify(load(plan), read_case_log(case), base_dir=plan.parent)


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_every_recorded_run_gets_its_verdict(case):
    verdict = judge(case)
    if case["mistake"] is None:
        assert verdict.followed, verdict.fits
        return
    assert not verdict.followed
    best = verdict.best
    assert best is not None, [(f.mistake.text, f.matched, f.total) for f in verdict.fits[:3]]
    assert best.mistake.key == case["mistake"]
    assert case["detail"] is None or case["detail"] in best.mistake.text
    assert best.max_residual <= verdict.tolerance


def test_every_tool_and_mistake_is_recorded():
    tools = {c["tool"] for c in CASES}
    mistakes = {c["mistake"] for c in CASES}
    assert tools == {"torch", "lightning", "transformers"}
    assert mistakes == {None, "per-epoch", "per-batch", "k-per-step", "step-count", "one-step-early", "warmup", "restart", "lost-optimizer"}
    assert {c["detail"] for c in CASES if c["mistake"] == "step-count"} >= {"ignoring grad_accum 2", "dividing by grad_accum 2 twice", "ignoring the 2 devices"}


@pytest.mark.skipif(not HAS_TENSORBOARD, reason="the tensorboard package (lrplot[tensorboard]) is not installed")
@pytest.mark.parametrize("case", [c for c in CASES if event_folder(c)], ids=lambda c: c["name"])
def test_tensorboard_reader_returns_what_was_recorded(case):
    path = FIXTURES / case["log"]
    log = read_runlog(path)
    assert log.kind == "TensorBoard" and log.columns == ("lr",)
    scalars = json.loads((path / "scalars.json").read_text())["lr"]
    recorded = from_scalars(str(path), {"lr": (np.array(scalars["step"]), np.array(scalars["value"]))})
    np.testing.assert_array_equal(log.logged_step, recorded.logged_step)
    np.testing.assert_array_equal(log.lr, recorded.lr)


def test_each_tool_numbers_its_steps_its_own_way():
    lightning = read_runlog(FIXTURES / "runs/lightning-onecycle-correct/metrics.csv")
    assert lightning.kind == "Lightning CSVLogger" and lightning.columns == ("lr-AdamW/pg1", "lr-AdamW/pg2")
    assert lightning.logged_step[0] == 0 and lightning.step[0] == 0  # _batches_that_stepped, before the step
    hf = read_runlog(FIXTURES / "runs/transformers-correct")  # the output folder: its trainer_state.json
    assert hf.logged_step[0] == 1 and hf.step[0] == 0 and hf.lr[0, 0] == 0.0  # global_step after the step; warmup starts at 0
    sparse = read_runlog(FIXTURES / "runs/transformers-every-5/trainer_state.json")
    assert sparse.logged_step.tolist() == list(range(5, 73, 5))
    assert read_runlog(FIXTURES / "runs/torch-correct/log.jsonl").step[0] == 0


def test_per_epoch_logs_are_matched_at_their_steps():
    log = read_runlog(FIXTURES / "runs/lightning-onecycle-per-epoch/metrics.csv")
    assert log.step.tolist() == [0, 12, 24, 36, 48, 60]  # LearningRateMonitor logs at each epoch's start


def test_wandb_export_and_quoted_csv_read_like_the_original(tmp_path):
    original = read_runlog(FIXTURES / "runs/torch-per-epoch/log.jsonl")
    wandb = tmp_path / "wandb_export.csv"
    rows = ['"Step","run-7 - lr","run-7 - lr__MIN","run-7 - lr__MAX"']
    rows += [f'{s},{v!r},{v!r},{v!r}' for s, v in zip(original.logged_step.tolist(), original.lr[0].tolist())]
    wandb.write_text("\n".join(rows) + "\n")
    log = read_runlog(wandb)
    assert log.kind == "W&B export" and log.columns == ("run-7 - lr",)
    np.testing.assert_array_equal(log.lr, original.lr)
    verdict = judge({"plan": "plans/torch-warmup-cosine.yaml", "log": str(wandb)})
    assert verdict.best.mistake.key == "per-epoch"


def test_fast_csv_reading_equals_the_csv_module(tmp_path):
    source = FIXTURES / "runs/lightning-onecycle-correct/metrics.csv"
    fast = read_runlog(source)
    quoted = tmp_path / "quoted.csv"
    quoted.write_text("\n".join(",".join(f'"{cell}"' if cell else "" for cell in line.split(",")) for line in source.read_text().splitlines()) + "\n")
    careful = read_runlog(quoted)
    np.testing.assert_array_equal(fast.logged_step, careful.logged_step)
    np.testing.assert_array_equal(fast.lr, careful.lr)


def test_a_step_logged_twice_keeps_the_last_value(tmp_path):
    log_file = tmp_path / "resumed.jsonl"
    log_file.write_text('{"step": 0, "lr": 0.1}\n{"step": 1, "lr": 0.1}\n{"step": 1, "lr": 0.05}\n{"step": 2, "lr": 0.05}\n')
    log = read_runlog(log_file)
    assert log.logged_step.tolist() == [0, 1, 2] and log.lr[0].tolist() == [0.1, 0.05, 0.05]


@pytest.mark.parametrize(
    "content, name, fragment",
    [
        ("step,loss\n0,1.0\n", "a.csv", "has no lr column (like lr, learning_rate or lr-AdamW); it has 'step', 'loss'"),
        ("lr,loss\n0.1,1.0\n", "a.csv", "has no step column"),
        ("step,lr,lr-SGD\n0,0.1,0.1\n", "a.csv", "several lr columns ('lr', 'lr-SGD'); choose with --column"),
        ("step,lr\n0,fast\n", "a.csv", "line 2: 'lr' is 'fast', not a number"),
        ("step,lr\n0.5,0.1\n", "a.csv", "line 2: the step 0.5 is not a whole number"),
        ("step,lr\n0,inf\n", "a.csv", "line 2: 'lr' is inf, not a finite lr"),
        ('{"step": 0, "lr": 0.1}\nnot json\n', "a.jsonl", "line 2 is not JSON"),
        ('{"global_step": 3}', "trainer_state.json", "has no log_history"),
        ("x", "a.txt", "is not a run log lrplot reads"),
    ],
)
def test_bad_logs_say_what_is_wrong(tmp_path, content, name, fragment):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(ConfigError) as err:
        read_runlog(path)
    assert fragment in str(err.value)


def test_cli_exit_codes_followed_diverged_bad_input(tmp_path):
    plan = FIXTURES / "plans/torch-warmup-cosine.yaml"
    followed = run("verify", plan, FIXTURES / "runs/torch-correct/log.jsonl")
    assert followed.exit_code == 0 and "FOLLOWED THE PLAN: all 96 logged points" in followed.output
    diverged = run("verify", plan, FIXTURES / "runs/torch-read-after-step/log.jsonl")
    assert diverged.exit_code == 1
    assert "DIVERGED at optimizer step 0 (epoch 0, step 0 of 12): planned 0.01, logged 0.01375" in diverged.output
    assert "EXPLAINED: the logged lr is one step ahead of the plan" in diverged.output
    missing = run("verify", plan, tmp_path / "nope.csv")
    assert missing.exit_code == 2 and "nope.csv: no such file or folder" in missing.output
    no_column = tmp_path / "m.csv"
    no_column.write_text("step,loss,val_loss\n0,1.0,2.0\n")
    bad = run("verify", plan, no_column)
    assert bad.exit_code == 2 and "it has 'step', 'loss', 'val_loss'" in bad.output
    beyond = tmp_path / "late.jsonl"
    beyond.write_text('{"step": 500, "lr": 0.1}\n')
    late = run("verify", plan, beyond)
    assert late.exit_code == 2 and "has no step inside the plan: it logs optimizer steps 500..500, the plan has 0..95" in late.output


def test_cli_column_and_first_step_options(tmp_path):
    plan = FIXTURES / "plans/torch-warmup-cosine.yaml"
    log = read_runlog(FIXTURES / "runs/torch-correct/log.jsonl")
    shifted = tmp_path / "from1.csv"
    shifted.write_text("iteration,my_lr,other\n" + "".join(f"{s + 1},{v!r},0\n" for s, v in zip(log.logged_step.tolist(), log.lr[0].tolist())))
    assert run("verify", plan, shifted, "--column", "my_lr", "--step-column", "iteration", "--first-step", "1").exit_code == 0
    late = run("verify", plan, shifted, "--column", "my_lr", "--step-column", "iteration")
    assert late.exit_code == 1 and "EXPLAINED: the log is one step behind the plan" in late.output and "--first-step 1" in late.output


def test_tensorboard_without_the_package_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorboard.backend.event_processing", None)
    result = run("verify", FIXTURES / "plans/torch-warmup-cosine.yaml", FIXTURES / "runs/torch-correct")
    assert result.exit_code == 2
    assert "needs the tensorboard package: pip install tensorboard (or, from lrplot's checkout, pip install '.[tensorboard]')" in result.output


def test_figure_shows_plan_log_mistake_divergence_and_residuals(tmp_path):
    from lrplot.render import figure_bytes
    from lrplot.render.verify import plot_verdict

    verdict = judge(next(c for c in CASES if c["name"] == "torch-resume-restart-jsonl"))
    fig = plot_verdict(verdict)
    top, residuals = fig.axes[0], fig.axes[-1]
    by_gid = {line.get_gid(): line for ax in fig.axes for line in ax.get_lines()}
    np.testing.assert_array_equal(by_gid["log-0"].get_ydata(), verdict.log.lr[0])
    np.testing.assert_array_equal(by_gid["mistake-0"].get_ydata()[:-1], verdict.best.lr[0])
    assert by_gid["first-divergence"].get_xdata()[0] == 60 / 12  # step 60, epoch 5
    assert residuals.get_yscale() == "symlog" and "restart" in legend_labels(fig, top)[2]
    assert figure_bytes(fig, "svg") == figure_bytes(plot_verdict(verdict), "svg")
    out = tmp_path / "verify.png"
    result = run("verify", FIXTURES / "plans/torch-warmup-cosine.yaml", FIXTURES / "runs/torch-resume-restart/log.jsonl", "-o", out)
    assert result.exit_code == 1 and result.output.strip().endswith(str(out)) and out.read_bytes()[:4] == b"\x89PNG"


def test_verify_as_a_real_process():
    done = subprocess.run(
        [sys.executable, "-m", "lrplot", "verify", str(FIXTURES / "plans/lightning-onecycle.yaml"), str(FIXTURES / "runs/lightning-onecycle-per-epoch/metrics.csv")],
        capture_output=True, text=True,
    )
    assert done.returncode == 1, done.stderr
    assert "EXPLAINED: scheduler.step() was called once per epoch instead of after every batch" in done.stdout


def test_compare_overlays_a_logged_run(tmp_path):
    out = tmp_path / "compare.svg"
    logged = FIXTURES / "runs/transformers-every-5/trainer_state.json"
    result = run("compare", FIXTURES / "plans/transformers-linear-warmup.yaml", logged, "-o", out)
    assert result.exit_code == 0, result.output
    from lrplot.runlog import as_trace

    log = read_runlog(logged)
    trace = as_trace(log, log.label)
    assert log.label == "transformers-every-5/trainer_state.json" and len(trace) == 70  # to its last logged step, 70 (optimizer step 69)
    # Logged at steps 5, 10, ... (optimizer steps 4, 9, ...): each value holds until the next one.
    assert np.isnan(trace.lr[0, :4]).all() and (trace.lr[0, 4:9] == log.lr[0, 0]).all() and trace.lr[0, 9] == log.lr[0, 1]
    assert out.read_bytes()[:5] == b"<?xml"


def test_docs_transcripts_are_what_verify_prints():
    import re
    import shlex

    root = FIXTURES.parent.parent
    page = (root / "docs" / "verify.md").read_text()
    (block,) = re.findall(r"```console\n(.*?)```", page, re.S)
    for command, expected in re.findall(r"^\$ (lrplot verify .*?)\n(.*?)(?=^\$ |\Z)", block, re.S | re.M):
        args = shlex.split(command)[1:]
        done = subprocess.run([sys.executable, "-m", "lrplot", *args], cwd=root, capture_output=True, text=True)
        assert done.stdout.strip() == expected.strip(), command


def test_a_divergence_no_known_mistake_makes_is_reported_as_such(tmp_path):
    import lrplot

    plan = FIXTURES / "plans/torch-step-per-epoch.yaml"
    other = lrplot.simulate({**load(plan).source, "scheduler": {"type": "StepLR", "step_size": 2, "gamma": 0.3}})
    log = tmp_path / "gamma.jsonl"
    log.write_text("".join(json.dumps({"step": k, "lr": v}) + "\n" for k, v in enumerate(other.lr[0].tolist())))
    result = run("verify", plan, log)
    assert result.exit_code == 1
    assert "DIVERGED at optimizer step 24 (epoch 2, step 0 of 12): planned 0.05, logged 0.03" in result.output
    assert "NOT EXPLAINED: none of the" in result.output and "closest:" in result.output


RECIPES = sorted((FIXTURES.parent.parent / "configs").glob("*.yaml"))


@pytest.mark.parametrize("path", RECIPES, ids=lambda p: p.stem)
def test_a_restarted_recipe_is_found_wherever_it_restarts(path):
    """Every recipe, its schedule restarted from the beginning mid-epoch and at an epoch boundary
    (the log is lrplot's own plan, shifted as the restarted scheduler counts)."""
    import lrplot
    from lrplot.runlog import RunLog

    spec = load(path)
    if any(s.info.steps_on_metric for s in spec.scheduler.walk()):
        pytest.skip("a metric-driven schedule: no mistake is simulated for it")
    if spec.run.total_steps > 200_000:
        pytest.skip("a long run: benchmarks/verify.py times those")
    planned = lrplot.simulate(spec).lr[:1]
    n, spe = planned.shape[1], spec.run.steps_per_epoch
    k = np.arange(n)
    for R in sorted({(n // 2 // spe) * spe, n // 3 + 7}):
        if spec.run.step == "fractional" and R % spe:
            continue
        shifted = (k // spe - R // spe) * spe if spec.run.step == "epoch" else k - R
        verdict = verify(spec, RunLog(str(path), "CSV", ("lr",), k, planned[:, np.where(k < R, k, shifted)], 0))
        assert verdict.followed or verdict.best.mistake.key == "restart", (R, [f.mistake.text for f in verdict.fits[:2]])
