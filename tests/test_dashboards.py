"""``lrplot export --format tensorboard``: the plan as a TensorBoard run, read back with TensorBoard's
own reader, under the tags and at the steps the real tools log with (checked against runs those
tools wrote: transformers' Trainer, a plain torch loop, ultralytics' results.csv)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import lrplot
from lrplot.cli import cli
from lrplot.dashboards import EVENT_FILE, MAX_POINTS, logging_of

from examples import CONFIGS

pytest.importorskip("tensorboard", reason="the tensorboard extra writes and reads the runs")
from tensorboard.backend.event_processing import event_accumulator  # noqa: E402

from lrplot.runlog import read_scalars  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"
# One config per framework, two param groups, a cycled momentum, a per-epoch log
CASES = ["warmup-cosine", "layerwise-finetune-two-groups", "onecycle-per-batch", "run-glue-mrpc-linear-warmup", "timm-seresnet34-cosine",
         "detectron2-balloon-tutorial", "yolo-real-run-yolo26", "yolov5-scratch-low"]


def export(config, folder: Path, *args: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    result = CliRunner().invoke(cli, ["export", str(config), "--format", "tensorboard", "-o", str(folder), *args])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(folder / EVENT_FILE)
    return read_scalars([folder / EVENT_FILE], event_accumulator)


@pytest.mark.parametrize("name", CASES)
def test_the_plan_reads_back_exactly_under_the_frameworks_names(tmp_path, name):
    config = CONFIGS / f"{name}.yaml"
    trace = lrplot.simulate(config)
    logging = logging_of(trace.spec)
    scalars = export(config, tmp_path / "plan")
    rows = [*trace.lr, *(trace.momentum if trace.momentum is not None else [])]
    tags = [*logging.lr, *(logging.momentum if trace.momentum is not None else [])]
    assert list(scalars) == tags
    spe, n = trace.steps_per_epoch, len(trace)
    for tag, row in zip(tags, rows):
        steps, values = scalars[tag]
        assert np.array_equal(steps, scalars[tags[0]][0])  # every tag at the same steps
        if logging.per_epoch:  # each epoch's last optimizer step, at the epoch's number
            assert np.array_equal(steps, np.arange(n // spe) + logging.first_step)
            taken = np.arange(spe - 1, n, spe)
        else:  # every optimizer step, or (a long run) the steps a figure keeps, first and last among them
            taken = steps - logging.first_step
            assert taken.size == n if n <= MAX_POINTS else (taken[0], taken[-1]) == (0, n - 1) and taken.size <= MAX_POINTS + 1
        assert np.array_equal(values, row[taken])  # float64 tensors: the exact plan


def _real(folder: Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    return read_scalars(sorted(folder.glob("events.out.tfevents*")), event_accumulator)


def test_lines_up_with_the_trainers_own_tensorboard_run(tmp_path):
    """A real Trainer run (record_dashboards.py) and the plan of its TrainingArguments share the tag
    and every step number, with the values the Trainer logged (float32, as add_scalar writes them)."""
    real = _real(FIXTURES / "dashboards" / "transformers-trainer")
    plan = export(FIXTURES / "plans" / "transformers-trainer.yaml", tmp_path / "plan")
    steps, values = real["train/learning_rate"]
    plan_steps, plan_values = plan["train/learning_rate"]
    assert np.array_equal(plan_steps, steps) and steps[0] == 1
    assert np.array_equal(plan_values.astype(np.float32), values.astype(np.float32))


def test_lines_up_with_a_plain_loops_add_scalar(tmp_path):
    case = next(c for c in json.loads((FIXTURES / "runs" / "cases.json").read_text()) if c["name"] == "torch-correct")
    real = _real(FIXTURES / case["log"])
    plan = export(FIXTURES / case["plan"], tmp_path / "plan")
    steps, values = real["lr"]
    assert np.array_equal(plan["lr"][0], steps) and steps[0] == 0
    assert np.array_equal(plan["lr"][1].astype(np.float32), values.astype(np.float32))


def test_lines_up_with_ultralytics_results_csv(tmp_path):
    """ultralytics logs ``trainer.lr`` once per epoch at ``epoch + 1``, to TensorBoard as to results.csv."""
    import csv

    rows = list(csv.DictReader((FIXTURES / "yolo" / "ultralytics-yolo26-train" / "results.csv").open()))
    plan = export(CONFIGS / "yolo-real-run-yolo26.yaml", tmp_path / "plan")
    for g in range(3):
        steps, values = plan[f"lr/pg{g}"]
        logged = np.array([float(r[f"lr/pg{g}"]) for r in rows])
        assert np.array_equal(steps, [int(r["epoch"]) for r in rows])
        assert np.allclose(values, logged, rtol=5e-6, atol=0)  # results.csv writes 6 significant digits


def test_verify_reads_the_exported_plan_as_followed(tmp_path):
    export(CONFIGS / "layerwise-finetune-two-groups.yaml", tmp_path / "plan")
    result = CliRunner().invoke(cli, ["verify", str(CONFIGS / "layerwise-finetune-two-groups.yaml"), str(tmp_path / "plan")])
    assert result.exit_code == 0 and "FOLLOWED THE PLAN" in result.output


def test_a_million_steps_keep_the_steps_a_figure_keeps(tmp_path):
    scalars = export("cyclic", tmp_path / "plan", "--base-lr", "0.01", "--max-lr", "0.1", "--step-size-up", "20000", "--epochs", "100",
                     "--steps-per-epoch", "10000")
    trace = lrplot.simulate({"scheduler": {"type": "cyclic", "base_lr": 0.01, "max_lr": 0.1, "step_size_up": 20000}, "run": {"epochs": 100, "steps_per_epoch": 10000}})
    steps, values = scalars["lr"]
    assert steps.size <= MAX_POINTS + 1 and steps[0] == 0 and steps[-1] == len(trace) - 1
    assert np.array_equal(values, trace.lr[0, steps])
    for peak in (20_000, 60_000, 980_000):  # every turn of the cycle is kept
        assert peak in steps and values[np.searchsorted(steps, peak)] == 0.1
    assert (tmp_path / "plan" / EVENT_FILE).stat().st_size < 2_000_000


def test_the_run_folder_is_the_plans_own(tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["export", "cosine", "--format", "tensorboard"])
    assert result.exit_code == 2 and "a TensorBoard run is a folder" in result.output
    real = tmp_path / "real"
    real.mkdir()
    (real / "events.out.tfevents.1.host.1.0").write_bytes(b"")
    result = runner.invoke(cli, ["export", "cosine", "--format", "tensorboard", "-o", str(real)])
    assert result.exit_code == 2 and "holds another run's event files" in result.output
    assert sorted(p.name for p in real.iterdir()) == ["events.out.tfevents.1.host.1.0"]
    # exported again, the plan replaces its own file, and the bytes are the same for the same plan
    export("cosine", tmp_path / "plan")
    first = (tmp_path / "plan" / EVENT_FILE).read_bytes()
    export("cosine", tmp_path / "plan", "--epochs", "50")
    export("cosine", tmp_path / "plan")
    assert [p.name for p in (tmp_path / "plan").iterdir()] == [EVENT_FILE] and (tmp_path / "plan" / EVENT_FILE).read_bytes() == first


def test_without_tensorboard_the_error_names_the_extra(tmp_path):
    code = ("import sys; sys.modules['tensorboard'] = None; from lrplot.cli import main; "
            f"sys.argv = ['lrplot', 'export', 'cosine', '--format', 'tensorboard', '-o', {str(tmp_path / 'plan')!r}]; main()")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 2 and "pip install tensorboard (or, from lrplot's checkout, pip install '.[tensorboard]')" in proc.stderr and not (tmp_path / "plan").exists()


@pytest.mark.parametrize(("name", "flags"), [("mmdet-1x", ["--dataset-size", "30"]), ("mmdet-1x-paramwise", ["--dataset-size", "30"]), ("iter-poly", [])])
def test_lines_up_with_mmengines_logged_scalars(tmp_path, name, flags):
    """mmengine's LoggerHook hands every visualizer backend (TensorBoard's as the local one) the same
    scalars: each logged point of a real run's vis_data is the plan's point at that step."""
    work_dir = FIXTURES / "mmengine" / "work_dirs" / name
    plan = export(work_dir / f"{name}.py", tmp_path / "plan", *flags)
    logged = [json.loads(line) for line in (work_dir / "run" / "vis_data" / "scalars.json").read_text().splitlines()]
    tag = "lr" if "lr" in plan else "base_lr"  # several groups: the base group, as mmengine names it
    steps, values = plan[tag]
    at = {int(s): v for s, v in zip(steps, values)}
    points = [(row["step"], row[tag]) for row in logged if tag in row]
    assert len(points) >= 8 and steps[0] == 1
    peak = values.max()
    assert all(abs(at[s] - v) <= 1e-12 * peak for s, v in points)


@pytest.mark.parametrize(("name", "tag"), [("megatron-tensorboard", "learning-rate"), ("torchtitan-tensorboard", "lr/AdamW")])
def test_lines_up_with_the_llm_stacks_own_tensorboard_runs(tmp_path, name, tag):
    """Megatron-LM's training_log and torchtitan's TensorBoardLogger, written by their own code
    (record_stack_logs.py): every logged point is the plan's point at that step (float32, as logged)."""
    real = _real(FIXTURES / "stacks" / name)
    plan = export(FIXTURES / "plans" / f"{name}.yaml", tmp_path / "plan")
    steps, values = real[tag]
    at = dict(zip(plan[tag][0].tolist(), plan[tag][1].astype(np.float32).tolist()))
    # Megatron's last point, logged after the last step, is the lr a next step would train with: past the plan
    inside = [(s, v) for s, v in zip(steps.tolist(), values.astype(np.float32).tolist()) if s in at]
    assert len(inside) >= len(steps) - 1 >= 7 and all(at[s] == v for s, v in inside)
