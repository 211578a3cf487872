"""Config files as they are: lrplot's YAML, a framework's own file (recognised, or named with
--framework), a YAML that includes one, and the run's plan given beside a framework section."""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner

import lrplot
from lrplot.cli import cli
from lrplot.config import load
from lrplot.errors import ConfigError
from lrplot.runlog import RunLog
from lrplot.config import RunSpec

# A timm train.py args.yaml as train.py writes it (yaml.safe_dump of every argument, sorted): the
# schedule's keys with train.py's defaults, and arguments that do not change the schedule.
ARGS_YAML = """\
aa: rand-m9-mstd0.5-inc1
amp: true
batch_size: 128
cooldown_epochs: 0
data_dir: /data/imagenet
decay_epochs: 90
decay_milestones: [90, 180, 270]
decay_rate: 0.1
epoch_repeats: 0.0
epochs: 300
eval_metric: top1
experiment: resnet50-a1
grad_accum_steps: 1
lr: null
lr_base: 0.1
lr_base_scale: ''
lr_base_size: 256
lr_cycle_decay: 0.5
lr_cycle_limit: 1
lr_cycle_mul: 1.0
lr_k_decay: 1.0
lr_noise: null
lr_noise_pct: 0.67
lr_noise_std: 1.0
min_lr: 1.0e-06
model: resnet50
momentum: 0.9
opt: lamb
patience_epochs: 10
sched: cosine
sched_on_updates: false
seed: 42
start_epoch: null
warmup_epochs: 5
warmup_lr: 1.0e-05
warmup_prefix: false
weight_decay: 0.01
"""
SECTION = {"sched": "cosine", "epochs": 300, "warmup_epochs": 5, "warmup_lr": 1e-5, "min_lr": 1e-6, "opt": "lamb", "batch_size": 128,
           "dataset_size": 1281167, "world_size": 8}


@pytest.fixture
def args_yaml(tmp_path):
    path = tmp_path / "args.yaml"
    path.write_text(ARGS_YAML)
    return path


def test_a_frameworks_own_file_is_read_as_its_section(args_yaml):
    from_file = lrplot.simulate(_load_with_plan(args_yaml))
    from_section = lrplot.simulate({"timm": SECTION})
    assert np.array_equal(from_file.lr, from_section.lr)
    assert from_file.name == "resnet50-a1"
    spec = _load_with_plan(args_yaml)
    assert spec.derivation[0] == f"{args_yaml}: read as timm train.py arguments (args.yaml), never executed"
    assert spec.files == (str(args_yaml),)


def _load_with_plan(path):
    from lrplot.cli import build_spec

    return build_spec(str(path), {"dataset_size": 1281167, "devices": 8, "exact": False})


def test_cli_takes_the_plan_for_a_frameworks_file(args_yaml):
    result = CliRunner().invoke(cli, ["explain", str(args_yaml), "--dataset-size", "1281167", "--devices", "8"])
    assert result.exit_code == 0, result.output
    assert "read as timm train.py arguments" in result.output and "1251 batches" in result.output


def test_an_lrplot_yaml_includes_a_frameworks_file(args_yaml, tmp_path):
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text("name: ResNet-50 A1\ninclude: args.yaml\nrun: {dataset_size: 1281167, devices: 8}\ntimm: {warmup_epochs: 3}\n")
    spec = load(recipe)
    expected = lrplot.simulate({"timm": {**SECTION, "warmup_epochs": 3}})
    assert np.array_equal(lrplot.simulate(spec).lr, expected.lr)
    assert spec.name == "ResNet-50 A1" and spec.files == (str(recipe), str(args_yaml))
    assert f"{recipe}: includes {args_yaml}, and sets name, timm over it" in spec.derivation


@pytest.mark.parametrize("content, args, message", [
    ("x = 1\n", ["--framework", "tim"], "--framework: unknown framework 'tim' (did you mean 'timm'?)"),
    ("x = 1\n", ["--framework", "torch"], "--framework: lrplot reads no torch files of their own"),
    ("lr: 1\n", [], "is not a config lrplot reads"),
])
def test_files_lrplot_cannot_read(tmp_path, content, args, message):
    path = tmp_path / "schedule.txt"
    path.write_text(content)
    result = CliRunner().invoke(cli, ["export", str(path), *args])
    assert result.exit_code == 2 and message in result.output, result.output


def test_include_errors(tmp_path, args_yaml):
    (tmp_path / "a.yaml").write_text("include: args.yaml\nframework: timm\n")
    (tmp_path / "b.yaml").write_text("include: a.yaml\n")
    (tmp_path / "c.yaml").write_text("framework: timm\nscheduler: cosine\n")
    with pytest.raises(ConfigError, match="an included file cannot include another"):
        load(tmp_path / "b.yaml")
    with pytest.raises(ConfigError, match="framework: says which framework an `include:`d file belongs to"):
        load(tmp_path / "c.yaml")


def test_scheduler_flags_do_not_apply_to_a_frameworks_file(args_yaml):
    result = CliRunner().invoke(cli, ["export", str(args_yaml), "--T-max", "10"])
    assert result.exit_code == 2 and "is read as timm's own file, which builds the scheduler" in result.output


def test_plan_flags_become_a_sections_own_keys(tmp_path):
    path = tmp_path / "hf.yaml"
    path.write_text("transformers: {learning_rate: 5.0e-5, num_train_epochs: 2, per_device_train_batch_size: 8, warmup_steps: 10}\n")
    by_flags = CliRunner().invoke(cli, ["export", str(path), "--dataset-size", "1000", "--devices", "2", "--grad-accum", "2", "--format", "csv"])
    path.write_text("transformers: {learning_rate: 5.0e-5, num_train_epochs: 2, per_device_train_batch_size: 8, warmup_steps: 10,"
                    " dataset_size: 1000, devices: 2, gradient_accumulation_steps: 2}\n")
    in_section = CliRunner().invoke(cli, ["export", str(path), "--format", "csv"])
    assert by_flags.exit_code == 0 and by_flags.output == in_section.output


def test_a_run_option_a_section_has_no_key_for_names_the_flag(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text("timm: {sched: cosine, epochs: 10, batch_size: 32}\n")
    result = CliRunner().invoke(cli, ["export", str(path), "--drop-last"])
    assert result.exit_code == 2
    assert result.output.startswith("Error: --drop-last: the `timm:` section sizes the run itself; from the run it takes epochs (as timm.epochs)")


def test_a_missing_plan_value_names_the_flag():
    result = CliRunner().invoke(cli, ["export", "transformers.cosine", "--num-warmup-steps", "0", "--dataset-size", "10"])
    assert result.exit_code == 2 and "Error: --batch-size: missing; a training plan needs dataset_size and batch_size" in result.output


@pytest.mark.parametrize("where, expected", [("first", [0, 10, 20]), ("last", [9, 19, 29]), ("after", [10, 20, 30])])
def test_a_per_epoch_log_lands_on_the_step_its_lr_belongs_to(where, expected):
    log = RunLog("results.csv", "a per-epoch log", ("lr",), np.array([1, 2, 3]), np.array([[0.1, 0.2, 0.3]]), 1, per_epoch=where)
    run = RunSpec(total_steps=40, steps_per_epoch=10, step="epoch")
    placed = log.on_run(run)
    assert placed.step.tolist() == expected and placed.per_epoch is None and np.array_equal(placed.lr, log.lr)
